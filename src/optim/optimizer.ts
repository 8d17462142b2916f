// Optimisers update parameters in place with one WGSL dispatch per parameter (sgd_update.wgsl,
// adam_update.wgsl). Gradient clipping by global norm stays on the GPU: clip_coef.wgsl writes a factor
// that the next update reads, so a step needs no readback.
import { empty, keep, noGrad, Tensor } from '../tensor.js';
import { Params, rt } from '../runtime.js';
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

export abstract class Optimizer {
  /** Updates applied so far. */
  steps = 0;
  lr: number;
  /** [clipping factor, last clipped norm], read by the update kernels. */
  protected coef: Tensor;
  protected slots: Record<string, Tensor>[];

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
  }

  protected slot(i: number, name: string): Tensor {
    return (this.slots[i][name] ??= keep(zeros(this.params[i].shape)));
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

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    this.steps++;
    this.params.forEach((p, i) => {
      if (p.grad) this.update(p, p.grad, i);
    });
    // A clipping factor applies to one step only: reset it to 1 (a dispatch, not an upload, so no flush).
    const r = rt();
    r.dispatch(r.kernel('fill', { STEP: 'false', DTYPE: 'f32' }), [view(this.coef)], new Params().u(1).f(1), [1]);
  }

  protected abstract update(p: Tensor, g: Tensor, i: number): void;

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
        else rt().upload(t.storage().buffer, Float32Array.from(v.data));
      }
    });
  }

  dispose(): void {
    this.coef.dispose();
    for (const s of this.slots) for (const t of Object.values(s)) t.dispose();
    this.slots = this.params.map(() => ({}));
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
  protected update(p: Tensor, g: Tensor, i: number): void {
    const r = rt();
    const useMomentum = this.momentum > 0;
    // PyTorch starts the buffer at the first step the parameter has a gradient: buf = d, then momentum.
    const first = useMomentum && !this.slots[i].momentum;
    const buf = useMomentum ? this.slot(i, 'momentum') : (this.unused ??= keep(zeros([1]))); // bound, never read without momentum
    r.dispatch(
      r.kernel('sgd_update'),
      [view(p), view(g), view(buf), view(this.coef)],
      new Params().u(p.size, first ? 1 : 0, useMomentum ? 1 : 0, this.nesterov ? 1 : 0).f(this.lr, this.momentum, this.weightDecay),
      r.groups1d(p.size, 256),
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
  protected update(p: Tensor, g: Tensor, i: number): void {
    const r = rt();
    const [b1, b2] = this.betas;
    const bc1 = 1 - b1 ** this.steps;
    const bc2 = 1 - b2 ** this.steps;
    r.dispatch(
      r.kernel('adam_update'),
      [view(p), view(g), view(this.slot(i, 'exp_avg')), view(this.slot(i, 'exp_avg_sq')), view(this.coef)],
      new Params().u(p.size, this.decoupled ? 1 : 0).f(this.lr, b1, b2, this.eps, this.weightDecay, bc1, bc2),
      r.groups1d(p.size, 256),
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
