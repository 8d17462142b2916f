// Tensors, the autograd tape, and memory scopes.
// A tensor owns a reference to a Storage (a pooled GPUBuffer); views such as reshape share it.
// Ops record a Node on their output when gradients are needed; backward() walks the nodes in
// reverse topological order (no recursion) and enqueues each op's backward kernels.
import { rt, type BufferView } from './runtime.js';
import { Shape, shapeStr, sizeOf } from './shape.js';
import type { F64 } from './ops/def.js';

export type DType = 'f32' | 'i32';

export class Storage {
  refs = 1;
  /** The arena this storage is a slice of: it holds the buffer and counts its bytes. */
  private owner: Storage | null = null;
  constructor(
    readonly buffer: GPUBuffer,
    readonly bytes: number,
    readonly generation: number,
    /** Where this storage starts in `buffer` (bytes, a multiple of 256): non-zero for a slice of an arena. */
    readonly offset = 0,
  ) {
    mem.liveBytes += bytes;
    if (mem.liveBytes > mem.peakBytes) mem.peakBytes = mem.liveBytes;
  }
  /** A slice of this storage (an arena) that keeps it alive; its bytes are the arena's, not counted again. */
  slice(offset: number, bytes: number): Storage {
    if (offset % 256) throw new Error(`Storage.slice: offset ${offset} is not a multiple of 256 bytes`);
    if (offset + bytes > this.bytes) throw new Error(`Storage.slice: [${offset}, ${offset + bytes}) is outside ${this.bytes} bytes`);
    mem.liveBytes -= bytes; // the constructor counts them again; the arena already does
    const s = new Storage(this.buffer, bytes, this.generation, this.offset + offset);
    s.owner = this.retain();
    return s;
  }
  /** The binding of this storage's first `bytes` bytes. */
  view(bytes: number): BufferView {
    return { buffer: this.buffer, bytes, offset: this.offset };
  }
  retain(): this {
    this.refs++;
    return this;
  }
  release(): void {
    if (--this.refs > 0) return;
    if (this.owner) {
      this.owner.release();
      this.owner = null;
      return;
    }
    mem.liveBytes -= this.bytes;
    const r = rt();
    if (r.generation === this.generation) r.release(this.buffer);
  }
}

/** Live tensor count and bytes; peakBytes is the high-water mark (reset it to measure a region). */
/** Set by src/backend.ts while a function runs on the float64 reference backend. */
export const referenceMode = { active: false };

export const mem = { liveTensors: 0, liveBytes: 0, peakBytes: 0 };

/** A recorded op: how to turn the output's gradient into its inputs' gradients. */
export interface Node {
  op: string;
  inputs: Tensor[];
  saved: Tensor[];
  backward: (g: Tensor, saved: Tensor[]) => (Tensor | null)[];
  released: boolean;
}

interface Scope {
  tensors: Set<Tensor>;
  nodes: Node[];
}

const scopes: Scope[] = [];
let gradEnabled = true;
let nextId = 1;

export class Tensor {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  requiresGrad = false;
  grad: Tensor | null = null;
  /** The op that made this tensor, while its graph is alive. */
  node: Node | null = null;
  /** For i32 tensors made from host data: a host copy, so that labels and indices can be validated without a readback. */
  host: Int32Array | null = null;
  /** The float64 host value of a tensor made under the reference backend (see src/backend.ts); null on the GPU. */
  readonly ref: F64 | null;
  private _storage: Storage | null;
  private _disposed = false;
  private internal: boolean;

  /** @internal Use tensor(), zeros(), … or an op. */
  constructor(storage: Storage | F64, shape: Shape, dtype: DType, internal = false) {
    const isRef = !(storage instanceof Storage);
    this._storage = isRef ? null : storage;
    this.ref = isRef ? storage : null;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = sizeOf(shape);
    this.internal = internal || isRef; // reference tensors hold no GPU memory and are not tracked
    if (!this.internal) {
      mem.liveTensors++;
      scopes[scopes.length - 1]?.tensors.add(this);
    }
  }

  get ndim(): number {
    return this.shape.length;
  }

  get disposed(): boolean {
    return this._disposed;
  }

  /** @internal The storage, or a clear error if this tensor was disposed (or lives on the reference backend). */
  storage(op = 'use'): Storage {
    if (this._disposed) throw new Error(`${op}: tensor #${this.id} ${shapeStr(this.shape)} was disposed`);
    if (!this._storage) throw new Error(`${op}: tensor #${this.id} ${shapeStr(this.shape)} is a reference-backend value with no GPU storage`);
    return this._storage;
  }

