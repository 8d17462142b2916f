// Tensors, the autograd tape, and memory scopes.
// A tensor owns a reference to a Storage (a pooled GPUBuffer); views such as reshape share it.
// Ops record a Node on their output when gradients are needed; backward() walks the nodes in
// reverse topological order (no recursion) and enqueues each op's backward kernels.
import { rt, type BufferView } from './runtime.js';
import { checkGeneration, hasDevice } from './gpu.js';
import { RootgradError } from './errors.js';
import { Shape, shapeStr, sizeOf } from './shape.js';
import type { F64 } from './ops/def.js';
import { hostReads } from './host-reads.js';
import { checkOptions } from './options.js';

/** f32 and i32 values; bool as 32-bit 0/1 words (comparisons and masks). */
export type DType = 'f32' | 'i32' | 'bool';

export class Storage {
  refs = 1;
  /** Bumped by every in-place write (optimiser steps, writeInto): a backward that saved this storage
   * checks it still has the version it saved. */
  version = 0;
  /** What made the last in-place write, for the error message. */
  lastWriter = '';
  /** Bumped each time relocate() moves the values to another buffer (not a write: the values are the same). */
  moves = 0;
  /** The host copy of i32/bool values made from host data (labels, indices), so that they can be checked
   * without a readback. It belongs to the storage, so that every view of it sees the same copy; a write
   * either keeps it equal to the GPU data or drops it (null: not known on the host). */
  host: Int32Array | null = null;
  /** What writes the storage's first values, deferred until a tensor on it is used: backward()'s seed of
   * ones, which a fused loss's backward never reads (it is then never dispatched). Run once, by storage(). */
  init: (() => void) | null = null;
  /** The arena this storage is a slice of: it holds the buffer and counts its bytes. */
  private owner: Storage | null = null;
  constructor(
    /** The buffer and the offset change only when relocate() moves the storage into an optimiser's arena. */
    public buffer: GPUBuffer,
    readonly bytes: number,
    readonly generation: number,
    /** Where this storage starts in `buffer` (bytes, a multiple of 256): non-zero for a slice of an arena. */
    public offset = 0,
  ) {
    mem.liveBytes += bytes;
    if (mem.liveBytes > mem.peakBytes) mem.peakBytes = mem.liveBytes;
  }
  /** A slice of this storage (an arena) that keeps it alive; its bytes are the arena's, not counted again. */
  slice(offset: number, bytes: number): Storage {
    this.checkSlice('Storage.slice', offset, bytes);
    mem.liveBytes -= bytes; // the constructor counts them again; the arena already does
    const s = new Storage(this.buffer, bytes, this.generation, this.offset + offset);
    s.owner = this.retain();
    return s;
  }
  private checkSlice(who: string, offset: number, bytes: number): void {
    if (offset % 256) throw new Error(`${who}: offset ${offset} is not a multiple of 256 bytes`);
    if (offset + bytes > this.bytes) throw new Error(`${who}: [${offset}, ${offset + bytes}) is outside ${this.bytes} bytes`);
  }
  /**
   * Moves the values into `arena` at `offset` (an optimiser packing its parameters) and gives back the old
   * buffer. The storage itself stays: every tensor on it (the parameter, and reshapes, flattens, detaches and
   * saved copies of it made earlier) reads and writes the new place, as PyTorch's views share storage. The
   * version is not bumped (the values are the same); `moves` is.
   */
  relocate(arena: Storage, offset: number): void {
    arena.checkSlice('Storage.relocate', offset, this.bytes);
    if (arena.owner) throw new Error('Storage.relocate: the arena must be a whole buffer, not a slice');
    const dst = arena.offset + offset;
    if (arena.buffer === this.buffer && dst === this.offset) return;
    rt().copy(this.view(this.bytes), { buffer: arena.buffer, bytes: this.bytes, offset: dst }, this.bytes);
    const [oldBuffer, oldOwner] = [this.buffer, this.owner];
    this.buffer = arena.buffer;
    this.offset = dst;
    this.owner = arena.retain();
    this.lastView = null;
    this.moves++;
    mem.liveBytes -= oldOwner ? 0 : this.bytes; // the arena counts them from now on
    if (oldOwner) oldOwner.release();
    else giveBack(oldBuffer, this.generation);
  }
  /** The binding of this storage's first `bytes` bytes. */
  view(bytes: number): BufferView {
    // The same object while the size and place are the same: a dispatch binds a few views, none is ever modified.
    if (this.lastView?.bytes !== bytes) this.lastView = Object.freeze({ buffer: this.buffer, bytes, offset: this.offset });
    return this.lastView;
  }
  private lastView: BufferView | null = null;
  retain(): this {
    this.refs++;
    return this;
  }
  /** Marks an in-place write by `who` (saved copies of this storage become stale). A write whose values the
   * host does not know drops the host copy; a write from host values sets it again after this. */
  bump(who: string): void {
    this.version++;
    this.lastWriter = who;
    this.host = null;
    // A compiled step's replay writes in place where this recording did: it bumps the same versions.
    if (hostReads.active) rt().onReplay(() => this.bump(who));
  }
  release(): void {
    if (--this.refs > 0) return;
    if (this.owner) {
      this.owner.release();
      this.owner = null;
      return;
    }
    mem.liveBytes -= this.bytes;
    giveBack(this.buffer, this.generation);
  }
}

