// Optimisers update parameters in place with WGSL kernels (sgd_update.wgsl, adam_update.wgsl), in one
// dispatch for the whole parameter group: the constructor moves the parameters into one buffer (an arena,
// each at a 256-byte-aligned offset), and gradients and state live in buffers of the same layout. A step
// copies the gradients in (copies, not dispatches) and updates everything at once. Gradient clipping by
// global norm stays on the GPU: clip_coef.wgsl writes a factor, stamped with the step it is for, that the
// next update reads, so a step needs no readback (and no dispatch to reset the factor: a later step's stamp
// differs).
// State is per parameter, as torch.optim keeps it: a parameter without a gradient at a step is neither
// updated nor counted (its own step count drives Adam's bias correction), and its momentum starts at its own
// first gradient. A group steps in one dispatch when every parameter has a gradient and all are at the same
// point (step count, started state); otherwise each parameter is updated on its own.
// Moving a parameter into an arena moves its Storage (Storage.relocate), not the tensor onto another
// storage: views of the parameter made before the optimiser (reshape, flatten, detach) share that storage
// and follow the move, as PyTorch's views do.
import { empty, keep, noGrad, Tensor } from '../tensor.js';
import { rt, type BufferView } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { fromHost, zeros } from '../creation.js';
import { add, mul } from '../ops/binary.js';
import { sum } from '../ops/reduce.js';
import { view } from '../ops/apply.js';
import { checkOptions } from '../options.js';
import { shapeStr } from '../shape.js';
import { dependOn } from '../host-reads.js';
import clipCoefWgsl from '../../shaders/clip_coef.wgsl';
import sgdUpdateWgsl from '../../shaders/sgd_update.wgsl';
import adamUpdateWgsl from '../../shaders/adam_update.wgsl';

export type SlotValue = Tensor | { shape: readonly number[]; data: ArrayLike<number> };

export interface OptimizerState {
  kind: string;
  /** step() calls so far. */
  steps: number;
  /** Per parameter (every group's, in order): the updates it got (PyTorch's state['step']); absent in older
   * states, where a parameter with state is taken to be at `steps` and one without at 0. */
  paramSteps?: number[];
  lr: number;
  /** Per parameter (every group's, in order), named state tensors (momentum buffers, moments). */
  slots: Record<string, SlotValue>[];
  /** Each group's settings (lr, weightDecay, ...), without its parameters; absent in older states. */
  groups?: Record<string, unknown>[];
}

/** What one update dispatch works on: a parameter, or a group's whole arena. */
export interface UpdateTarget {
  param: BufferView;
  grad: BufferView;
  size: number;
  /** A state buffer of the same layout (momentum, moments), zero before its first use. */
  slot(name: string): BufferView;
  /** True when the state has not been started yet (SGD's momentum starts as the first gradient). */
  fresh(name: string): boolean;
  /** The parameters' own step count, this step included (read again at each replay of a compiled step). */
  step(): number;
}

/** The parameters packed into one buffer, with a gradient buffer and state buffers of the same layout. */
interface Arena {
  /** Offsets of the parameters, in f32 words (multiples of 64: bindings need 256-byte alignment). */
  offsets: number[];
  params: Tensor;
  grads: Tensor;
  state: Map<string, Tensor>;
}

const ALIGN_WORDS = 64;

const CLIP_COEF = /* @__PURE__ */ defineKernel(clipCoefWgsl, { max_norm: 'f32', stamp: 'u32' }, { TOTAL: 'read f32', OUT: 'read_write u32' });
const SGD_UPDATE = /* @__PURE__ */ defineKernel(sgdUpdateWgsl, { n: 'u32', fresh: 'u32', use_momentum: 'u32', nesterov: 'u32', lr: 'f32', momentum: 'f32', dampening: 'f32', weight_decay: 'f32', stamp: 'u32' }, { PARAM: 'read_write f32', GRAD: 'read f32', BUF: 'read_write f32', COEF: 'read u32' });
const ADAM_UPDATE = /* @__PURE__ */ defineKernel(adamUpdateWgsl, { n: 'u32', decoupled: 'u32', lr: 'f32', beta1: 'f32', beta2: 'f32', eps: 'f32', weight_decay: 'f32', bc1: 'f32', bc2: 'f32', stamp: 'u32' }, { PARAM: 'read_write f32', GRAD: 'read f32', M: 'read_write f32', V: 'read_write f32', COEF: 'read u32' });

