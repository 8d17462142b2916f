// Compiled steps: record what a function dispatches once, then replay the record with almost no host work.
//
// compile(fn) returns a function of the same tensors. Per input signature (shapes and dtypes, plus the
// optional `key`), the first calls run fn eagerly while the runtime reports every command to a Recording
// (src/runtime.ts, Recorder): dispatches with their pipelines, bindings and parameter words, copies,
// uploads, and the buffers taken from and given back to the pool. Two recordings that agree (the same
// kernels in the same order, the same words, the same buffers up to renaming) become a Plan: its
// intermediate buffers are pinned (taken out of the pool, owned by the plan), its bind groups made, its
// parameter words uploaded once. A replay copies the new inputs into the plan's input buffers, runs the
// host hooks and refreshes the words that follow host state (an optimiser's step count and learning rate,
// a generator's seed) in recorded order, and encodes every command into the runtime's batch, submitted
// with what follows (the loss's readback: one submit per step); the outputs are copied into fresh tensors
// that the caller owns. Same kernels, same buffers contents, same order:
// the same bits as eager. Labels and indices keep a host copy (the plan's own, rewritten at each replay),
// so the eager paths that read host labels are the ones replayed; what a plan assumes of them (label
// checks, a mean's count of valid labels) is a guard, and a call that breaks one runs eagerly.
// With `fuse`, runs of elementwise dispatches become generated kernels when the plan is made (src/fuse.ts).
//
// Why two recordings: the first call may make state lazily (an optimiser's moments), so its commands may
// differ from every later call's; a third is recorded when the first two differ, and if the second and
// third differ too, fn depends on host values that change per call (Math.random, a counter, data-dependent
// control flow) and is refused. Refused as well: a readback inside fn (its value would be frozen into the
// replay), tensors made by fn that outlive it without being returned (a parameter's .grad: call zeroGrad()
// inside fn), and tensors made before fn that it disposes (their buffers could be reused under the plan).
// Compiled = eager, or eager. A replay runs none of fn's host code, so whatever that code decided from
// state living across calls must be as it was: while fn records, the tensors made before it report their
// reads (storage, gradient flag, .grad) and modules, Dropout, SGD and the kernel variants report the host
// values they chose from (src/host-reads.ts). A plan checks them all before each replay (a few µs); after
// a change the call runs eagerly and is recorded again (stats.eagerFallbacks, stats.lastFallback), as it
// is when a buffer the plan binds from outside goes back to the pool. Values the update kernels read again
// at each replay (lr, betas, step counts: `refresh`) are no such state. Host numbers fn closes over are
// invisible here: they belong in `key`.
// In-place writes (Storage.bump) are replayed as host hooks, so versions advance as in eager.
import { rt, type BufferView, type Kernel, type Recorder } from './runtime.js';
import { hostReads, type HostReads } from './host-reads.js';
import { anomalyEnabled } from './anomaly.js';
import { isReferenceMode } from './backend.js';
import { empty, isGradEnabled, mem, nextTensorId, Tensor, tidy, type Storage } from './tensor.js';
import { shapeStr } from './shape.js';
import { hasDevice } from './gpu.js';
import { fuseCommands, type Elementwise } from './fuse.js';
import { checkOptions } from './options.js';

export interface CompileOptions {
  /** Signatures (input shapes and dtypes, with `key`) whose plans are kept; the least recently used goes
   * first. Default 8. */
  cacheSize?: number;
  /** Fuse runs of elementwise ops (unary, binary with same-shape or trailing broadcasting, their backward
   * kernels) into generated kernels (src/fuse.ts). Results match eager up to rounding. Default false. */
  fuse?: boolean;
  /** Host state that chooses what fn dispatches (a module's training flag, a schedule's phase): its value
   * is part of the signature, so a change records again instead of replaying the wrong plan. */
  key?: () => string | number | boolean;
}

/** What fn may return: a tensor, an array of tensors, an object of tensors, or nothing. */
export type CompiledResult = Tensor | Tensor[] | Record<string, Tensor> | void;

export interface CompileStats {
  /** Eager calls that were recorded. */
  recordings: number;
  /** Calls served by replaying a plan. */
  replays: number;
  /** Calls run eagerly because their host data broke a plan's assumption (another valid-label count). */
  eagerCalls: number;
  /** Calls that found host state a plan was recorded with changed (a parameter frozen or replaced, a new
   * optimiser, SGD's momentum switched on, train/eval, a kernel variant, a freed tensor): each ran eagerly,
   * recorded again, and dropped the plan. */
  eagerFallbacks: number;
  /** What the last of those found changed. */
  lastFallback: string | null;
  /** Plans kept now, and the dispatches of the newest (after fusion), and what fusion saved there. */
  plans: number;
  dispatches: number;
  fusedAway: number;
}