/** Returns a buffer to the pool of the runtime that made it. */
function giveBack(buffer: GPUBuffer, generation: number): void {
  // After shutdown() or a device loss (a finalizer may run then) there is no pool to return the buffer to.
  if (!hasDevice()) return;
  const r = rt();
  if (r.generation === generation) r.release(buffer);
}

/** Set by src/backend.ts while a function runs on the float64 reference backend. */
export const referenceMode = { active: false };

/** Live tensor count and bytes; peakBytes is the high-water mark (reset it to measure a region);
 * finalized* count what the garbage collector freed because nothing disposed it (a missing dispose or tidy). */
export const mem = { liveTensors: 0, liveBytes: 0, peakBytes: 0, finalizedTensors: 0, finalizedBytes: 0 };

/**
 * A recorded op: how to turn the output's gradient into its inputs' gradients.
 * Ownership: a node is kept by its output tensor while that is alive and by every live node that took the
 * output as an input (`refs` counts both). When the count reaches 0 the node frees what it saved and lets
 * go of its parents: disposing (or dropping) the last tensor that can reach a graph frees that graph.
 */
export interface Node {
  op: string;
  inputs: Tensor[];
  saved: Tensor[];
  backward: (g: Tensor, saved: Tensor[]) => (Tensor | null)[];
  /** Its saved tensors were freed (by a backward pass without retainGraph, or because nothing reaches it). */
  released: boolean;
  refs: number;
  /** The nodes of the inputs, each counted once per input slot in their refs. */
  parents: Node[];
  /** Once released (by a backward pass): the nodes of its non-leaf inputs, in order. A released node keeps
   * only these and its leaf inputs, never a tensor made by an op: a node that held such a tensor kept it,
   * and the graph behind it, alive until its own output tensor was collected, so a dropped graph N ops deep
   * was freed one level per garbage collection, N collections later. */
  inputNodes: readonly Node[];
}

/** inputNodes of a node not released by backward (shared: recording an op allocates nothing for it). */
const noNodes: readonly Node[] = Object.freeze([]);

interface Scope {
  tensors: Set<Tensor>;
}

/** What a tensor owns, kept apart from the tensor so that the finalizer can free it after the tensor is gone. */
interface Owned {
  storage: Storage | null;
  /** The node this tensor still counts in (cleared once it stopped counting). */
  node: Node | null;
  /** Counted in mem.liveTensors. */
  tracked: boolean;
}

function freeOwned(o: Owned): void {
  if (o.storage) {
    o.storage.release();
    o.storage = null;
  }
  if (o.tracked) {
    mem.liveTensors--;
    o.tracked = false;
  }
  const n = o.node;
  o.node = null;
  if (n) unrefNode(n);
}

/** The safety net: a tensor that becomes unreachable without dispose() frees its GPU memory and its graph
 * when the garbage collector gets to it. tidy() and dispose() free deterministically; this frees eventually. */
const finalizer = new FinalizationRegistry<Owned>((o) => {
  const [tensors, bytes] = [mem.liveTensors, mem.liveBytes];
  freeOwned(o);
  mem.finalizedTensors += tensors - mem.liveTensors;
  mem.finalizedBytes += bytes - mem.liveBytes;
});

