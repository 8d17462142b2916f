// Optimisers update parameters in place with WGSL kernels (sgd_update.wgsl, adam_update.wgsl), in one
// dispatch for the whole parameter group: the constructor moves the parameters into one buffer (an arena,
// each at a 256-byte-aligned offset), and gradients and state live in buffers of the same layout. A step
// copies the gradients in (copies, not dispatches) and updates everything at once. Gradient clipping by
// global norm stays on the GPU: clip_coef.wgsl writes a factor that the next update reads, so a step
// needs no readback.
import { empty, keep, noGrad, Storage, Tensor } from '../tensor.js';
import { Params, rt, type BufferView } from '../runtime.js';
import { full, zeros } from '../creation.js';
import { add, mul } from '../ops/binary.js';
import { sum } from '../ops/reduce.js';
import { view } from '../ops/apply.js';

export type SlotValue = Tensor | { shape: readonly number[]; data: ArrayLike<number> };

export interface OptimizerState {
  kind: string;
  steps: number;
  lr: number;
  /** Per parameter, named state tensors (momentum buffers, moments). */
  slots: Record<string, SlotValue>[];
}

/** What one update dispatch works on: a parameter, or the whole arena. */
export interface UpdateTarget {
  param: BufferView;
  grad: BufferView;
  size: number;
  /** A state buffer of the same layout (momentum, moments), zero before its first use. */
  slot(name: string): BufferView;
  /** True when the state has not been started yet (SGD's momentum starts as the first gradient). */
  fresh(name: string): boolean;
}

/** The parameters packed into one buffer, with a gradient buffer and state buffers of the same layout. */
interface Arena {
  /** Offsets of the parameters, in f32 words (multiples of 64: bindings need 256-byte alignment). */
  offsets: number[];
  params: Tensor;
  /** The storage each parameter got; a packed step first checks that it still has it. */
  slices: Storage[];
  grads: Tensor;
  state: Map<string, Tensor>;
}

const ALIGN_WORDS = 64;

/** Moves the parameters into one arena; null when they cannot share one (listed twice, or host values).
 * Parameters already in another optimiser's arena move to this one: that optimiser sees it and steps them
 * one by one from then on. */
function pack(params: Tensor[]): Arena | null {
  if (new Set(params).size !== params.length || params.some((p) => p.ref)) return null;
  const offsets: number[] = [];
  let words = 0;
  for (const p of params) {
    offsets.push(words);
    words += Math.max(1, Math.ceil(p.size / ALIGN_WORDS)) * ALIGN_WORDS; // an empty parameter still gets a bindable slot
  }
  const arena = keep(zeros([words])); // zero between parameters: the update leaves zeros as they are
  const slices = params.map((p, i) => arena.storage().slice(offsets[i] * 4, p.size * 4));
  params.forEach((p, i) => p.moveTo(slices[i]));
  return { offsets, params: arena, slices, grads: keep(zeros([words])), state: new Map() };
}

export abstract class Optimizer {
  /** Updates applied so far. */
  steps = 0;
  lr: number;
  /** [clipping factor, last clipped norm], read by the update kernels. */
  protected coef: Tensor;
  protected slots: Record<string, Tensor>[];
  /** The packed parameter group, or null (one dispatch per parameter then). */
  private arena: Arena | null;

  constructor(
    readonly params: Tensor[],
    lr: number,
  ) {
    if (!params.length) throw new Error(`${this.constructor.name}: no parameters to optimise`);
    checkLr(this.constructor.name, lr);
    for (const p of params) if (p.dtype !== 'f32') throw new Error(`${this.constructor.name}: parameters must be f32, got ${p}`);
    this.lr = lr;
    this.coef = keep(full([2], 1));
    this.slots = params.map(() => ({}));
    this.arena = pack(params);
  }

  /** The state tensor `name` of parameter i (a slice of the arena's state buffer when packed). */
  protected slot(i: number, name: string): Tensor {
    const a = this.arena;
    if (!a) return (this.slots[i][name] ??= keep(zeros(this.params[i].shape)));
    let whole = a.state.get(name);
    if (!whole) a.state.set(name, (whole = keep(zeros([a.params.size]))));
    const p = this.params[i];
    return (this.slots[i][name] ??= keep(new Tensor(whole.storage().slice(a.offsets[i] * 4, p.size * 4), p.shape, 'f32')));
  }