export interface CompiledFunction<A extends Tensor[], R extends CompiledResult> {
  (...inputs: A): R;
  /** Frees every plan (its pinned buffers go back to the pool); the next call records again. */
  reset(): void;
  readonly stats: CompileStats;
}

type Command =
  | { kind: 'dispatch'; kernel: Kernel; bindings: BufferView[]; words: Uint32Array; groups: [number, number?, number?]; refresh?: () => Uint32Array; elementwise?: Elementwise }
  | { kind: 'copy'; src: BufferView; dst: BufferView; bytes: number; srcOffset: number; dstOffset: number }
  | { kind: 'upload'; dst: BufferView; data: Uint8Array; refresh?: () => ArrayBufferView }
  | { kind: 'host'; run: () => void };

/** What a recording saw of a tensor made before it: a replay needs the same. */
interface TensorRead {
  /** Held weakly: a tensor dropped without dispose() must still be collected (its finalizer frees the
   * buffer, and the plan goes stale). */
  tensor: WeakRef<Tensor>;
  id: number;
  storage: Storage | null;
  /** Where the storage was: a move that kept the Storage object but changed its buffer is a move too. */
  buffer: GPUBuffer | null;
  offset: number;
  requiresGrad: boolean;
  gradless: boolean;
  /** Labels and indices: the storage's version (an in-place write may have changed the host copy that
   * fn's host code read); -1 for tensors without a host copy. */
  version: number;
}

/** A host value fn's host code decided something from (src/host-reads.ts), with the value it had. */
interface HostDependency {
  owner: object;
  field: string;
  read: () => unknown;
  value: unknown;
}