const noBackward = (): never => {
  throw new Error('backward: this graph was freed (every tensor that could reach it was disposed)');
};

function unrefNode(first: Node): void {
  const stack = [first];
  while (stack.length) {
    const n = stack.pop()!;
    if (--n.refs > 0) continue;
    releaseNode(n);
    stack.push(...n.parents);
    n.parents = [];
    n.inputs = [];
    n.inputNodes = noNodes;
    n.backward = noBackward; // the rule's closure holds the inputs
  }
}

const scopes: Scope[] = [];
let gradEnabled = true;
let nextId = 1;

/** The id the next tensor will get (ids only grow): a compiled step's recording tells the tensors made
 * before it from its own by id. */
export function nextTensorId(): number {
  return nextId;
}

export class Tensor {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  private _requiresGrad = false;
  grad: Tensor | null = null;
  /** The op that made this tensor (kept after dispose, so that a graph through a disposed tensor still walks). */
  node: Node | null = null;
  /** The float64 host value of a tensor made under the reference backend (see src/backend.ts); null on the GPU. */
  readonly ref: F64 | null;
  /** The version of the storage when this tensor was saved for backward (saved aliases only). */
  savedVersion = -1;
  private owned: Owned;
  private _disposed = false;
  private internal: boolean;

  /** @internal Use tensor(), zeros(), … or an op. */
  constructor(storage: Storage | F64, shape: Shape, dtype: DType, internal = false) {
    const isRef = !(storage instanceof Storage);
    this.ref = isRef ? storage : null;
    this.shape = Object.isFrozen(shape) ? (shape as readonly number[]) : Object.freeze([...shape]); // an input's shape is shared as is
    this.dtype = dtype;
    this.size = sizeOf(shape);
    this.internal = internal || isRef; // reference tensors hold no GPU memory and are not tracked
    this.owned = { storage: isRef ? null : storage, node: null, tracked: !this.internal };
    this.hostOf = isRef ? null : storage;
    if (!isRef) finalizer.register(this, this.owned);
    if (!this.internal) {
      mem.liveTensors++;
      scopes[scopes.length - 1]?.tensors.add(this);
    }
  }

  /** Whether gradients flow to this tensor. Only f32 tensors can require them. */
  get requiresGrad(): boolean {
    if (hostReads.active) hostReads.active.tensor(this);
    return this._requiresGrad;
  }
  set requiresGrad(on: boolean) {
    if (on && this.dtype !== 'f32') throw new Error(`requiresGrad: only f32 tensors can require gradients, got ${this.dtype} tensor #${this.id} ${shapeStr(this.shape)}`);
    this._requiresGrad = !!on;
  }

  get ndim(): number {
    return this.shape.length;
  }

  get disposed(): boolean {
    return this._disposed;
  }

  /** @internal The storage, or a clear error if this tensor was disposed (or lives on the reference backend). */
  storage(op = 'use'): Storage {
    if (hostReads.active) hostReads.active.tensor(this);
    if (this._disposed) throw new RootgradError('DISPOSED', `${op}: tensor #${this.id} ${shapeStr(this.shape)} was disposed`);
    const s = this.owned.storage;
    if (!s) throw new Error(`${op}: tensor #${this.id} ${shapeStr(this.shape)} is a reference-backend value with no GPU storage`);
    if (s.init) {
      const write = s.init;
      s.init = null;
      write();
    }
    return s;
  }

  /** For i32 and bool tensors made from host data: the host copy of the values (its storage's, shared by
   * every view), so that labels and indices can be validated without a readback; null when not known. */
  get host(): Int32Array | null {
    const h = this.hostOf?.host ?? null;
    return h && this.dtype !== 'f32' && h.length === this.size ? h : null;
  }
  set host(h: Int32Array | null) {
    if (this.hostOf) this.hostOf.host = h;
  }
  /** The storage whose host copy this tensor reads: kept after dispose, as a compiled step's guards read the
   * host values of its (disposed) recording inputs at each replay. */
  private readonly hostOf: Storage | null;