/** Moves the parameters' storages into one arena; null when they cannot share one (host values).
 * Parameters already in another optimiser's arena move to this one: that optimiser sees it (inArena) and
 * steps them one by one from then on. */
function pack(params: Tensor[]): Arena | null {
  if (params.some((p) => p.ref)) return null;
  const offsets: number[] = [];
  let words = 0;
  for (const p of params) {
    offsets.push(words);
    const bytes = Math.max(p.size * 4, p.storage('optimizer').bytes); // the whole storage moves, views included
    words += Math.max(1, Math.ceil(bytes / 4 / ALIGN_WORDS)) * ALIGN_WORDS; // an empty parameter still gets a bindable slot
  }
  const arena = keep(zeros([words])); // zero between parameters: the update leaves zeros as they are
  params.forEach((p, i) => p.storage().relocate(arena.storage(), offsets[i] * 4));
  return { offsets, params: arena, grads: keep(zeros([words])), state: new Map() };
}

/** True while parameter p (the j-th of the arena's group) still sits where the arena put it. */
function inArena(a: Arena, p: Tensor, j: number): boolean {
  if (p.disposed || a.params.disposed) return false;
  const s = p.storage();
  const whole = a.params.storage();
  return s.buffer === whole.buffer && s.offset === whole.offset + a.offsets[j] * 4;
}

/** A parameter group as given to an optimiser: its parameters and any settings that differ from the defaults. */
export type ParamGroupSpec<H> = { params: Iterable<Tensor> } & Partial<H>;

/** A parameter group: its parameters (each once) and its settings, which may be changed between steps
 * (schedules set `lr`). */
export type ParamGroup<H> = { params: Tensor[] } & H;

interface GroupRuntime {
  /** Index of the group's first parameter in the optimiser's flat list. */
  first: number;
  arena: Arena | null;
}

