// Modules: parameters, buffers and sub-modules registered by name (as PyTorch names them), train/eval,
// state dicts. A registered name is an accessor on the module: assigning to it replaces what is registered
// (`head.weight = wte.weight` ties two modules' weights; the tied tensor is then listed once).
import { keep, Tensor } from '../tensor.js';
import { rt } from '../runtime.js';
import { hostReads } from '../host-reads.js';
import { RootgradError } from '../errors.js';
import { shapeStr, sizeOf } from '../shape.js';
import { checkOptions } from '../options.js';

export type StateValue = Tensor | { shape: readonly number[]; data: ArrayLike<number> };

/** Any module, whatever its forward's arguments and result. */
export type AnyModule = Module<any, any>;

type Kind = 'parameter' | 'buffer' | 'module';

/**
 * The base of every layer and model. `In` is the tuple of forward's arguments, `Out` its result:
 * `class GPT extends Module<[Tensor, Tensor?], [Tensor, Tensor | null]>` has `forward(idx, targets?)`.
 */
export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  private _training = true;
  /** Train or eval mode (see train() and eval()). A compiled step that read it records again after a change. */
  get training(): boolean {
    if (hostReads.active) hostReads.active.depend(this, 'training', () => this._training);
    return this._training;
  }
  set training(on: boolean) {
    this._training = on;
  }
  private readonly _params = new Map<string, Tensor>();
  private readonly _buffers = new Map<string, Tensor>();
  private readonly _children = new Map<string, AnyModule>();

  abstract forward(...args: In): Out;

  /** Same as forward. */
  call(...args: In): Out {
    return this.forward(...args);
  }

  /** Registers a trainable parameter (requiresGrad set, kept out of tidy scopes) under `name`. */
  param(name: string, t: Tensor): Tensor {
    this.register('parameter', name, t);
    return t;
  }

  /** Registers state that is saved and loaded with the parameters but not trained (BatchNorm's running
   * statistics). */
  buffer(name: string, t: Tensor): Tensor {
    this.register('buffer', name, t);
    return t;
  }

  /** Registers a sub-module under `name`. */
  module<M extends AnyModule>(name: string, m: M): M {
    this.register('module', name, m);
    return m;
  }

  private mapOf(kind: Kind): Map<string, unknown> {
    return kind === 'parameter' ? this._params : kind === 'buffer' ? this._buffers : this._children;
  }

  private register(kind: Kind, name: string, v: unknown): void {
    const who = `${this.constructor.name}.${kind === 'module' ? 'module' : kind === 'buffer' ? 'buffer' : 'param'}`;
    if (typeof name !== 'string' || !name || name.includes('.')) throw new Error(`${who}: name must be a non-empty string without dots, got '${name}'`);
    for (const other of ['parameter', 'buffer', 'module'] as Kind[]) {
      if (other !== kind && this.mapOf(other).has(name)) throw new Error(`${who}: '${name}' is already registered as a ${other}`);
    }
    this.assign(kind, name, v);
    const own = Object.getOwnPropertyDescriptor(this, name);
    if (own?.get) return; // already an accessor of ours
    Object.defineProperty(this, name, {
      get: () => {
        // A compiled step that read this name replays with the tensor it found: it records again after
        // another one is assigned.
        if (hostReads.active) hostReads.active.depend(this, name, () => this.mapOf(kind).get(name));
        return this.mapOf(kind).get(name);
      },
      set: (x: unknown) => this.assign(kind, name, x),
      enumerable: true,
      configurable: true,
    });
  }

  private assign(kind: Kind, name: string, v: unknown): void {
    const who = `${this.constructor.name}.${name}`;
    if (kind === 'module') {
      if (!(v instanceof Module)) throw new Error(`${who}: expected a Module, got ${describe(v)}`);
      this._children.set(name, v);
      return;
    }
    if (!(v instanceof Tensor)) throw new Error(`${who}: expected a Tensor for ${kind} '${name}', got ${describe(v)}`);
    if (v.disposed) throw new RootgradError('DISPOSED', `${who}: tensor #${v.id} ${shapeStr(v.shape)} was disposed`);
    if (kind === 'parameter') {
      if (v.dtype !== 'f32') throw new Error(`${who}: parameters must be f32, got ${v.dtype} tensor ${shapeStr(v.shape)}`);
      v.requiresGrad = true;
      this._params.set(name, keep(v));
    } else this._buffers.set(name, keep(v));
  }

  /** Every (name, tensor) of a kind with dotted names, duplicates (tied tensors) included: own entries
   * first, then each child's, in registration order (PyTorch's order). */
  private *walk(kind: 'parameter' | 'buffer', prefix: string, seen: Set<AnyModule>): Generator<[string, Tensor]> {
    if (seen.has(this)) return;
    seen.add(this);
    for (const [n, t] of kind === 'parameter' ? this._params : this._buffers) yield [prefix + n, t];
    for (const [n, m] of this._children) yield* m.walk(kind, `${prefix}${n}.`, seen);
  }

  private named(kind: 'parameter' | 'buffer', prefix: string): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const listed = new Set<Tensor>();
    for (const [n, t] of this.walk(kind, prefix, new Set())) {
      if (listed.has(t)) continue; // a shared tensor is listed once, under its first name
      listed.add(t);
      out.push([n, t]);
    }
    return out;
  }

  /** Parameters with dotted names, each tensor once (a tied tensor under its first name), as PyTorch. */
  namedParameters(prefix = ''): [string, Tensor][] {
    return this.named('parameter', prefix);
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Number of scalar parameters, a shared tensor counted once. */
  numParameters(): number {
    return this.parameters().reduce((s, p) => s + p.size, 0);
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    return this.named('buffer', prefix);
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** The direct sub-modules with their names. */
  namedChildren(): [string, AnyModule][] {
    return [...this._children];
  }

  children(): AnyModule[] {
    return [...this._children.values()];
  }

  /** This module (named '') and every sub-module below it with dotted names, each module once. */
  namedModules(prefix = ''): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    const seen = new Set<AnyModule>();
    const visit = (m: AnyModule, name: string) => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [n, c] of m._children) visit(c, name ? `${name}.${n}` : n);
    };
    visit(this, prefix);
    return out;
  }

  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Calls fn on every sub-module and then on this one (PyTorch's order), with its dotted name: custom
   * initialisation, e.g. `model.apply((m, name) => { if (m instanceof Linear) ... })`. */
  apply(fn: (m: AnyModule, name: string) => void): this {
    const mods = this.namedModules();
    for (let i = mods.length - 1; i >= 0; i--) fn(mods[i][1], mods[i][0]);
    return this;
  }

  train(on = true): this {
    for (const m of this.modules()) m.training = on;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** Parameters and buffers by dotted name. A tied tensor appears under each of its names, as in PyTorch's
   * state_dict, so that a checkpoint of either framework loads in the other. */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    const seen = new Set<AnyModule>();
    const visit = (m: AnyModule, prefix: string) => {
      if (seen.has(m)) return;
      seen.add(m);
      for (const [n, t] of m._params) out[prefix + n] = t;
      for (const [n, t] of m._buffers) out[prefix + n] = t;
      for (const [n, c] of m._children) visit(c, `${prefix}${n}.`);
    };
    visit(this, '');
    return out;
  }

  /**
   * Copies values into the existing parameters and buffers (in place). Strict (the default): every name
   * must match; otherwise the names that do are loaded and the rest reported. A shape mismatch is an error
   * either way, and nothing is written unless every check passes.
   */
  loadStateDict(state: Record<string, StateValue>, opts: { strict?: boolean } = {}): { missing: string[]; unexpected: string[] } {
    checkOptions('loadStateDict', opts, ['strict']);
    const strict = opts.strict ?? true;
    const own = this.stateDict();
    const unexpected = Object.keys(state).filter((n) => !(n in own));
    const missing = Object.keys(own).filter((n) => !(n in state));
    if (strict && unexpected.length) throw new Error(`loadStateDict: unexpected parameter '${unexpected[0]}' (the model has ${Object.keys(own).join(', ')})`);
    if (strict && missing.length) throw new Error(`loadStateDict: missing parameter '${missing[0]}'`);
    const load = Object.keys(own).filter((n) => n in state);
    const buffers = new Set(this.buffers());
    // Every entry is checked (names, shapes, lengths, dtypes, values) before anything is written.
    const writes = load.map((name) => {
      const p = own[name];
      const what = `${buffers.has(p) ? 'buffer' : 'parameter'} '${name}'`;
      const v = state[name];
      if (v && typeof v === 'object' && v.shape && (v.shape.length !== p.shape.length || v.shape.some((d, i) => d !== p.shape[i]))) {
        throw new Error(`loadStateDict: ${what} has shape ${shapeStr(v.shape)} in the state, ${shapeStr(p.shape)} in the model`);
      }
      if (v instanceof Tensor && v.dtype !== p.dtype) throw new Error(`loadStateDict: ${what} is ${v.dtype} in the state, ${p.dtype} in the model`);
      return prepareWrite(p, v, 'loadStateDict', what);
    });
    for (const write of writes) write();
    return { missing, unexpected };
  }

  /** Frees every parameter, its gradient, and every buffer (a shared tensor once). */
  dispose(): void {
    for (const p of this.parameters()) {
      p.zeroGrad();
      p.dispose();
    }
    for (const b of this.buffers()) b.dispose();
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Tensor) return `tensor ${shapeStr(v.shape)}`;
  return typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
}