  /** True when the parameters share one arena: a step is then one update dispatch. */
  get packed(): boolean {
    return this.arena !== null;
  }

  /** Makes the next step scale gradients so that their global L2 norm is at most maxNorm (PyTorch's
   * clip_grad_norm_). Returns the norm before clipping, as a one-element GPU tensor. */
  clipGradNorm(maxNorm: number): Tensor {
    if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) throw new Error(`clipGradNorm: maxNorm must be a positive finite number, got ${maxNorm}`);
    return noGrad(() => {
      let total: Tensor = zeros([]);
      for (const p of this.params) {
        if (!p.grad) continue;
        const sq = mul(p.grad, p.grad);
        const s = sum(sq);
        const next = add(total, s);
        for (const t of [sq, s, total]) t.dispose();
        total = next;
      }
      const r = rt();
      r.dispatch(r.kernel('clip_coef'), [view(total), view(this.coef)], new Params().f(maxNorm), [1]);
      total.dispose();
      const norm = empty([]);
      r.copy(view(this.coef), view(norm), 4, 4);
      return norm;
    });
  }

  /** Applies one update to every parameter that has a gradient: one dispatch for a packed group whose
   * parameters all have gradients and share their state's progress, else one per parameter. */
  step(): void {
    this.steps++;
    const a = this.arena;
    const r = rt();
    const started = (name: string) => this.params.map((_, i) => !!this.slots[i][name]);
    const uniform = (name: string) => new Set(started(name)).size <= 1;
    const inArena = (p: Tensor, i: number) => !p.disposed && p.storage() === a!.slices[i];
    if (a && this.params.every((p, i) => p.grad && inArena(p, i)) && this.startedState().every(uniform)) {
      this.params.forEach((p, i) => r.copy(view(p.grad!), view(a.grads), p.size * 4, 0, a.offsets[i] * 4));
      const fresh = new Map(this.startedState().map((n) => [n, !started(n)[0]]));
      this.update({
        param: view(a.params),
        grad: view(a.grads),
        size: a.params.size,
        slot: (name) => {
          this.params.forEach((_, i) => this.slot(i, name)); // every parameter's state is started from now on
          return view(a.state.get(name)!);
        },
        fresh: (name) => fresh.get(name) ?? true,
      });
    } else {
      this.params.forEach((p, i) => {
        if (!p.grad) return;
        const fresh = new Map(this.startedState().map((n) => [n, !this.slots[i][n]]));
        this.update({ param: view(p), grad: view(p.grad), size: p.size, slot: (name) => view(this.slot(i, name)), fresh: (name) => fresh.get(name) ?? true });
      });
    }
    // A clipping factor applies to one step only: reset it to 1 (a dispatch, not an upload, so no flush).
    r.dispatch(r.kernel('fill', { STEP: 'false', DTYPE: 'f32' }), [view(this.coef)], new Params().u(1).f(1), [1]);
  }

  protected abstract update(t: UpdateTarget): void;

  /** State whose first step differs (SGD's momentum starts as the gradient): a packed step needs every
   * parameter at the same point of it. */
  protected abstract startedState(): string[];

  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /** Everything needed to resume: step count, learning rate and state tensors (shared, not copied). */
  state(): OptimizerState {
    return { kind: this.constructor.name, steps: this.steps, lr: this.lr, slots: this.slots };
  }

  loadState(s: OptimizerState): void {
    if (s.kind !== this.constructor.name) throw new Error(`${this.constructor.name}.loadState: state is for ${s.kind}`);
    if (s.slots.length !== this.params.length) throw new Error(`${this.constructor.name}.loadState: state has ${s.slots.length} parameters, the optimiser ${this.params.length}`);
    this.steps = s.steps;
    this.lr = s.lr;
    s.slots.forEach((slots, i) => {
      for (const [name, v] of Object.entries(slots)) {
        const t = this.slot(i, name);
        if (v.shape.length !== t.shape.length || v.shape.some((d, j) => d !== t.shape[j])) throw new Error(`${this.constructor.name}.loadState: slot ${name} of parameter ${i} has the wrong shape`);
        if (v instanceof Tensor) rt().copy(view(v), view(t), t.size * 4);
        else rt().upload(view(t), Float32Array.from(v.data));
      }
    });
  }

  /** Frees the optimiser's state. The parameters stay in the arena, which lives as long as any of them. */
  dispose(): void {
    this.coef.dispose();
    for (const s of this.slots) for (const t of Object.values(s)) t.dispose();
    this.slots = this.params.map(() => ({}));
    if (this.arena) {
      for (const t of [this.arena.params, this.arena.grads, ...this.arena.state.values()]) t.dispose();
      this.arena.state.clear();
    }
  }
}