/** The base of every optimiser: parameter groups with settings H, one update dispatch per packed group. */
export abstract class Optimizer<H extends { lr: number } = { lr: number }> {
  /** step() calls so far (each parameter's own count, PyTorch's state['step'], is in paramSteps). */
  steps = 0;
  /** Per parameter (every group's, in order): the updates it got, which a parameter without a gradient at a
   * step does not count. Adam's bias correction uses it. */
  protected paramSteps: number[];
  /** True when the update reads the step count (Adam's bias correction): a packed step then needs every
   * parameter of the group at the same count. */
  protected readsStep = false;
  readonly paramGroups: ParamGroup<H>[];
  /** [clipping factor, last clipped norm], read by the update kernels. */
  protected coef: Tensor;
  protected slots: Record<string, Tensor>[];
  private runtime: GroupRuntime[];

  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<H>>, defaults: H) {
    const who = this.constructor.name;
    const list = [...(params as Iterable<Tensor | ParamGroupSpec<H>>)];
    const specs: ParamGroupSpec<H>[] = list.every((p) => p instanceof Tensor) ? [{ params: list as Tensor[] } as unknown as ParamGroupSpec<H>] : (list as ParamGroupSpec<H>[]);
    const owner = new Map<Tensor, number>();
    this.paramGroups = specs.map((spec, gi) => {
      if (!spec || typeof spec !== 'object' || spec instanceof Tensor || !spec.params) throw new Error(`${who}: parameter group ${gi} must be { params, ...settings }, got ${spec instanceof Tensor ? 'a Tensor mixed with groups' : typeof spec}`);
      const ps: Tensor[] = [];
      for (const p of spec.params) {
        if (!(p instanceof Tensor)) throw new Error(`${who}: parameter group ${gi} holds ${p === null ? 'null' : typeof p}, not a Tensor`);
        if (p.dtype !== 'f32') throw new Error(`${who}: parameters must be f32, got ${p}`);
        const prev = owner.get(p);
        if (prev === gi) continue; // listed twice in a group (a tied weight): stepped once
        if (prev !== undefined) throw new Error(`${who}: ${p} appears in parameter groups ${prev} and ${gi}; a parameter may be in one group only`);
        owner.set(p, gi);
        ps.push(p);
      }
      checkOptions(`${who}: parameter group ${gi}`, spec, ['params', ...Object.keys(defaults)]);
      return { ...defaults, ...spec, params: ps } as ParamGroup<H>;
    });
    const all = this.params;
    if (!all.length) throw new Error(`${who}: no parameters to optimise`);
    this.paramGroups.forEach((g, i) => this.validate(g, i));
    this.coef = keep(fromHost([1, 0, 0], [3], 'f32')); // factor, norm, stamp (u32 0: no step's; clip_coef.wgsl)
    this.slots = all.map(() => ({}));
    this.paramSteps = all.map(() => 0);
    let first = 0;
    this.runtime = this.paramGroups.map((g) => {
      const r = { first, arena: g.params.length ? pack(g.params) : null };
      first += g.params.length;
      return r;
    });
  }

  /** Every parameter of every group, in order. */
  get params(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** The first group's learning rate; setting it sets every group's (use paramGroups[i].lr for one). */
  get lr(): number {
    return this.paramGroups[0].lr;
  }
  set lr(v: number) {
    checkLr(this.constructor.name, v);
    for (const g of this.paramGroups) g.lr = v;
  }

  /** Checks a group's settings (at construction and before every step, since they are settable). */
  protected validate(g: ParamGroup<H>, index: number): void {
    checkLr(this.groupName(index), g.lr);
  }

  /** The optimiser's name in errors, with the group when there are several. */
  protected groupName(index: number): string {
    return this.paramGroups.length > 1 ? `${this.constructor.name} (parameter group ${index})` : this.constructor.name;
  }

  /** The state tensor `name` of parameter i (a slice of its group's arena state buffer when packed). */
  protected slot(i: number, name: string): Tensor {
    const { arena: a, first } = this.groupOf(i);
    if (!a) return (this.slots[i][name] ??= keep(zeros(this.params[i].shape)));
    let whole = a.state.get(name);
    if (!whole) a.state.set(name, (whole = keep(zeros([a.params.size]))));
    const p = this.params[i];
    return (this.slots[i][name] ??= keep(new Tensor(whole.storage().slice(a.offsets[i - first] * 4, p.size * 4), p.shape, 'f32')));
  }

  private groupOf(i: number): GroupRuntime {
    for (let g = this.runtime.length - 1; g >= 0; g--) if (i >= this.runtime[g].first) return this.runtime[g];
    throw new Error(`${this.constructor.name}: no parameter ${i}`);
  }

  /** True when every group's parameters share one arena: a step is then one update dispatch per group. */
  get packed(): boolean {
    return this.runtime.every((r, g) => r.arena !== null || !this.paramGroups[g].params.length);
  }

  /** Makes the next step scale gradients so that their global L2 norm (over every group) is at most
   * maxNorm (PyTorch's clip_grad_norm_). Returns the norm before clipping, as a one-element GPU tensor. */
  clipGradNorm(maxNorm: number): Tensor {
    checkMaxNorm(maxNorm);
    return noGrad(() => {
      const total = squaredNorm(this.params);
      const r = rt();
      // For the next step (this.steps + 1 once step() counts it), read again at each replay of a compiled step.
      const words = () => ({ max_norm: maxNorm, stamp: this.steps + 1 });
      r.run(CLIP_COEF, {}, { TOTAL: view(total), OUT: view(this.coef) }, words(), [1], words);
      total.dispose();
      const norm = empty([]);
      r.copy(view(this.coef), view(norm), 4, 4);
      return norm;
    });
  }

  /** Applies one update to every parameter that has a gradient: one dispatch for each packed group whose
   * parameters all have gradients and share their state's progress, else one per parameter. */
  step(): void {
    this.paramGroups.forEach((g, i) => this.validate(g, i));
    this.steps++;
    const r = rt();
    // A compiled step's replay advances the counts as this call does (the update words read them).
    r.onReplay(() => {
      this.paramGroups.forEach((g, i) => this.validate(g, i));
      this.steps++;
    });
    const who = `${this.constructor.name}.step`;
    this.paramGroups.forEach((group, gi) => {
      const { arena: a, first } = this.runtime[gi];
      const idx = group.params.map((_, j) => first + j);
      // PyTorch counts a step for a parameter only when it has a gradient.
      const stepped = idx.filter((_, j) => group.params[j].grad);
      const advance = () => {
        for (const i of stepped) this.paramSteps[i]++;
      };
      advance();
      r.onReplay(advance);
      const started = (name: string) => idx.map((i) => !!this.slots[i][name]);
      const uniform = (name: string) => new Set(started(name)).size <= 1;
      const sameStep = !this.readsStep || new Set(idx.map((i) => this.paramSteps[i])).size <= 1;
      if (a && sameStep && group.params.every((p, j) => p.grad && inArena(a, p, j)) && this.startedState(group).every(uniform)) {
        group.params.forEach((p, j) => r.copy(view(p.grad!), view(a.grads), p.size * 4, 0, a.offsets[j] * 4));
        const fresh = new Map(this.startedState(group).map((n) => [n, !started(n)[0]]));
        this.update(
          {
            param: view(a.params),
            grad: view(a.grads),
            size: a.params.size,
            slot: (name) => {
              idx.forEach((i) => this.slot(i, name)); // every parameter's state is started from now on
              return view(a.state.get(name)!);
            },
            fresh: (name) => fresh.get(name) ?? true,
            step: () => this.paramSteps[first],
          },
          group,
        );
        for (const p of group.params) p.storage().bump(who);
      } else {
        group.params.forEach((p, j) => {
          if (!p.grad) return;
          const i = first + j;
          const fresh = new Map(this.startedState(group).map((n) => [n, !this.slots[i][n]]));
          this.update({ param: view(p), grad: view(p.grad), size: p.size, slot: (name) => view(this.slot(i, name)), fresh: (name) => fresh.get(name) ?? true, step: () => this.paramSteps[i] }, group);
          p.storage().bump(who);
        });
      }
    });
  }

  protected abstract update(t: UpdateTarget, group: ParamGroup<H>): void;

  /** State whose first step differs (SGD's momentum starts as the gradient): a packed step needs every
   * parameter of the group at the same point of it. */
  protected abstract startedState(group: ParamGroup<H>): string[];

  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /** Everything needed to resume: step counts (the optimiser's and each parameter's), group settings
   * (copies: changing them changes neither side) and state tensors (shared, not copied). */
  state(): OptimizerState {
    const groups = this.paramGroups.map(({ params: _, ...settings }) => structuredClone(settings) as Record<string, unknown>);
    return { kind: this.constructor.name, steps: this.steps, paramSteps: [...this.paramSteps], lr: this.lr, slots: this.slots.map((s) => ({ ...s })), groups };
  }

  /** Resumes from a state(): every entry is checked before anything is written. */
  loadState(s: OptimizerState): void {
    const who = `${this.constructor.name}.loadState`;
    const n = this.params.length;
    if (s.kind !== this.constructor.name) throw new Error(`${who}: state is for ${s.kind}`);
    if (s.slots.length !== n) throw new Error(`${who}: state has ${s.slots.length} parameters, the optimiser ${n}`);
    if (s.groups && s.groups.length !== this.paramGroups.length) throw new Error(`${who}: state has ${s.groups.length} parameter groups, the optimiser ${this.paramGroups.length}`);
    if (!Number.isInteger(s.steps) || s.steps < 0) throw new Error(`${who}: steps must be a non-negative integer, got ${s.steps}`);
    if (s.paramSteps) {
      if (s.paramSteps.length !== n) throw new Error(`${who}: state has step counts for ${s.paramSteps.length} parameters, the optimiser ${n}`);
      const bad = s.paramSteps.findIndex((k) => !Number.isInteger(k) || k < 0);
      if (bad >= 0) throw new Error(`${who}: the step count of parameter ${bad} must be a non-negative integer, got ${s.paramSteps[bad]}`);
    }
    s.slots.forEach((slots, i) => {
      for (const [name, v] of Object.entries(slots)) {
        const p = this.params[i];
        const what = `slot ${name} of parameter ${i}`;
        if (!v || !v.shape) throw new Error(`${who}: ${what} must be a Tensor or { shape, data }, got ${v === null ? 'null' : typeof v}`);
        if (v.shape.length !== p.shape.length || v.shape.some((d, j) => d !== p.shape[j])) throw new Error(`${who}: ${what} has shape ${shapeStr(v.shape)}, the parameter ${shapeStr(p.shape)}`);
        if (v instanceof Tensor) {
          v.storage(who);
          if (v.dtype !== 'f32') throw new Error(`${who}: ${what} is ${v.dtype}, not f32`);
        } else if (!v.data || v.data.length !== p.size) throw new Error(`${who}: ${what} has ${v.data?.length} values for shape ${shapeStr(p.shape)}`);
      }
    });
    const settings = s.groups?.map((g, i) => ({ ...this.paramGroups[i], ...structuredClone(g), params: this.paramGroups[i].params }) as ParamGroup<H>);
    settings?.forEach((g, i) => this.validate(g, i));
    if (!s.groups) checkLr(this.constructor.name, s.lr);
    // Everything is checked: write.
    this.steps = s.steps;
    this.paramSteps = s.paramSteps ? [...s.paramSteps] : s.slots.map((slots) => (Object.keys(slots).length ? s.steps : 0));
    if (settings) settings.forEach((g, i) => Object.assign(this.paramGroups[i], g));
    else this.lr = s.lr;
    s.slots.forEach((slots, i) => {
      for (const [name, v] of Object.entries(slots)) {
        const t = this.slot(i, name);
        if (v instanceof Tensor) rt().copy(view(v), view(t), t.size * 4);
        else rt().upload(view(t), Float32Array.from(v.data));
      }
    });
  }

  /** Frees the optimiser's state. The parameters stay in the arenas, which live as long as any of them. */
  dispose(): void {
    this.coef.dispose();
    for (const s of this.slots) for (const t of Object.values(s)) t.dispose();
    this.slots = this.params.map(() => ({}));
    for (const { arena } of this.runtime) {
      if (!arena) continue;
      for (const t of [arena.params, arena.grads, ...arena.state.values()]) t.dispose();
      arena.state.clear();
    }
  }
}