  /** @internal This tensor is the output of node n and keeps it alive until disposed or collected. */
  countIn(n: Node): void {
    this.owned.node = n;
  }

  /** Reads the values back from the GPU: Float32Array for f32, Int32Array for i32 and bool (0/1). */
  async data(): Promise<Float32Array | Int32Array> {
    if (this.ref) return this.dtype === 'f32' ? Float32Array.from(this.ref.data) : Int32Array.from(this.ref.data);
    const s = this.storage('data').retain();
    try {
      checkGeneration(s.generation, `data: tensor #${this.id} ${shapeStr(this.shape)}`);
      const buf = await rt().read(s.view(this.size * 4));
      await hooks.afterRead?.();
      return this.dtype === 'f32' ? new Float32Array(buf) : new Int32Array(buf);
    } finally {
      s.release();
    }
  }

  /** The value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item: tensor has shape ${shapeStr(this.shape)}, not a single element`);
    return (await this.data())[0];
  }

  /** Frees the GPU memory now (the tensor can no longer be used), and the graph behind it that no other
   * live tensor can reach. Idempotent. */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    if (this.ref) return;
    // The registration stays: its cell is empty from here on, so the finalizer finds nothing to free
    // (unregistering costs more than the late no-op).
    if (!this.internal) for (const s of scopes) s.tensors.delete(this);
    freeOwned(this.owned);
  }

  /** A tensor sharing this one's data, outside the graph. */
  detach(): Tensor {
    if (this.ref) return new Tensor(this.ref, this.shape, this.dtype);
    return new Tensor(this.storage('detach').retain(), this.shape, this.dtype);
  }

  /** Accumulates d(this)/d(leaves) into every leaf's .grad. `grad` defaults to 1 for a one-element tensor.
   * With createGraph the pass is recorded (the .grad tensors can be differentiated again); retainGraph
   * then defaults to true, as in PyTorch. */
  backward(grad?: Tensor, opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    checkOptions('backward', opts, ['retainGraph', 'createGraph']);
    const createGraph = opts.createGraph ?? false;
    backward(this, grad, opts.retainGraph ?? createGraph, createGraph);
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
  const s = t.storage('save');
  const alias = new Tensor(s.retain(), t.shape, t.dtype, true);
  alias.savedVersion = s.version;
  return alias;
}

/** Throws if a tensor a node saved was written in place after the forward pass (PyTorch's version check). */
function checkSavedVersions(n: Node): void {
  n.saved.forEach((s, i) => {
    const st = s.storage('backward');
    if (st.version === s.savedVersion) return;
    throw new Error(
      `backward of '${n.op}': a tensor it saved for backward (saved tensor ${i}, shape ${shapeStr(s.shape)}) was modified in place by ${st.lastWriter || 'an in-place write'} after the forward pass (it is at version ${st.version}, it was saved at version ${s.savedVersion}). Run backward() before changing it, or run the forward pass again.`,
    );
  });
}

function refuseAsync(who: string, fn: Function): void {
  if (fn.constructor?.name === 'AsyncFunction') {
    throw new Error(`${who}: fn is an async function; everything after its first await would run outside ${who}. Await outside ${who} and pass a synchronous function`);
  }
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** @internal Switches recording on or off and returns the previous state: noGrad without the checks, for
 * the engine's hot path (an op's forward calls other ops). Restore it in a finally. */
export function setGradEnabled(on: boolean): boolean {
  const prev = gradEnabled;
  gradEnabled = on;
  return prev;
}

/** Runs fn without recording a graph. */
export function noGrad<T>(fn: () => T): T {
  refuseAsync('noGrad', fn);
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    const out = fn();
    if (out instanceof Promise) throw new Error('noGrad: fn returned a Promise; code after an await would record a graph. Pass a synchronous function');
    return out;
  } finally {
    gradEnabled = prev;
  }
}

/** Records an op's node on its output (only when some input requires a gradient). */
export function record(out: Tensor, node: Pick<Node, 'op' | 'inputs' | 'saved' | 'backward'>): void {
  if (out.node) throw new Error(`${node.op}: its output already belongs to a graph (an op returned one of its inputs)`);
  out.requiresGrad = true;
  const parents: Node[] = [];
  for (const t of node.inputs) {
    if (!t.node || t.node.refs <= 0) continue;
    t.node.refs++;
    parents.push(t.node);
  }
  const n: Node = { ...node, released: false, refs: 1, parents, inputNodes: noNodes };
  out.node = n;
  out.countIn(n);
}