/** Everything one eager call of fn did, as the runtime reported it. */
class Recording implements Recorder, HostReads {
  commands: Command[] = [];
  /** Tensors with ids from here on were made during the call (its own input copies included). */
  readonly firstTensor = nextTensorId();
  /** The tensors made before the call that fn read (their storage, gradient flag, host copy), by id. */
  tensors = new Map<number, TensorRead>();
  /** Host values fn's host code decided something from, by owner and field. */
  dependencies = new Map<object, Map<string, HostDependency>>();
  /** The host copies of fn's input copies (labels, ids), which its guards read. */
  hosts: (Int32Array | null)[] = [];
  /** Buffers taken from the pool (or made) during the call, in order. */
  acquiredBuffers = new Set<GPUBuffer>();
  /** Problems found while recording, reported when the call ends. */
  readbacks = 0;
  freedOutside = 0;
  /** Buffers of tensors fn made and left alive without returning them. */
  leftAlive = 0;
  dispatch(kernel: Kernel, bindings: BufferView[], words: Uint32Array, groups: [number, number?, number?], refresh?: () => Uint32Array): void {
    this.commands.push({ kind: 'dispatch', kernel, bindings: bindings.map(copyView), words, groups: [groups[0], groups[1] ?? 1, groups[2] ?? 1], refresh });
  }
  copy(src: BufferView, dst: BufferView, bytes: number, srcOffset: number, dstOffset: number): void {
    this.commands.push({ kind: 'copy', src: copyView(src), dst: copyView(dst), bytes, srcOffset, dstOffset });
  }
  upload(dst: BufferView, data: Uint8Array, refresh?: () => ArrayBufferView): void {
    this.commands.push({ kind: 'upload', dst: copyView(dst), data, refresh });
  }
  /** Conditions on the inputs' host data that a replay needs (label checks, valid-label counts). */
  guards: (() => boolean)[] = [];
  guard(check: () => boolean): void {
    this.guards.push(check);
  }
  host(run: () => void): void {
    this.commands.push({ kind: 'host', run });
  }
  elementwise(e: Elementwise): void {
    const last = this.commands[this.commands.length - 1];
    if (last?.kind === 'dispatch') last.elementwise = { ...e, inputs: e.inputs.map(copyView), output: copyView(e.output) };
  }
  acquired(buffer: GPUBuffer): void {
    this.acquiredBuffers.add(buffer);
  }
  released(buffer: GPUBuffer): void {
    if (!this.acquiredBuffers.has(buffer)) this.freedOutside++;
  }
  readback(): void {
    this.readbacks++;
  }
  tensor(t: object): void {
    const x = t as Tensor;
    if (x.id >= this.firstTensor || this.tensors.has(x.id)) return;
    const read: TensorRead = { tensor: new WeakRef(x), id: x.id, storage: null, buffer: null, offset: 0, requiresGrad: false, gradless: true, version: -1 };
    this.tensors.set(x.id, read); // first: the reads below report the tensor again
    read.storage = x.disposed ? null : x.storage();
    read.buffer = read.storage?.buffer ?? null;
    read.offset = read.storage?.offset ?? 0;
    read.requiresGrad = x.requiresGrad;
    read.gradless = x.grad === null;
  }
  depend(owner: object, field: string, read: () => unknown): void {
    let fields = this.dependencies.get(owner);
    if (!fields) this.dependencies.set(owner, (fields = new Map()));
    if (fields.has(field)) return;
    const d: HostDependency = { owner, field, read, value: undefined };
    fields.set(field, d); // first: read() may report the same value again
    d.value = read();
  }
  /** Takes the versions of the host-copied tensors as they are now (after the call, or after a replay). */
  snapshotVersions(): void {
    for (const r of this.tensors.values()) r.version = r.tensor.deref()?.host && r.storage ? r.storage.version : -1;
  }
  /** Why a replay of this recording would not do what an eager call does now; null when it would.
   * `gradsLeft`: a .grad that appeared since is not reported (fn left it). */
  changed(gradsLeft = false): string | null {
    for (const r of this.tensors.values()) {
      const t = r.tensor.deref();
      if (!t) return `tensor #${r.id} that it read was garbage-collected`;
      if (t.disposed) return `tensor #${t.id} ${shapeStr(t.shape)} that it read was disposed`;
      const st = t.storage();
      if (st !== r.storage || st.buffer !== r.buffer || st.offset !== r.offset) return `tensor #${t.id} ${shapeStr(t.shape)} moved to another buffer (an optimiser adopted it, or it was loaded anew)`;
      if (t.requiresGrad !== r.requiresGrad) return `tensor #${t.id} ${shapeStr(t.shape)} ${t.requiresGrad ? 'requires a gradient now' : 'no longer requires a gradient'}`;
      if ((t.grad === null) !== r.gradless && !(gradsLeft && r.gradless)) return `tensor #${t.id} ${shapeStr(t.shape)} ${r.gradless ? 'has a .grad now' : 'lost its .grad'}`;
      if (r.version >= 0 && r.storage!.version !== r.version) return `tensor #${t.id} ${shapeStr(t.shape)} (a host-known ${t.dtype} tensor) was written in place`;
    }
    for (const fields of this.dependencies.values()) {
      for (const d of fields.values()) {
        const now = d.read();
        if (Object.is(now, d.value)) continue;
        const whose = d.owner.constructor && d.owner.constructor !== Object ? `${d.owner.constructor.name}'s ` : '';
        return `${whose}${d.field} changed from ${describeValue(d.value)} to ${describeValue(now)}`;
      }
    }
    return null;
  }
  /** Whether this recording's guards (label counts and checks) hold for host data like `inputs`'. */
  guardsHold(inputs: Tensor[]): boolean {
    inputs.forEach((t, i) => this.hosts[i]?.set(t.host!));
    return this.guards.every((ok) => ok());
  }
  get dispatches(): number {
    return this.commands.reduce((n, c) => n + (c.kind === 'dispatch' ? 1 : 0), 0);
  }
  /** Every buffer the commands use. */
  *buffers(): Iterable<GPUBuffer> {
    for (const c of this.commands) {
      if (c.kind === 'dispatch') for (const b of c.bindings) yield b.buffer;
      else if (c.kind === 'copy') yield* [c.src.buffer, c.dst.buffer];
      else if (c.kind === 'upload') yield c.dst.buffer;
    }
  }
}

const copyView = (v: BufferView): BufferView => ({ buffer: v.buffer, bytes: v.bytes, offset: v.offset ?? 0 });

function describeValue(v: unknown): string {
  if (v instanceof Tensor) return `tensor #${v.id} ${shapeStr(v.shape)}`;
  if (v === undefined) return 'nothing';
  return typeof v === 'object' && v !== null ? (v.constructor?.name ?? 'an object') : String(v);
}