/** Sum of the squares of every gradient of `params` (each tensor once), a one-element GPU tensor. */
function squaredNorm(params: Iterable<Tensor>): Tensor {
  let total: Tensor = zeros([]);
  for (const p of new Set(params)) {
    if (!p.grad) continue;
    const sq = mul(p.grad, p.grad);
    const s = sum(sq);
    const next = add(total, s);
    for (const t of [sq, s, total]) t.dispose();
    total = next;
  }
  return total;
}

function checkMaxNorm(maxNorm: number): void {
  if (typeof maxNorm !== 'number' || !(maxNorm > 0) || !Number.isFinite(maxNorm)) throw new Error(`clipGradNorm: maxNorm must be a positive finite number, got ${maxNorm}`);
}

/**
 * PyTorch's clip_grad_norm_ over any parameters (several optimisers' or groups' together): scales every
 * gradient by min(1, maxNorm / (norm + 1e-6)) on the GPU (no readback) and returns the total norm before
 * clipping as a one-element GPU tensor. Each gradient is replaced by its scaled value.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): Tensor {
  checkMaxNorm(maxNorm);
  const ps = [...new Set(params)];
  for (const p of ps) if (!(p instanceof Tensor)) throw new Error(`clipGradNorm: expected Tensors, got ${p === null ? 'null' : typeof p}`);
  return noGrad(() => {
    const total = squaredNorm(ps);
    const coef = empty([3]);
    const r = rt();
    r.run(CLIP_COEF, {}, { TOTAL: view(total), OUT: view(coef) }, { max_norm: maxNorm, stamp: 0 }, [1]);
    total.dispose();
    const factor = new Tensor(coef.storage().retain(), [1], 'f32'); // element 0 of coef
    for (const p of ps) {
      if (!p.grad) continue;
      const scaled = keep(mul(p.grad, factor));
      p.grad.dispose();
      p.grad = scaled;
    }
    factor.dispose();
    const norm = empty([]);
    r.copy(view(coef), view(norm), 4, 4);
    coef.dispose();
    return norm;
  });
}

/** A learning rate may be 0 (as in PyTorch: a frozen group, a warm-up from 0); the parameters then do not
 * move, while step counts and moments advance. */