/** A list of sub-modules, registered as '0', '1', …: `for (const block of this.blocks)`. */
export class ModuleList<M extends AnyModule = AnyModule> extends Module<[], never> {
  private items: M[] = [];
  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  forward(): never {
    throw new Error('ModuleList has no forward: call its modules (iterate over it or use get(i))');
  }
  get length(): number {
    return this.items.length;
  }
  /** The i-th module; negative i counts from the end. */
  get(i: number): M {
    const j = i < 0 ? this.items.length + i : i;
    if (!Number.isInteger(i) || j < 0 || j >= this.items.length) throw new Error(`ModuleList.get: index ${i} is out of range for ${this.items.length} modules`);
    return this.items[j];
  }
  append(m: M): this {
    this.module(String(this.items.length), m);
    this.items.push(m);
    return this;
  }
  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
}

/** Sub-modules by name (names without dots). */
export class ModuleDict<M extends AnyModule = AnyModule> extends Module<[], never> {
  private items = new Map<string, M>();
  constructor(modules: Record<string, M> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.set(k, m);
  }
  forward(): never {
    throw new Error('ModuleDict has no forward: call its modules by name');
  }
  get size(): number {
    return this.items.size;
  }
  has(key: string): boolean {
    return this.items.has(key);
  }
  get(key: string): M {
    const m = this.items.get(key);
    if (!m) throw new Error(`ModuleDict.get: no module '${key}' (it has ${[...this.items.keys()].join(', ') || 'none'})`);
    return m;
  }
  set(key: string, m: M): this {
    this.module(key, m);
    this.items.set(key, m);
    return this;
  }
  keys(): IterableIterator<string> {
    return this.items.keys();
  }
  values(): IterableIterator<M> {
    return this.items.values();
  }
  entries(): IterableIterator<[string, M]> {
    return this.items.entries();
  }
  [Symbol.iterator](): Iterator<[string, M]> {
    return this.items.entries();
  }
}