/** Where two recordings first differ, in words; null when one can stand for the other. Buffers made
 * during a call match by order of first use, buffers from outside by identity. */
function difference(a: Recording, b: Recording): string | null {
  if (a.commands.length !== b.commands.length) return `${a.commands.length} commands (${a.dispatches} dispatches), then ${b.commands.length} (${b.dispatches})`;
  const names = [new Map<GPUBuffer, number>(), new Map<GPUBuffer, number>()];
  const sameBuffer = (x: BufferView, y: BufferView) => {
    const inside = [a.acquiredBuffers.has(x.buffer), b.acquiredBuffers.has(y.buffer)];
    if (inside[0] !== inside[1]) return false;
    if (!inside[0]) return x.buffer === y.buffer && x.offset === y.offset && x.bytes === y.bytes;
    const name = (m: Map<GPUBuffer, number>, buf: GPUBuffer) => m.get(buf) ?? (m.set(buf, m.size), m.size - 1);
    return name(names[0], x.buffer) === name(names[1], y.buffer) && x.offset === y.offset && x.bytes === y.bytes;
  };
  for (let i = 0; i < a.commands.length; i++) {
    const [x, y] = [a.commands[i], b.commands[i]];
    const at = `command ${i}`;
    if (x.kind !== y.kind) return `${at} was a ${x.kind}, then a ${y.kind}`;
    if (x.kind === 'dispatch' && y.kind === 'dispatch') {
      if (x.kernel !== y.kernel) return `${at} ran kernel '${x.kernel.name}', then '${y.kernel.name}'`;
      if (x.groups.some((g, j) => g !== y.groups[j])) return `${at} ('${x.kernel.name}') ran [${x.groups}] workgroups, then [${y.groups}]`;
      if (!x.refresh || !y.refresh) {
        if (x.words.length !== y.words.length || x.words.some((w, j) => w !== y.words[j])) return `${at} ('${x.kernel.name}') had parameter words [${[...x.words]}], then [${[...y.words]}]`;
      }
      if (x.bindings.some((v, j) => !sameBuffer(v, y.bindings[j]))) return `${at} ('${x.kernel.name}') bound other buffers`;
    } else if (x.kind === 'copy' && y.kind === 'copy') {
      if (x.bytes !== y.bytes || x.srcOffset !== y.srcOffset || x.dstOffset !== y.dstOffset || !sameBuffer(x.src, y.src) || !sameBuffer(x.dst, y.dst)) return `${at} copied other bytes`;
    } else if (x.kind === 'upload' && y.kind === 'upload') {
      if (!sameBuffer(x.dst, y.dst) || x.data.length !== y.data.length) return `${at} uploaded ${x.data.length} bytes, then ${y.data.length} elsewhere`;
      if ((!x.refresh || !y.refresh) && x.data.some((v, j) => v !== y.data[j])) return `${at} uploaded other data (${x.data.length} bytes)`;
    }
  }
  return null;
}

/** A recording made replayable: its buffers pinned, its bind groups and parameter words made once. */
class Plan {
  stale = false;
  private runtime = rt();
  private params: GPUBuffer;
  private words: Uint32Array;
  private offsets: number[] = [];
  private groups: (GPUBindGroup | null)[] = [];
  private refreshes = false;
  /** Whether a replay runs host code first (hooks, refreshed words). */
  private hostWork: boolean;
  private outside: Set<GPUBuffer>;
  private listener = (b: GPUBuffer) => {
    if (this.outside.has(b)) this.stale = true;
  };
  readonly dispatches: number;
  /** Dispatches that elementwise fusion saved (compile's `fuse`). */
  readonly fusedAway: number = 0;
  /** The commands replayed: the recording's, with runs of elementwise ops fused when asked. */
  private commands: Command[];