export function checkLr(who: string, lr: number): void {
  if (typeof lr !== 'number' || !(lr > 0) || !Number.isFinite(lr)) throw new Error(`${who}: lr must be a positive finite number, got ${lr}`);
}

function check(who: string, name: string, v: number, lo: number, hi: number, hiOpen = true): void {
  if (typeof v !== 'number' || !(v >= lo) || (hiOpen ? !(v < hi) : !(v <= hi))) throw new Error(`${who}: ${name} must be in [${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${v}`);
}

export interface SGDOptions {
  lr: number;
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

/** SGD with optional momentum (PyTorch's form, dampening 0), Nesterov momentum and L2 weight decay. */
export class SGD extends Optimizer {
  private unused: Tensor | null = null;
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  constructor(params: Tensor[], opts: SGDOptions) {
    super(params, opts.lr);
    this.momentum = opts.momentum ?? 0;
    this.nesterov = opts.nesterov ?? false;
    this.weightDecay = opts.weightDecay ?? 0;
    check('SGD', 'momentum', this.momentum, 0, 1);
    check('SGD', 'weightDecay', this.weightDecay, 0, Infinity);
    if (this.nesterov && this.momentum <= 0) throw new Error('SGD: nesterov needs momentum > 0');
  }
  override dispose(): void {
    super.dispose();
    this.unused?.dispose();
    this.unused = null;
  }
  protected startedState(): string[] {
    return this.momentum > 0 ? ['momentum'] : [];
  }
  protected update(t: UpdateTarget): void {
    const r = rt();
    const useMomentum = this.momentum > 0;
    // PyTorch starts the buffer at the first step the parameter has a gradient: buf = d, then momentum.
    const first = useMomentum && t.fresh('momentum');
    const buf = useMomentum ? t.slot('momentum') : view((this.unused ??= keep(zeros([1])))); // bound, never read without momentum
    r.dispatch(
      r.kernel('sgd_update'),
      [t.param, t.grad, buf, view(this.coef)],
      new Params().u(t.size, first ? 1 : 0, useMomentum ? 1 : 0, this.nesterov ? 1 : 0).f(this.lr, this.momentum, this.weightDecay),
      r.groups1d(t.size, 256),
    );
  }
}

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/** Adam (Kingma & Ba) with L2 weight decay added to the gradient, as torch.optim.Adam. */
export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  protected decoupled = false;
  constructor(params: Tensor[], opts: AdamOptions = {}) {
    super(params, opts.lr ?? 1e-3);
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    const who = this.constructor.name;
    check(who, 'beta1', this.betas[0], 0, 1);
    check(who, 'beta2', this.betas[1], 0, 1);
    check(who, 'eps', this.eps, 0, Infinity);
    check(who, 'weightDecay', this.weightDecay, 0, Infinity);
  }
  protected startedState(): string[] {
    return []; // zero moments are the right start whenever a parameter first gets a gradient
  }
  protected update(t: UpdateTarget): void {
    const r = rt();
    const [b1, b2] = this.betas;
    const bc1 = 1 - b1 ** this.steps;
    const bc2 = 1 - b2 ** this.steps;
    r.dispatch(
      r.kernel('adam_update'),
      [t.param, t.grad, t.slot('exp_avg'), t.slot('exp_avg_sq'), view(this.coef)],
      new Params().u(t.size, this.decoupled ? 1 : 0).f(this.lr, b1, b2, this.eps, this.weightDecay, bc1, bc2),
      r.groups1d(t.size, 256),
    );
  }
}

/** AdamW (Loshchilov & Hutter): decoupled weight decay, default 0.01 as in PyTorch. */
export class AdamW extends Adam {
  constructor(params: Tensor[], opts: AdamOptions = {}) {
    super(params, { weightDecay: 0.01, ...opts });
    this.decoupled = true;
  }
}