function releaseNode(n: Node): void {
  if (n.released) return;
  n.released = true;
  for (const s of n.saved) s.dispose();
  n.saved = [];
}

/** After a backward pass without retainGraph: the node keeps its leaf inputs and the nodes of the others
 * (a later backward still walks through it, and fails naming the op), not the tensors (see inputNodes). */
function releaseAfterBackward(n: Node): void {
  if (n.released) return;
  releaseNode(n);
  const nodes: Node[] = [];
  const leaves: Tensor[] = [];
  for (const t of n.inputs) {
    if (t.node) nodes.push(t.node);
    else leaves.push(t);
  }
  [n.inputNodes, n.inputs] = [nodes, leaves];
  n.backward = noBackward; // the rule's closure holds the inputs
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
  refuseAsync('tidy', fn);
  const scope: Scope = { tensors: new Set() };
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) throw new Error('tidy: fn returned a Promise; await outside tidy and pass a synchronous function');
  } catch (e) {
    scopes.pop();
    for (const t of scope.tensors) t.dispose();
    throw e;
  }
  scopes.pop();
  const kept = new Set<Tensor>();
  collectTensors(result, kept);
  const parent = scopes[scopes.length - 1];
  // Disposing the rest frees every graph node that no returned tensor can reach (the nodes count their users).
  for (const t of scope.tensors) {
    if (kept.has(t)) parent?.tensors.add(t);
    else t.dispose();
  }
  return result;
}

/** Takes a tensor out of every tidy scope, so that it outlives them (e.g. optimiser state). */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.tensors.delete(t);
  return t;
}

/** Adds Tensor methods (each op family installs its own: `declare module` beside them gives their types). */
export function tensorMethods(methods: Record<string, (this: Tensor, ...args: any[]) => unknown>): void {
  Object.assign(Tensor.prototype, methods);
}

// Set by the ops files (binary.ts, movement.ts), creation.ts and anomaly.ts: backward needs add/ones without
// importing the ops (an import cycle).
export const hooks = {
  add: null as unknown as (a: Tensor, b: Tensor) => Tensor,
  seedOnes: null as unknown as (t: Tensor) => Tensor,
  /** A new tensor of the same values that records an op (createGraph keeps gradients connected). */
  view: null as unknown as (t: Tensor) => Tensor,
  /** After every readback (anomaly mode reports there). */
  afterRead: null as null | (() => Promise<void>),
};

// Seeds of ones made by backward() itself: a rule may skip multiplying by them (the fused losses do).
const unitSeeds = new WeakSet<Tensor>();

/** True for the gradient of ones that backward() starts from when none is given. */
export function isUnitSeed(g: Tensor): boolean {
  return unitSeeds.has(g);
}

function topoOrder(roots: Tensor[]): Node[] {
  const order: Node[] = [];
  const visited = new Set<Node>();
  const stack: [Node, boolean][] = [];
  for (let i = roots.length - 1; i >= 0; i--) if (roots[i].node) stack.push([roots[i].node!, false]);
  while (stack.length) {
    const [n, done] = stack.pop()!;
    if (done) {
      order.push(n);
      continue;
    }
    if (visited.has(n)) continue;
    visited.add(n);
    stack.push([n, true]);
    for (const inp of n.inputs) if (inp.node && !visited.has(inp.node)) stack.push([inp.node, false]);
    for (const m of n.inputNodes) if (!visited.has(m)) stack.push([m, false]);
  }
  return order; // inputs before outputs
}

/** True while backward rules run with createGraph: they record their ops (apply.ts picks the rule that is
 * written in differentiable ops, src/ops/higher_order.ts). */
let graphMode = false;
export function creatingGraph(): boolean {
  return graphMode;
}

export interface EngineOptions {
  retainGraph: boolean;
  createGraph: boolean;
  /** grad(): the tensors whose gradients are returned; nothing is accumulated into any .grad. */
  capture?: readonly Tensor[];
}