  constructor(
    readonly rec: Recording,
    /** The recording's own buffers, out of the pool: the plan owns them. */
    private pinned: GPUBuffer[],
    /** The plan's own input buffers (fn saw tensors on them) and the views its outputs are copied from. */
    private inputs: BufferView[],
    /** The host copies of those inputs (labels, ids) that fn's ops read: each replay writes the call's in. */
    private hosts: (Int32Array | null)[],
    private outputs: { view: BufferView; shape: readonly number[]; dtype: Tensor['dtype'] }[],
    fuse: boolean,
  ) {
    const r = rt();
    this.outside = new Set([...rec.buffers()].filter((b) => !rec.acquiredBuffers.has(b)));
    r.releaseListeners.add(this.listener);
    rec.snapshotVersions();
    this.commands = rec.commands;
    if (fuse) {
      // A value must be stored when a later command uses its buffer, a step output is copied from it, or
      // the buffer is not the step's own (a parameter, optimiser state).
      const lastUse = new Map<GPUBuffer, number>();
      rec.commands.forEach((c, i) => {
        if (c.kind === 'dispatch') for (const b of c.bindings) lastUse.set(b.buffer, i);
        else if (c.kind === 'copy') (lastUse.set(c.src.buffer, i), lastUse.set(c.dst.buffer, i));
        else if (c.kind === 'upload') lastUse.set(c.dst.buffer, i);
      });
      const kept = new Set(outputs.map((o) => o.view.buffer));
      const fused = fuseCommands(rec.commands, (b, end) => kept.has(b) || !rec.acquiredBuffers.has(b) || (lastUse.get(b) ?? -1) > end);
      this.commands = fused.commands;
      this.fusedAway = fused.saved;
    }
    let words = 0;
    for (const c of this.commands) {
      this.offsets.push(words);
      if (c.kind === 'dispatch') {
        words += Math.ceil(c.words.length / 64) * 64;
        if (c.refresh) this.refreshes = true;
      }
    }
    this.words = new Uint32Array(Math.max(64, words));
    this.params = r.device.createBuffer({ size: this.words.byteLength, usage: 0x80 | 0x08, label: 'rootgrad.compiled.params' }); // STORAGE | COPY_DST
    this.commands.forEach((c, i) => {
      if (c.kind !== 'dispatch') return void this.groups.push(null);
      this.words.set(c.words, this.offsets[i]);
      this.groups.push(r.bindGroup(c.kernel, this.params, c.words.length * 4, c.bindings));
    });
    r.device.queue.writeBuffer(this.params, 0, this.words);
    this.dispatches = this.commands.reduce((n, c) => n + (c.kind === 'dispatch' ? 1 : 0), 0);
    this.hostWork = this.refreshes || this.commands.some((c) => c.kind === 'host');
  }

  /** Replays for these inputs; null when a guard on their host data fails (the call must run eagerly). */
  replay(inputs: Tensor[]): Tensor[] | null {
    const r = rt();
    inputs.forEach((t, i) => this.hosts[i]?.set(t.host!));
    for (const ok of this.rec.guards) if (!ok()) return null;
    // Eager work recorded before this call, and an earlier replay of this plan, are submitted before the
    // refreshed words are written (a queue write overtakes unsubmitted commands).
    r.flush();
    const cmds = this.commands;
    // Host state first, in recorded order: hooks advance it, refreshes read it.
    if (this.hostWork) {
      for (let i = 0; i < cmds.length; i++) {
        const c = cmds[i];
        if (c.kind === 'host') c.run();
        else if (c.kind === 'dispatch' && c.refresh) this.words.set(c.refresh(), this.offsets[i]);
      }
      if (this.refreshes) r.device.queue.writeBuffer(this.params, 0, this.words);
      this.rec.snapshotVersions(); // the hooks bumped what the call writes in place, as eager does
    }
    const device = r.device;
    // Encoded into the runtime's batch, not submitted here: the readback that usually follows (the loss)
    // goes in the same submit, one submit per step instead of two.
    let encoder = r.commandEncoder('a compiled step');
    inputs.forEach((t, i) => {
      const from = t.storage('compiled step').view(t.size * 4);
      if (from.bytes) encoder.copyBufferToBuffer(from.buffer, from.offset ?? 0, this.inputs[i].buffer, this.inputs[i].offset ?? 0, Math.ceil(from.bytes / 4) * 4);
    });
    let pass: GPUComputePassEncoder | null = null;
    let pipeline: GPUComputePipeline | null = null;
    const offset = [0];
    const endPass = () => {
      pass?.end();
      pass = null;
    };
    for (let i = 0; i < cmds.length; i++) {
      const c = cmds[i];
      if (c.kind === 'dispatch') {
        if (!pass) {
          pass = encoder.beginComputePass();
          pipeline = null;
        }
        if (pipeline !== c.kernel.pipeline) pass.setPipeline((pipeline = c.kernel.pipeline));
        offset[0] = this.offsets[i] * 4;
        pass.setBindGroup(0, this.groups[i]!, offset);
        pass.dispatchWorkgroups(c.groups[0], c.groups[1], c.groups[2]);
      } else if (c.kind === 'copy') {
        endPass();
        encoder.copyBufferToBuffer(c.src.buffer, (c.src.offset ?? 0) + c.srcOffset, c.dst.buffer, (c.dst.offset ?? 0) + c.dstOffset, c.bytes);
      } else if (c.kind === 'upload') {
        // As eager: an upload goes after everything before it, so the batch so far is submitted first.
        endPass();
        r.flush();
        const data = c.refresh ? c.refresh() : c.data;
        device.queue.writeBuffer(c.dst.buffer, c.dst.offset ?? 0, data.buffer, data.byteOffset, data.byteLength);
        encoder = r.commandEncoder('a compiled step');
      }
    }
    endPass();
    const out = this.outputs.map((o) => {
      const t = empty(o.shape, o.dtype);
      if (o.view.bytes) encoder.copyBufferToBuffer(o.view.buffer, o.view.offset ?? 0, t.storage().buffer, t.storage().offset, Math.ceil(o.view.bytes / 4) * 4);
      return t;
    });
    r.stats.dispatches += this.dispatches;
    return out;
  }