export function checkLr(who: string, lr: number): void {
  if (typeof lr !== 'number' || !(lr >= 0) || !Number.isFinite(lr)) throw new Error(`${who}: lr must be a non-negative finite number, got ${lr}`);
}

function check(who: string, name: string, v: number, lo: number, hi: number, hiOpen = true): void {
  if (typeof v !== 'number' || !(v >= lo) || (hiOpen ? !(v < hi) : !(v <= hi))) throw new Error(`${who}: ${name} must be in [${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${v}`);
}

export interface SGDOptions {
  lr: number;
  momentum?: number;
  /** Scales the gradient's share of the momentum buffer by 1 - dampening (not on a buffer's first step). */
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export type SGDSettings = Required<SGDOptions>;

/** SGD with optional momentum (PyTorch's form), dampening, Nesterov momentum and L2 weight decay, as
 * torch.optim.SGD. `new SGD(params, opts)` or `new SGD([{ params, lr, ... }, ...], defaults)`. */
export class SGD extends Optimizer<SGDSettings> {
  private unused: Tensor | null = null;
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<SGDSettings>>, opts: SGDOptions) {
    checkOptions(new.target.name, opts, ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay']);
    super(params, { lr: opts?.lr, momentum: opts?.momentum ?? 0, dampening: opts?.dampening ?? 0, nesterov: opts?.nesterov ?? false, weightDecay: opts?.weightDecay ?? 0 });
  }
  /** The first group's settings (kept for code written before parameter groups). */
  get momentum(): number {
    return this.paramGroups[0].momentum;
  }
  get dampening(): number {
    return this.paramGroups[0].dampening;
  }
  get nesterov(): boolean {
    return this.paramGroups[0].nesterov;
  }
  get weightDecay(): number {
    return this.paramGroups[0].weightDecay;
  }
  protected override validate(g: ParamGroup<SGDSettings>, index: number): void {
    const who = this.groupName(index);
    checkLr(who, g.lr);
    check(who, 'momentum', g.momentum, 0, 1);
    check(who, 'dampening', g.dampening, 0, 1, false);
    check(who, 'weightDecay', g.weightDecay, 0, Infinity);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) throw new Error(`${who}: nesterov needs momentum > 0 and dampening 0, got momentum ${g.momentum}, dampening ${g.dampening}`);
  }
  override dispose(): void {
    super.dispose();
    this.unused?.dispose();
    this.unused = null;
  }
  protected startedState(g: ParamGroup<SGDSettings>): string[] {
    return g.momentum > 0 ? ['momentum'] : [];
  }
  protected update(t: UpdateTarget, g: ParamGroup<SGDSettings>): void {
    const r = rt();
    const useMomentum = g.momentum > 0;
    dependOn(g, 'SGD momentum > 0', () => g.momentum > 0); // binds a momentum buffer or not: a replay cannot switch
    // PyTorch starts the buffer at the first step the parameter has a gradient: buf = d, then momentum.
    const first = useMomentum && t.fresh('momentum');
    const buf = useMomentum ? t.slot('momentum') : view((this.unused ??= keep(zeros([1])))); // bound, never read without momentum
    // The settings are read again at each replay of a compiled step (a schedule sets lr between steps); the
    // first-step flag is not: a replay is never a parameter's first step.
    const words = () => ({ n: t.size, fresh: first ? 1 : 0, use_momentum: useMomentum ? 1 : 0, nesterov: g.nesterov ? 1 : 0, lr: g.lr, momentum: g.momentum, dampening: g.dampening, weight_decay: g.weightDecay, stamp: this.steps });
    r.run(SGD_UPDATE, {}, { PARAM: t.param, GRAD: t.grad, BUF: buf, COEF: view(this.coef) }, words(), r.groups1d(t.size, 256), () => ({ ...words(), fresh: 0 }));
  }
}

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export type AdamSettings = Required<AdamOptions>;