  /** @internal Moves this tensor's values into `s` (a slice of an optimiser's arena) and releases the old
   * storage. The tensor keeps its identity, so modules and optimisers holding it see the move. */
  moveTo(s: Storage): void {
    const old = this.storage('moveTo');
    if (s.bytes !== this.size * 4) throw new Error(`moveTo: ${s.bytes} bytes for a tensor of ${this.size * 4}`);
    rt().copy(old.view(s.bytes), s.view(s.bytes), s.bytes);
    this._storage = s;
    old.release();
  }

  /** Reads the values back from the GPU: Float32Array for f32, Int32Array for i32. */
  async data(): Promise<Float32Array | Int32Array> {
    if (this.ref) return this.dtype === 'i32' ? Int32Array.from(this.ref.data) : Float32Array.from(this.ref.data);
    const s = this.storage('data').retain();
    try {
      const buf = await rt().read(s.view(this.size * 4));
      await hooks.afterRead?.();
      return this.dtype === 'i32' ? new Int32Array(buf) : new Float32Array(buf);
    } finally {
      s.release();
    }
  }

  /** The value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item: tensor has shape ${shapeStr(this.shape)}, not a single element`);
    return (await this.data())[0];
  }

  /** Frees the GPU memory now (the tensor can no longer be used). Idempotent. */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    if (!this._storage) return;
    this._storage.release();
    this._storage = null;
    if (!this.internal) {
      mem.liveTensors--;
      for (const s of scopes) s.tensors.delete(this);
    }
  }

  /** A tensor sharing this one's data, outside the graph. */
  detach(): Tensor {
    if (this.ref) return new Tensor(this.ref, this.shape, this.dtype);
    return new Tensor(this.storage('detach').retain(), this.shape, this.dtype);
  }

  /** Accumulates d(this)/d(leaves) into every leaf's .grad. `grad` defaults to 1 for a one-element tensor. */
  backward(grad?: Tensor, opts: { retainGraph?: boolean } = {}): void {
    backward(this, grad, opts.retainGraph ?? false);
  }

  /** Drops the accumulated gradient. */
  zeroGrad(): void {
    this.grad?.dispose();
    this.grad = null;
  }

  toString(): string {
    return `Tensor(#${this.id}, ${shapeStr(this.shape)}, ${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}

/** Allocates an uninitialised tensor (the kernel that produces it writes every element). */
export function empty(shape: Shape, dtype: DType = 'f32'): Tensor {
  if (referenceMode.active) {
    throw new Error('a kernel was dispatched outside the op table under the reference backend: that computation has no float64 reference (Dropout in training mode? call .eval())');
  }
  const r = rt();
  const bytes = Math.max(4, sizeOf(shape) * 4);
  return new Tensor(new Storage(r.acquire(bytes), bytes, r.generation), shape, dtype);
}

/** An internal alias that keeps a tensor's storage alive for backward, whatever the user disposes. */
export function saveForBackward(t: Tensor): Tensor {
  const alias = new Tensor(t.storage('save').retain(), t.shape, t.dtype, true);
  alias.host = t.host;
  return alias;
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn without recording a graph. */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Records an op's node on its output (only when some input requires a gradient). */
export function record(out: Tensor, node: Omit<Node, 'released'>): void {
  out.requiresGrad = true;
  const n: Node = { ...node, released: false };
  out.node = n;
  scopes[scopes.length - 1]?.nodes.push(n);
}

function releaseNode(n: Node): void {
  if (n.released) return;
  n.released = true;
  for (const s of n.saved) s.dispose();
  n.saved = [];
}

function collectTensors(x: unknown, out: Set<Tensor>, seen = new Set<unknown>()): void {
  if (x instanceof Tensor) out.add(x);
  else if (x && typeof x === 'object' && !seen.has(x)) {
    seen.add(x);
    for (const v of Array.isArray(x) ? x : x instanceof Map ? x.values() : Object.values(x)) collectTensors(v, out, seen);
  }
}

/**
 * Runs fn and disposes every tensor it made except those it returns (in any array/object).
 * Graph nodes made inside and not reachable from the returned tensors release what they saved.
 */
export function tidy<T>(fn: () => T): T {
  const scope: Scope = { tensors: new Set(), nodes: [] };
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) throw new Error('tidy: fn must be synchronous (await outside tidy)');
  } catch (e) {
    scopes.pop();
    for (const t of scope.tensors) t.dispose();
    for (const n of scope.nodes) releaseNode(n);
    throw e;
  }
  scopes.pop();
  const kept = new Set<Tensor>();
  collectTensors(result, kept);
  const parent = scopes[scopes.length - 1];
  for (const t of scope.tensors) {
    if (kept.has(t)) parent?.tensors.add(t);
    else t.dispose();
  }
  const reachable = new Set<Node>();
  const stack = [...kept];
  while (stack.length) {
    const n = stack.pop()!.node;
    if (!n || reachable.has(n)) continue;
    reachable.add(n);
    stack.push(...n.inputs);
  }
  for (const n of scope.nodes) {
    if (reachable.has(n)) parent?.nodes.push(n);
    else releaseNode(n);
  }
  return result;
}

/** Takes a tensor out of every tidy scope, so that it outlives them (e.g. optimiser state). */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.tensors.delete(t);
  return t;
}

// Set by ops/index.ts: backward needs add/ones without importing the op table (import cycle).
export const hooks = {
  add: null as unknown as (a: Tensor, b: Tensor) => Tensor,
  onesLike: null as unknown as (t: Tensor) => Tensor,
  /** After every readback (anomaly mode reports there). */
  afterRead: null as null | (() => Promise<void>),
};

// Seeds of ones made by backward() itself: a rule may skip multiplying by them (the fused losses do).
const unitSeeds = new WeakSet<Tensor>();

/** True for the gradient of ones that backward() starts from when none is given. */
export function isUnitSeed(g: Tensor): boolean {
  return unitSeeds.has(g);
}

function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Node>();
  const stack: [Tensor, boolean][] = [[root, false]];
  while (stack.length) {
    const [t, done] = stack.pop()!;
    if (done) {
      order.push(t);
      continue;
    }
    const n = t.node;
    if (!n || visited.has(n)) continue;
    visited.add(n);
    stack.push([t, true]);
    for (const inp of n.inputs) if (inp.node && !visited.has(inp.node)) stack.push([inp, false]);
  }
  return order; // inputs before outputs
}

function backward(root: Tensor, grad: Tensor | undefined, retainGraph: boolean): void {
  root.storage('backward');
  if (!root.requiresGrad) throw new Error(`backward: ${root} does not require a gradient (no input had requiresGrad, or it was made under noGrad)`);
  if (!grad && root.size !== 1) throw new Error(`backward: a gradient must be given for a non-scalar output of shape ${shapeStr(root.shape)}`);
  if (grad && (grad.shape.length !== root.shape.length || grad.shape.some((d, i) => d !== root.shape[i]))) {
    throw new Error(`backward: gradient shape ${shapeStr(grad.shape)} does not match output shape ${shapeStr(root.shape)}`);
  }
  const grads = new Map<Tensor, Tensor>();
  const accumulateLeaf = (leaf: Tensor, g: Tensor) => {
    keep(g);
    if (leaf.grad) {
      const sum = keep(noGrad(() => hooks.add(leaf.grad!, g)));
      leaf.grad.dispose();
      g.dispose();
      leaf.grad = sum;
    } else leaf.grad = g;
  };
  const g0 = grad ? noGrad(() => grad.detach()) : noGrad(() => hooks.onesLike(root));
  if (!grad) unitSeeds.add(g0);
  if (!root.node) {
    accumulateLeaf(root, g0);
    return;
  }
  grads.set(root, g0);
  const order = topoOrder(root);
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    const node = t.node!;
    const g = grads.get(t);
    grads.delete(t);
    if (!g) continue;
    if (node.released) {
      g.dispose();
      for (const x of grads.values()) x.dispose();
      throw new Error(`backward: the graph through '${node.op}' was already used by a backward pass; pass { retainGraph: true } to the first backward() to go through it twice`);
    }
    // A rule may hand g itself (or one tensor twice) to several inputs: give each input its own alias.
    const seen = new Set<Tensor>([g]);
    const inGrads = tidy(() => noGrad(() => node.backward(g, node.saved))).map((x) => {
      if (!x) return x;
      if (seen.has(x)) return x.detach();
      seen.add(x);
      return x;
    });
    g.dispose();
    node.inputs.forEach((inp, j) => {
      const gi = inGrads[j];
      if (!gi) return;
      if (!inp.requiresGrad) return void gi.dispose();
      if (gi.shape.length !== inp.shape.length || gi.shape.some((d, k) => d !== inp.shape[k])) {
        throw new Error(`backward of '${node.op}': gradient ${shapeStr(gi.shape)} for input ${j} of shape ${shapeStr(inp.shape)} (a bug in its backward rule)`);
      }
      if (!inp.node) return accumulateLeaf(inp, gi);
      const prev = grads.get(inp);
      if (prev) {
        grads.set(inp, noGrad(() => hooks.add(prev, gi)));
        prev.dispose();
        gi.dispose();
      } else grads.set(inp, gi);
    });
    if (!retainGraph) releaseNode(node);
  }
}