  release(): void {
    const r = this.runtime;
    r.releaseListeners.delete(this.listener);
    if (!hasDevice() || rt() !== r) return; // the device is gone, with everything the plan held
    r.flush(); // a replay still in the runtime's batch binds the params buffer: submitted before it goes
    r.unpin(this.pinned);
    this.pinned = [];
    r.destroy(this.params); // and the runtime forgets the bind groups made on it
  }
}

interface Entry {
  /** Recordings kept for comparison (at most two). */
  recordings: Recording[];
  plan: Plan | null;
  /** Puts a replay's fresh tensors into the structure fn returned. */
  rebuild?: (ts: Tensor[]) => CompiledResult;
}

/** The tensors of fn's result in a fixed order, and how to put fresh ones back in the same structure. */
function flatten(who: string, result: CompiledResult): { tensors: Tensor[]; rebuild: (ts: Tensor[]) => CompiledResult } {
  if (result === undefined) return { tensors: [], rebuild: () => undefined };
  if (result instanceof Tensor) return { tensors: [result], rebuild: (ts) => ts[0] };
  if (Array.isArray(result)) {
    result.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new Error(`${who}: fn returned an array whose element ${i} is ${t === null ? 'null' : typeof t}, not a Tensor`);
    });
    return { tensors: result, rebuild: (ts) => ts };
  }
  if (result && typeof result === 'object' && !(result instanceof Promise)) {
    const keys = Object.keys(result);
    for (const k of keys) if (!((result as Record<string, unknown>)[k] instanceof Tensor)) throw new Error(`${who}: fn returned an object whose '${k}' is not a Tensor`);
    return { tensors: keys.map((k) => (result as Record<string, Tensor>)[k]), rebuild: (ts) => Object.fromEntries(keys.map((k, i) => [k, ts[i]])) };
  }
  throw new Error(`${who}: fn must return a Tensor, an array or object of Tensors, or nothing; it returned ${result instanceof Promise ? 'a Promise (pass a synchronous function)' : typeof result}`);
}

let recording = false;

/** A compiled function dropped without reset(): its plans give their pinned buffers back and leave the
 * runtime's release listeners (which would otherwise keep them, and what they bind, reachable for good). */
const dropped = new FinalizationRegistry<Map<string, Entry>>((entries) => {
  for (const e of entries.values()) e.plan?.release();
  entries.clear();
});

/**
 * Compiles a step: `const step = compile((x, y) => { const loss = ...; loss.backward(); opt.step();
 * model.zeroGrad(); return loss; })`. Calls with the same input shapes and dtypes replay what the first
 * calls dispatched (see the top of this file): the same bits as eager, with host work of a few µs per
 * dispatch. The first two calls of a signature (three when the first made lazy state) run eagerly.
 * Returned tensors are fresh and detached, owned by the caller. Inputs are data: they must not require a
 * gradient. Under detectAnomaly or the reference backend fn simply runs eagerly.
 */