/** The reverse pass from `roots` with seeds `seeds`: accumulates into leaves' .grad, or (capture) returns
 * the gradients of the captured tensors (null where none flows). */
function engine(who: string, roots: Tensor[], seeds: Tensor[], opts: EngineOptions): (Tensor | null)[] {
  const { retainGraph, createGraph, capture } = opts;
  // Gradients are keyed by node (one per op output) so that a stand-in for a disposed saved tensor, which
  // shares its node, adds into the same gradient; leaves are keyed by themselves.
  const captured = new Map<Tensor | Node, Tensor>();
  const wanted = new Set<Tensor | Node>((capture ?? []).map((t) => t.node ?? t));
  const prevMode = graphMode;
  const prevGrad = isGradEnabled();
  graphMode = createGraph;
  setGradEnabled(createGraph);
  const grads = new Map<Node, Tensor>();
  const addInto = <K,>(map: Map<K, Tensor>, k: K, g: Tensor) => {
    const prev = map.get(k);
    if (!prev) return void map.set(k, g);
    map.set(k, hooks.add(prev, g));
    prev.dispose();
    g.dispose();
  };
  const accumulateLeaf = (leaf: Tensor, g: Tensor) => {
    if (capture) {
      if (wanted.has(leaf)) addInto(captured, leaf, g);
      else g.dispose();
      return;
    }
    keep(g);
    if (leaf.grad) {
      const sum = keep(hooks.add(leaf.grad!, g));
      leaf.grad.dispose();
      g.dispose();
      leaf.grad = sum;
    } else leaf.grad = g;
  };
  const fail = (e: unknown): never => {
    for (const x of grads.values()) x.dispose();
    for (const x of captured.values()) x.dispose();
    throw e;
  };
  try {
    roots.forEach((root, i) => {
      if (!root.node) accumulateLeaf(root, seeds[i]);
      else addInto(grads, root.node, seeds[i]);
    });
    const order = topoOrder(roots);
    // grad(): only the nodes between the outputs and the captured tensors run (a rule upstream of every
    // captured tensor is not needed, and may not even have a rule that records a graph).
    const feedsNode = (n: Node) => wanted.has(n) || leadsOn.has(n);
    const feeds = (x: Tensor) => (x.node ? feedsNode(x.node) : wanted.has(x));
    const leadsTo = (n: Node) => n.inputs.some(feeds) || n.inputNodes.some(feedsNode);
    const leadsOn = new Set<Node>();
    if (capture) for (const n of order) if (wanted.has(n) || leadsTo(n)) leadsOn.add(n);
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i];
      const g = grads.get(node);
      grads.delete(node);
      if (!g) continue;
      if (wanted.has(node)) captured.set(node, createGraph ? hooks.view(g) : noGrad(() => g.detach())); // an interior tensor asked for by grad()
      if (capture && !leadsTo(node)) {
        g.dispose();
        continue;
      }
      if (node.released) {
        g.dispose();
        fail(new Error(`${who}: the graph through '${node.op}' was already used by a backward pass; pass { retainGraph: true } to the first backward() to go through it twice`));
      }
      try {
        checkSavedVersions(node);
      } catch (e) {
        g.dispose();
        fail(e);
      }
      // A rule may hand g itself (or one tensor twice) to several inputs: give each input its own alias.
      const seen = new Set<Tensor>([g]);
      let inGrads: (Tensor | null)[];
      try {
        inGrads = tidy(() => node.backward(g, node.saved)).map((x) => {
          if (!x) return x;
          if (seen.has(x)) return createGraph ? hooks.view(x) : x.detach();
          seen.add(x);
          return x;
        });
      } catch (e) {
        g.dispose();
        fail(e);
      }
      g.dispose();
      node.inputs.forEach((inp, j) => {
        const gi = inGrads![j];
        if (!gi) return;
        if (!inp.requiresGrad) return void gi.dispose();
        if (gi.shape.length !== inp.shape.length || gi.shape.some((d, k) => d !== inp.shape[k])) {
          fail(new Error(`backward of '${node.op}': gradient ${shapeStr(gi.shape)} for input ${j} of shape ${shapeStr(inp.shape)} (a bug in its backward rule)`));
        }
        if (!inp.node) return accumulateLeaf(inp, gi);
        addInto(grads, inp.node, gi);
      });
      if (!retainGraph) releaseAfterBackward(node);
    }
  } finally {
    graphMode = prevMode;
    setGradEnabled(prevGrad);
  }
  return (capture ?? []).map((t) => captured.get(t.node ?? t) ?? null);
}