/** Adam (Kingma & Ba) with L2 weight decay added to the gradient, as torch.optim.Adam.
 * `new Adam(params, opts)` or `new Adam([{ params, lr, weightDecay, ... }, ...], defaults)`. */
export class Adam extends Optimizer<AdamSettings> {
  protected decoupled = false;
  protected override readsStep = true;
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<AdamSettings>>, opts: AdamOptions = {}) {
    checkOptions(new.target.name, opts, ['lr', 'betas', 'eps', 'weightDecay']);
    super(params, { lr: opts.lr ?? 1e-3, betas: opts.betas ?? [0.9, 0.999], eps: opts.eps ?? 1e-8, weightDecay: opts.weightDecay ?? 0 });
  }
  /** The first group's settings (kept for code written before parameter groups). */
  get betas(): [number, number] {
    return this.paramGroups[0].betas;
  }
  get eps(): number {
    return this.paramGroups[0].eps;
  }
  get weightDecay(): number {
    return this.paramGroups[0].weightDecay;
  }
  protected override validate(g: ParamGroup<AdamSettings>, index: number): void {
    const who = this.groupName(index);
    checkLr(who, g.lr);
    if (!Array.isArray(g.betas) || g.betas.length !== 2) throw new Error(`${who}: betas must be [beta1, beta2], got ${JSON.stringify(g.betas)}`);
    check(who, 'beta1', g.betas[0], 0, 1);
    check(who, 'beta2', g.betas[1], 0, 1);
    check(who, 'eps', g.eps, 0, Infinity);
    check(who, 'weightDecay', g.weightDecay, 0, Infinity);
  }
  protected startedState(): string[] {
    return []; // zero moments are the right start whenever a parameter first gets a gradient
  }
  protected update(t: UpdateTarget, g: ParamGroup<AdamSettings>): void {
    const r = rt();
    // Read again at each replay of a compiled step: the bias corrections follow the parameters' own step
    // count (PyTorch's state['step']), not the optimiser's.
    const words = () => {
      const [b1, b2] = g.betas;
      const k = t.step();
      return { n: t.size, decoupled: this.decoupled ? 1 : 0, lr: g.lr, beta1: b1, beta2: b2, eps: g.eps, weight_decay: g.weightDecay, bc1: 1 - b1 ** k, bc2: 1 - b2 ** k, stamp: this.steps };
    };
    r.run(ADAM_UPDATE, {}, { PARAM: t.param, GRAD: t.grad, M: t.slot('exp_avg'), V: t.slot('exp_avg_sq'), COEF: view(this.coef) }, words(), r.groups1d(t.size, 256), words);
  }
}

/** AdamW (Loshchilov & Hutter): decoupled weight decay, default 0.01 as in PyTorch. */
export class AdamW extends Adam {
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<AdamSettings>>, opts: AdamOptions = {}) {
    super(params, { weightDecay: 0.01, ...opts });
    this.decoupled = true;
  }
}