export function compile<A extends Tensor[], R extends CompiledResult>(fn: (...inputs: A) => R, opts: CompileOptions = {}): CompiledFunction<A, R> {
  const who = 'compile';
  if (typeof fn !== 'function') throw new Error(`${who}: expected a function, got ${typeof fn}`);
  if (fn.constructor?.name === 'AsyncFunction') throw new Error(`${who}: fn is an async function; a compiled step cannot await (a readback inside it would be frozen into the replay)`);
  checkOptions(who, opts, ['cacheSize', 'key', 'fuse']);
  const fuse = opts.fuse ?? false;
  if (typeof fuse !== 'boolean') throw new Error(`${who}: fuse must be true or false, got ${String(fuse)}`);
  const cacheSize = opts.cacheSize ?? 8;
  if (!Number.isInteger(cacheSize) || cacheSize < 1) throw new Error(`${who}: cacheSize must be a positive integer, got ${cacheSize}`);
  const entries = new Map<string, Entry>();
  const stats: CompileStats = { recordings: 0, replays: 0, eagerCalls: 0, eagerFallbacks: 0, lastFallback: null, plans: 0, dispatches: 0, fusedAway: 0 };

  const drop = (key: string) => {
    entries.get(key)?.plan?.release();
    entries.delete(key);
  };

  /** fn run eagerly, its results detached (fresh tensors the caller owns, as a replay gives). */
  const eagerly = (inputs: A): R => {
    let rebuild: (ts: Tensor[]) => CompiledResult = () => undefined;
    const ts = tidy(() => {
      const f = flatten(who, fn(...inputs));
      rebuild = f.rebuild;
      return f.tensors.map((t) => t.detach());
    });
    return rebuild(ts) as R;
  };

  const run = (...inputs: A): R => {
    inputs.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new Error(`${who}: input ${i} is ${t === null ? 'null' : typeof t}, not a Tensor (a compiled step takes tensors only; close over other values)`);
      t.storage(`compiled step (input ${i})`);
      if (t.requiresGrad) throw new Error(`${who}: input ${i} ${t} requires a gradient; a compiled step's inputs are data (parameters belong to the model fn closes over)`);
    });
    if (isReferenceMode() || anomalyEnabled()) return eagerly(inputs);
    if (recording) throw new Error(`${who}: a compiled function was called while another one records; compile the outer step only`);
    // Under noGrad fn records no graph (and its backward throws): another signature.
    const key = inputs.map((t) => `${t.dtype}${shapeStr(t.shape)}${t.host ? 'h' : ''}`).join(',') + (isGradEnabled() ? '' : '|noGrad') + (opts.key ? `|${String(opts.key())}` : '');
    let entry = entries.get(key);
    // Host state fn's host code read while recording must be as it was: else this call runs eagerly and
    // is recorded anew (a plan that no longer holds is dropped).
    const changed = entry?.plan ? (entry.plan.stale ? 'a buffer it binds went back to the pool (the tensor that held it was freed)' : entry.plan.rec.changed()) : null;
    if (changed) {
      stats.eagerFallbacks++;
      stats.lastFallback = changed;
      drop(key);
      entry = undefined;
    } else if (entry && !entry.plan && entry.recordings.length) {
      // A recording kept for comparison stands for this call only if the state it read is unchanged and
      // this call's labels pass its guards (the same valid count): else this call starts the comparison.
      const last = entry.recordings[entry.recordings.length - 1];
      // (A .grad that one left alive is no change: this call then fails saying so.)
      if (last.changed(last.leftAlive > 0) || !last.guardsHold(inputs)) entry.recordings = [];
    }
    if (entry) {
      entries.delete(key); // least recently used goes first: re-insert at the end
      entries.set(key, entry);
    } else {
      entry = { recordings: [], plan: null };
      entries.set(key, entry);
      while (entries.size > cacheSize) drop(entries.keys().next().value!);
    }
    if (entry.plan) {
      const out = entry.plan.replay(inputs);
      if (out) {
        stats.replays++;
        return entry.rebuild!(out) as R;
      }
      // This call's host data breaks an assumption of the plan (another count of valid labels, an index
      // out of range): it runs eagerly, as without compile (and throws the eager error, if any).
      stats.eagerCalls++;
      return eagerly(inputs);
    }
    // Record an eager call. fn sees copies of the inputs on buffers of the recording's own (the plan keeps
    // them and copies each call's inputs in), so the copies themselves are not recorded.
    const r = rt();
    const rec = new Recording();
    const liveBefore = mem.liveTensors;
    const own = inputs.map((t) => {
      const c = empty(t.shape, t.dtype);
      c.host = t.host ? t.host.slice() : null; // the plan's own host copy, written at each replay
      if (t.size) r.copy(t.storage().view(t.size * 4), c.storage().view(t.size * 4), t.size * 4);
      rec.acquiredBuffers.add(c.storage().buffer);
      return c;
    });
    const ownInputs = own.map((t) => t.storage().view(t.size * 4));
    const ownHosts = own.map((t) => t.host);
    rec.hosts = ownHosts;
    let flat: ReturnType<typeof flatten> | undefined;
    let outViews: { view: BufferView; shape: readonly number[]; dtype: Tensor['dtype'] }[] = [];
    let fresh: Tensor[] = [];
    const pinned: GPUBuffer[] = [];
    const inPool = (bs: Set<GPUBuffer>) => {
      const pooled = r.pooledSet();
      return [...bs].filter((b) => pooled.has(b));
    };
    r.recorder = rec;
    recording = true;
    try {
      const results = tidy(() => {
        hostReads.active = rec;
        try {
          flat = flatten(who, fn(...(own as A)));
        } finally {
          hostReads.active = null;
        }
        return flat.tensors;
      });
      outViews = results.map((t) => ({ view: t.storage('compiled step output').view(t.size * 4), shape: t.shape, dtype: t.dtype }));
      // The caller's tensors are copies made outside the recording (the plan makes the same copies), on
      // buffers that are not the recording's: those are taken out of the pool first.
      r.recorder = null;
      pinned.push(...r.pin(inPool(rec.acquiredBuffers)));
      fresh = results.map((t) => {
        const c = empty(t.shape, t.dtype);
        if (t.size) r.copy(t.storage().view(t.size * 4), c.storage().view(t.size * 4), t.size * 4);
        return c;
      });
      r.recorder = rec; // fn's outputs and input copies going back to the pool belong to the recording
      for (const t of [...results, ...own]) t.dispose();
      r.recorder = null;
      pinned.push(...r.pin(inPool(rec.acquiredBuffers)));
    } catch (e) {
      r.recorder = null;
      for (const t of own) t.dispose();
      r.unpin(pinned);
      drop(key);
      throw e;
    } finally {
      r.recorder = null;
      recording = false;
    }
    stats.recordings++;
    const fail = (why: string): never => {
      fresh.forEach((t) => t.dispose());
      r.unpin(pinned);
      drop(key);
      throw new Error(`${who}: ${why}`);
    };
    if (rec.readbacks) fail(`fn read ${rec.readbacks === 1 ? 'a value' : `${rec.readbacks} values`} back from the GPU (data() or item()); a replay would not read them again. Read the returned tensors after the call instead`);
    const escaped = mem.liveTensors - liveBefore - fresh.length;
    const kept = rec.acquiredBuffers.size - pinned.length;
    rec.leftAlive = kept;
    const isCandidate = entry.recordings.length > 0;
    if (kept && isCandidate) {
      fail(`fn left ${escaped > 0 ? escaped : kept} tensor(s) it made alive without returning them (a parameter's .grad: call zeroGrad() inside fn; or state kept across calls), so a replay could not give them back`);
    }
    if (rec.freedOutside) fail(`fn disposed ${rec.freedOutside} tensor buffer(s) it did not make; a compiled step may free only what it makes (its memory could be reused under the replay)`);
    const prev = entry.recordings[entry.recordings.length - 1];
    const diff = prev ? difference(prev, rec) : 'first call';
    if (!diff && !kept) {
      entry.plan = new Plan(rec, pinned, ownInputs, ownHosts, outViews, fuse);
      entry.rebuild = flat!.rebuild;
      entry.recordings = [];
      stats.plans = [...entries.values()].filter((e) => e.plan).length;
      stats.dispatches = entry.plan.dispatches;
      stats.fusedAway = entry.plan.fusedAway;
    } else if (entry.recordings.length >= 2 && !kept) {
      fail(`fn dispatched something else at each call with the same input shapes (${diff}): it depends on host values that change between calls (Math.random, a counter, a branch on data read earlier), which a replay cannot follow. Pass such values as tensors, give compile a \`key\`, or run fn without compile`);
    } else {
      r.unpin(pinned); // a recording kept for comparison holds no buffers
      entry.recordings.push(rec);
    }
    return flat!.rebuild(fresh!) as R;
  };
  const compiled = run as CompiledFunction<A, R>;
  compiled.reset = () => {
    for (const k of [...entries.keys()]) drop(k);
    stats.plans = 0;
  };
  Object.defineProperty(compiled, 'stats', { get: () => ({ ...stats }) });
  dropped.register(compiled, entries);
  return compiled;
}