/** @internal A stand-in for a saved tensor that was disposed: the saved storage, the original's node (so
 * gradients reach the same graph). Tracked, so the tidy scope of the rule that uses it frees it. */
export function standIn(node: Node, saved: Tensor): Tensor {
  const t = new Tensor(saved.storage('backward').retain(), saved.shape, saved.dtype);
  t.requiresGrad = true;
  t.node = node;
  return t;
}

function checkRoot(who: string, root: Tensor, grad: Tensor | undefined): void {
  root.storage(who);
  if (!root.requiresGrad) throw new Error(`${who}: ${root} does not require a gradient (no input had requiresGrad, or it was made under noGrad)`);
  if (!grad && root.size !== 1) throw new Error(`${who}: a gradient must be given for a non-scalar output of shape ${shapeStr(root.shape)}`);
  if (grad && (grad.shape.length !== root.shape.length || grad.shape.some((d, i) => d !== root.shape[i]))) {
    throw new Error(`${who}: gradient shape ${shapeStr(grad.shape)} does not match output shape ${shapeStr(root.shape)}`);
  }
}

/** The seed of a root: the given gradient (with its graph when createGraph: jvp differentiates through it),
 * else ones. */
function seedOf(root: Tensor, grad: Tensor | undefined, createGraph: boolean): Tensor {
  if (grad) return createGraph ? hooks.view(grad) : noGrad(() => grad.detach());
  const g0 = noGrad(() => hooks.seedOnes(root));
  unitSeeds.add(g0);
  return g0;
}

function backward(root: Tensor, grad: Tensor | undefined, retainGraph: boolean, createGraph = false): void {
  checkRoot('backward', root, grad);
  engine('backward', [root], [seedOf(root, grad, createGraph)], { retainGraph, createGraph });
}

export interface GradOptions {
  /** The gradients of the outputs (default: ones, for one-element outputs). */
  gradOutputs?: (Tensor | null)[] | Tensor;
  /** Record the backward pass, so that the gradients can be differentiated again (default false). */
  createGraph?: boolean;
  /** Keep the graph for another backward pass (default: createGraph). */
  retainGraph?: boolean;
  /** Return null for an input no gradient reaches, instead of throwing (default false). */
  allowUnused?: boolean;
}

/**
 * The gradients of `outputs` with respect to `inputs` (PyTorch's torch.autograd.grad): returned, never
 * accumulated into any .grad. With createGraph the backward pass is recorded, so the results can be
 * differentiated again (Hessian-vector products, gradient penalties); each primitive's rule for that is in
 * src/ops/higher_order.ts, and an op without one throws naming it.
 */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts: GradOptions = {}): Tensor[] {
  checkOptions('grad', opts, ['gradOutputs', 'createGraph', 'retainGraph', 'allowUnused']);
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const given = opts.gradOutputs === undefined ? [] : Array.isArray(opts.gradOutputs) ? opts.gradOutputs : [opts.gradOutputs];
  if (!outs.length) throw new Error('grad: no outputs');
  if (given.length && given.length !== outs.length) throw new Error(`grad: ${given.length} gradOutputs for ${outs.length} outputs`);
  ins.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new Error(`grad: input ${i} is not a Tensor`);
    if (!t.requiresGrad) throw new Error(`grad: input ${i} ${t} does not require a gradient`);
  });
  outs.forEach((o, i) => checkRoot('grad', o, given[i] ?? undefined));
  const seeds = outs.map((o, i) => seedOf(o, given[i] ?? undefined, createGraph));
  const result = engine('grad', outs, seeds, { retainGraph, createGraph, capture: ins });
  if (!opts.allowUnused) {
    const i = result.findIndex((g) => g === null);
    if (i >= 0) {
      result.forEach((g) => g?.dispose());
      throw new Error(`grad: input ${i} ${ins[i]} is not reached from the outputs (pass { allowUnused: true } to get null for it)`);
    }
  }
  return result as Tensor[];
}