/** Overwrites a tensor's values in place (from another tensor or host numbers): same shape and dtype, or a
 * clear error. Bumps the tensor's version, so that a backward that saved it refuses to use the new values.
 * i32 and bool tensors keep their host copy equal to the GPU data (the new host values, the source's host
 * copy, or none when the source's values are known only on the GPU). */
export function writeInto(t: Tensor, v: StateValue, who = 'writeInto'): void {
  prepareWrite(t, v, who, '')();
}

/**
 * Checks a write of `v` into `t` (shape, length, dtype, values) and returns it, to be run once every write
 * of a batch is checked (loadStateDict writes nothing unless all pass). `what` names the entry in errors.
 * One path per dtype: f32 words for f32; 32-bit integers for i32 and 0/1 words for bool, with the host copy
 * set to the same values.
 */
function prepareWrite(t: Tensor, v: StateValue, who: string, what: string): () => void {
  const subject = what ? `${who}: ${what}` : `${who}: source`;
  const dst = t.storage(who);
  if (v instanceof Tensor) {
    if (v.shape.length !== t.shape.length || v.shape.some((d, i) => d !== t.shape[i])) throw new Error(`${subject} has shape ${shapeStr(v.shape)}, the target ${shapeStr(t.shape)}`);
    if (v.dtype !== t.dtype) throw new Error(`${subject} is ${v.dtype}, the target ${t.dtype} ${shapeStr(t.shape)}`);
    const src = v.storage(what ? `${who} (${what})` : who);
    return () => {
      const host = t.dtype === 'f32' ? null : v.host ? v.host.slice() : null;
      // The same bytes (a tensor written from itself or a view of it): nothing to copy.
      if (src.buffer !== dst.buffer || src.offset !== dst.offset) rt().copy(src.view(t.size * 4), dst.view(t.size * 4), t.size * 4);
      dst.bump(who);
      dst.host = host;
    };
  }
  if (!v || typeof v !== 'object' || !v.data || typeof v.data.length !== 'number') throw new Error(`${subject} must be a Tensor or { shape, data }, got ${describe(v)}`);
  const hostShape = v.shape ? [...v.shape] : null;
  if (hostShape && (hostShape.length !== t.shape.length || hostShape.some((d, i) => d !== t.shape[i]))) throw new Error(`${what ? `${subject} has` : `${who}: values have`} shape ${shapeStr(hostShape)}, the target ${shapeStr(t.shape)}`);
  const n = sizeOf(t.shape);
  if (v.data.length !== n) throw new Error(`${what ? `${subject} has ` : `${who}: `}${v.data.length} values for a target of shape ${shapeStr(t.shape)} (${n} elements)`);
  const data = hostValues(v.data, t.dtype, what ? `${who}: ${what}:` : `${who}:`);
  return () => {
    if (n) rt().upload(dst.view(t.size * 4), data);
    dst.bump(who);
    if (t.dtype !== 'f32') dst.host = data as Int32Array;
  };
}

/** Host numbers as the words of a dtype: f32 as is; i32 integers in range; bool 0 or 1 (as tensor() takes them). */
function hostValues(values: ArrayLike<number>, dtype: Tensor['dtype'], who: string): Float32Array | Int32Array {
  if (dtype === 'f32') return values instanceof Float32Array ? values : Float32Array.from(values); // uploaded at once: no copy kept
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = Number(values[i]);
    if (dtype === 'bool' && x !== 0 && x !== 1) throw new Error(`${who} bool values must be 0 or 1, got ${values[i]} at position ${i}`);
    if (dtype === 'i32' && (!Number.isInteger(x) || x < -2147483648 || x > 2147483647)) throw new Error(`${who} i32 values must be integers in [-2^31, 2^31), got ${values[i]} at position ${i}`);
    out[i] = x;
  }
  return out;
}
