// Kernel runtime: pipeline cache, one command encoder per batch of dispatches, a pooled params arena,
// a GPU buffer pool by size class, uploads and readbacks. Everything a kernel dispatch needs, nothing more.
import { current, keepAliveUntil, onShutdown } from './gpu.js';
import { RootgradError } from './errors.js';
import type { BufferView, Elementwise } from './dispatch-types.js';
import { wgslSource } from './shaders.js';
/** Workgroups per dispatch dimension every adapter allows (maxComputeWorkgroupsPerDimension's default). */
const MAX_GROUPS = 65535;

import { kernelDecl, packParams, packParamsInto, paramWordCount, type BindingDecl, type BindingValues, type KernelDecl, type ParamType, type ParamValues } from './kernel-params.js';

export type { BufferView } from './dispatch-types.js';

const STORAGE = 0x80, COPY_SRC = 0x04, COPY_DST = 0x08, MAP_READ = 0x01;
const PARAMS_WORDS = 1 << 16; // 256 KiB of params per submitted batch
const PARAM_ALIGN_WORDS = 64; // minStorageBufferOffsetAlignment (256 bytes) in words
const BIND_GROUP_CACHE = 8192; // cached bind groups before the cache starts over
/** Idle staging buffers kept per size class: sequential reads reuse one; a burst of concurrent reads makes
 * more, and all but these few are destroyed once read. */
const STAGING_PER_SIZE = 4;
const ERROR_CHECKS = 256; // pending error checks before they are folded into one

/** What records a compiled step (src/compile.ts) sees of the runtime: every command in order, and every
 * buffer taken from or given back to the pool while it records. */
export interface Recorder {
  dispatch(k: Kernel, bindings: BufferView[], words: Uint32Array, groups: [number, number?, number?], refresh?: () => Uint32Array): void;
  copy(src: BufferView, dst: BufferView, bytes: number, srcOffset: number, dstOffset: number): void;
  upload(dst: BufferView, data: Uint8Array, refresh?: () => ArrayBufferView): void;
  /** A condition on host data (a compiled step's input labels) that a replay needs: when it fails, that
   * call runs eagerly. */
  guard(check: () => boolean): void;
  /** What the dispatch just recorded computes, when it is elementwise (src/fuse.ts fuses runs of them). */
  elementwise(e: Elementwise): void;
  /** Host code a replay must run at this point (advancing state that eager code advances here). */
  host(run: () => void): void;
  acquired(buffer: GPUBuffer): void;
  released(buffer: GPUBuffer): void;
  /** A readback was asked for while recording (refused: its value would be a host value in the replay). */
  readback(): void;
}

export type Defines = Record<string, string | number>;
/** The pipeline cache's lookup tree: define name, then its value, ..., then LEAF: the kernel. */
type KernelTree = Map<string | number | symbol, KernelTree | Kernel>;
const LEAF = Symbol('kernel');
/** The bind-group cache: kernel id, params buffer and size, then (buffer id, offset, bytes) per binding; -1: the group. */
type BindGroupTree = Map<number, BindGroupTree | GPUBindGroup>;

export interface Kernel {
  name: string;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  /** A small number naming this pipeline in bind-group cache keys. */
  id: number;
  /** Set once its WGSL failed to compile: every later use throws this instead of dispatching an invalid
   * pipeline (whose own error would only say "invalid due to a previous error"). */
  error?: string;
}

/** WGSL files written by users (defineOp kernels, defineRowLoss bodies), by file: who wrote them, for
 * compile errors that name the op rather than only the built-in kernel that includes them. */
const userShaders = new Map<string, string>();
export function registerUserShader(file: string, owner: string): void {
  userShaders.set(file, owner);
}

/** A compile error in words: the user's op when one of its files is in the kernel, the compiler's message
 * (with the offending source lines, as the compiler quotes them) and the kernel. */
function compileError(name: string, defines: Defines, message: string): string {
  const owners = [name, ...Object.values(defines).map(String)].map((f) => userShaders.get(f)).filter((o): o is string => !!o);
  const where = `kernel '${name}'${Object.keys(defines).length ? ` ${JSON.stringify(defines)}` : ''}`;
  return owners.length ? `${owners.join(', ')}: its WGSL does not compile (in ${where}):\n${message}` : `${where}: ${message}`;
}

export interface MemoryStats {
  liveTensors: number;
  liveBytes: number;
  pooledBytes: number;
  pooledBuffers: number;
  buffersCreated: number;
  poolHits: number;
  poolMisses: number;
  dispatches: number;
  submits: number;
  /** Bind groups reused from the cache, and made (the cache is keyed by the buffers and ranges bound). */
  bindGroupHits: number;
  bindGroupsCreated: number;
  /** Bytes held by compiled steps (their pinned intermediate buffers; see src/compile.ts). */
  pinnedBytes: number;
  /** Idle staging buffers kept for readbacks (at most STAGING_PER_SIZE per size class, within the pool cap). */
  stagingBytes: number;
  stagingBuffers: number;
}

function debugLevel(): number {
  const p = (globalThis as any).process;
  return Number(p?.env?.ROOTGRAD_DEBUG ?? (globalThis as any).ROOTGRAD_DEBUG ?? 0) || 0;
}

/** Size classes: 256 B, then steps of a quarter power of two, so a pooled buffer wastes at most 25%. */
export function sizeClass(bytes: number): number {
  if (bytes <= 256) return 256;
  const p = 2 ** Math.floor(Math.log2(bytes));
  for (const f of [1, 1.25, 1.5, 1.75, 2]) if (p * f >= bytes) return Math.ceil((p * f) / 256) * 256;
  return Math.ceil(bytes / 256) * 256;
}

/** Packs kernel parameters as 32-bit words: the WGSL side reads them with pu()/pi()/pf() from common.wgsl. */
export class Params {
  readonly words: number[] = [];
  private static f = new Float32Array(1);
  private static u = new Uint32Array(Params.f.buffer);
  u(...xs: number[]): this {
    for (const x of xs) this.words.push(x >>> 0);
    return this;
  }
  i(...xs: number[]): this {
    for (const x of xs) this.words.push((x | 0) >>> 0);
    return this;
  }
  f(...xs: number[]): this {
    for (const x of xs) {
      Params.f[0] = x;
      this.words.push(Params.u[0]);
    }
    return this;
  }
}

export class Runtime {
  readonly device: GPUDevice;
  readonly generation: number;
  private pipelines = new Map<string, Kernel>();
  private kernelTree = new Map<string, KernelTree>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private paramsBuffer: GPUBuffer;
  private paramsArena = new Uint32Array(PARAMS_WORDS);
  private paramsUsed = 0;
  private batchKernels: string[] = [];
  private passPipeline: GPUComputePipeline | null = null;
  private dynamicOffset = [0];
  private bindGroups = new Map<number, BindGroupTree>();
  private bindGroupCount = 0;
  private bufferIds = new WeakMap<GPUBuffer, number>();
  private nextBufferId = 1;
  /** The compiled step being recorded, if any (src/compile.ts): it sees every command and buffer. */
  recorder: Recorder | null = null;
  /** Called with every buffer going back to the pool (compiled steps drop records that bound it). */
  readonly releaseListeners = new Set<(buffer: GPUBuffer) => void>();
  private pool = new Map<number, GPUBuffer[]>();
  private staging = new Map<number, GPUBuffer[]>();
  private errorChecks: Promise<string | null>[] = [];
  poolCapBytes = 512 * 1024 * 1024;
  stats = { pooledBytes: 0, pooledBuffers: 0, buffersCreated: 0, poolHits: 0, poolMisses: 0, dispatches: 0, submits: 0, bindGroupHits: 0, bindGroupsCreated: 0, pinnedBytes: 0, stagingBytes: 0, stagingBuffers: 0 };

  /** Why the device was lost, once it was. */
  lost: string | null = null;

  constructor(device: GPUDevice, generation: number) {
    this.device = device;
    this.generation = generation;
    device.lost.then((info) => (this.lost = info.message || info.reason || 'device lost'));
    this.paramsBuffer = device.createBuffer({ size: PARAMS_WORDS * 4, usage: STORAGE | COPY_DST, label: 'rootgrad.params' });
  }

  /** A compute pipeline for a WGSL kernel file with its template defines, compiled once per process. */
  kernel(name: string, defines: Defines = {}): Kernel {
    // The lookup on the hot path walks a tree of maps by each define's name and value: the strings are
    // mostly literals whose hashes V8 keeps, where a concatenated key (~1 µs) was hashed anew every dispatch.
    let node = this.kernelTree.get(name);
    if (!node) this.kernelTree.set(name, (node = new Map()));
    for (const d in defines) {
      let byValue = node.get(d) as KernelTree | undefined;
      if (!byValue) node.set(d, (byValue = new Map()));
      const v = defines[d];
      let next = byValue.get(v) as KernelTree | undefined;
      if (!next) byValue.set(v, (next = new Map()));
      node = next;
    }
    const found = node.get(LEAF) as Kernel | undefined;
    if (found) {
      if (found.error) throw new Error(`rootgrad: ${found.error}`);
      return found;
    }
    let key = name;
    for (const d in defines) key += '|' + d + '=' + defines[d];
    let k = this.pipelines.get(key);
    if (k) {
      node.set(LEAF, k);
      if (k.error) throw new Error(`rootgrad: ${k.error}`);
      return k;
    }
    const code = wgslSource(name, defines, kernelDecl(name)?.prelude);
    const level = debugLevel();
    if (level >= 2) console.error(`// ---- rootgrad kernel ${key}\n${code}`);
    const t0 = level >= 1 ? performance.now() : 0;
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ code, label: name });
    // An explicit layout from the declared bindings: 'auto' would drop bindings a kernel never reads, and
    // the dispatch convention (binding i + 1 = i-th buffer) must hold for every kernel.
    // The params words (binding 0) are bound with a dynamic offset: one bind group serves every dispatch
    // on the same buffers wherever its words sit in the arena, so bind groups can be cached.
    const entries: GPUBindGroupLayoutEntry[] = [...code.matchAll(/@group\(0\)\s*@binding\((\d+)\)\s*var<storage,\s*(read_write|read)>/g)].map((m) => ({
      binding: Number(m[1]),
      visibility: 4, // GPUShaderStage.COMPUTE
      buffer: { type: m[2] === 'read' ? 'read-only-storage' : 'storage', hasDynamicOffset: m[1] === '0' },
    }));
    const layout = this.device.createBindGroupLayout({ entries, label: name });
    const pipeline = this.device.createComputePipeline({ layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module, entryPoint: 'main' }, label: name });
    const made: Kernel = { name, pipeline, layout, id: this.pipelines.size + 1 };
    this.checkLater(
      this.device.popErrorScope().then((e) => {
        if (!e) return null;
        // kept on the kernel: later calls throw this at once, at dispatch
        made.error = compileError(name, defines, e.message);
        return made.error;
      }),
    );
    if (level >= 1) console.error(`rootgrad: compiled ${key} in ${(performance.now() - t0).toFixed(1)} ms`);
    k = made;
    this.pipelines.set(key, k);
    node.set(LEAF, k);
    return k;
  }

  /** Records one dispatch of a declared kernel (src/kernel.ts): bindings and parameters by name.
   * `refresh`, for parameters that follow host state (an optimiser's step count, a generator's seed), gives
   * their values again at each replay of a compiled step (src/compile.ts); eager dispatch ignores it. */
  run<P extends Record<string, ParamType>, B extends Record<string, BindingDecl>>(k: KernelDecl<P, B>, defines: Defines, bindings: BindingValues<B>, params: ParamValues<P>, groups: [number, number?, number?], refresh?: () => ParamValues<P>): void {
    if (!groups[0] || groups[1] === 0 || groups[2] === 0) return; // no workgroups (an empty tensor's work): nothing to run or record
    const kernel = this.kernel(k.file, defines);
    const names = k.bindingNames;
    const views: BufferView[] = new Array(names.length);
    for (let i = 0; i < names.length; i++) views[i] = (bindings as Record<string, BufferView>)[names[i]];
    const words = paramWordCount(k, params);
    const offset = this.reserveParams(words);
    packParamsInto(k, params, this.paramsArena, offset);
    this.encode(kernel, views, offset, words, groups);
    this.recorder?.dispatch(kernel, views, this.paramsArena.slice(offset, offset + words), groups, refresh && (() => packParams(k, refresh())));
  }

  /** Records one dispatch. bindings[i] is @binding(i + 1); @binding(0) is always the params words. */
  dispatch(k: Kernel, bindings: BufferView[], params: Params, groups: [number, number?, number?]): void {
    if (!groups[0] || groups[1] === 0 || groups[2] === 0) return; // no workgroups: nothing to run or record
    const words = params.words.length || 1;
    const offset = this.reserveParams(words);
    this.paramsArena.set(params.words, offset);
    if (!params.words.length) this.paramsArena[offset] = 0;
    this.encode(k, bindings, offset, words, groups);
    this.recorder?.dispatch(k, bindings, this.paramsArena.slice(offset, offset + words), groups);
  }

  /** A slot of `words` in the params arena (256-byte aligned), submitting the batch first when it is full. */
  private reserveParams(words: number): number {
    const slot = Math.ceil(words / PARAM_ALIGN_WORDS) * PARAM_ALIGN_WORDS;
    if (this.paramsUsed + slot > PARAMS_WORDS) this.flush();
    const offset = this.paramsUsed;
    this.paramsUsed += slot;
    return offset;
  }

  private encode(k: Kernel, bindings: BufferView[], offset: number, words: number, groups: [number, number?, number?]): void {
    const bindGroup = this.bindGroup(k, this.paramsBuffer, words * 4, bindings);
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    if (!this.pass) {
      this.pass = this.encoder.beginComputePass();
      this.passPipeline = null;
    }
    if (this.passPipeline !== k.pipeline) {
      this.pass.setPipeline(k.pipeline);
      this.passPipeline = k.pipeline;
    }
    this.dynamicOffset[0] = offset * 4;
    this.pass.setBindGroup(0, bindGroup, this.dynamicOffset);
    this.pass.dispatchWorkgroups(groups[0], groups[1] ?? 1, groups[2] ?? 1);
    this.batchKernels.push(k.name);
    this.stats.dispatches++;
  }

  /** The bind group of a kernel's params (`paramBytes` from a dynamic offset into `params`) and buffers:
   * made once per distinct set of buffers and ranges, then reused (creating one costs ~30 µs in Dawn). */
  bindGroup(k: Kernel, params: GPUBuffer, paramBytes: number, bindings: BufferView[]): GPUBindGroup {
    // A tree of maps keyed by numbers (buffer ids, offsets, sizes): no key string to build and hash.
    let node = this.bindGroups.get(k.id);
    if (!node) this.bindGroups.set(k.id, (node = new Map()));
    node = this.branch(this.branch(node, this.bufferId(params)), paramBytes);
    for (let i = 0; i < bindings.length; i++) {
      const b = bindings[i];
      node = this.branch(this.branch(this.branch(node, this.bufferId(b.buffer)), b.offset ?? 0), b.bytes);
    }
    const hit = node.get(-1) as GPUBindGroup | undefined;
    if (hit) {
      this.stats.bindGroupHits++;
      return hit;
    }
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: params, offset: 0, size: paramBytes } }];
    for (let i = 0; i < bindings.length; i++) {
      const b = bindings[i];
      entries.push({ binding: i + 1, resource: { buffer: b.buffer, offset: b.offset ?? 0, size: Math.max(4, b.bytes) } });
    }
    const group = this.device.createBindGroup({ layout: k.layout, entries });
    if (++this.bindGroupCount > BIND_GROUP_CACHE) {
      this.bindGroups.clear(); // a workload that never repeats its buffers: start over
      this.bindGroupCount = 0;
      return group;
    }
    node.set(-1, group);
    this.stats.bindGroupsCreated++;
    return group;
  }

  private branch(node: BindGroupTree, key: number): BindGroupTree {
    let next = node.get(key) as BindGroupTree | undefined;
    if (!next) node.set(key, (next = new Map()));
    return next;
  }

  private bufferId(b: GPUBuffer): number {
    let id = this.bufferIds.get(b);
    if (id === undefined) this.bufferIds.set(b, (id = this.nextBufferId++));
    return id;
  }

  /** Destroys a buffer (WebGPU defers it until submitted work is done) and forgets bind groups on it. */
  destroy(buffer: GPUBuffer): void {
    buffer.destroy();
    this.bindGroups.clear();
    this.bindGroupCount = 0;
  }

  /** The most z workgroups runBatches puts in one dispatch (tests lower it to split small batches). */
  maxBatchGroups = MAX_GROUPS;

  /** run() of a kernel whose z counts batch items (a matrix, a sample): more than 65,535 of them (WebGPU's
   * default limit per dimension) go in several dispatches of at most that many, `params.z0` the first item
   * of each (the kernel adds it to its z). */
  runBatches<P extends Record<string, ParamType> & { z0: 'u32' }, B extends Record<string, BindingDecl>>(k: KernelDecl<P, B>, defines: Defines, bindings: BindingValues<B>, params: Omit<ParamValues<P>, 'z0'>, [x, y, z]: [number, number, number]): void {
    const most = this.maxBatchGroups;
    for (let z0 = 0; z0 < z; z0 += most) this.run(k, defines, bindings, { ...params, z0 } as ParamValues<P>, [x, y, Math.min(most, z - z0)]);
  }

  /** Workgroup counts for n invocations of a 1-D kernel: x is capped at 65535, the rest spills into y. */
  groups1d(n: number, workgroupSize: number): [number, number] {
    const g = Math.max(1, Math.ceil(n / workgroupSize));
    if (g <= 65535) return [g, 1];
    const y = Math.ceil(g / 65535);
    return [Math.ceil(g / y), y];
  }

  private endPass(): GPUCommandEncoder {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    return (this.encoder ??= this.device.createCommandEncoder());
  }

  copy(src: BufferView, dst: BufferView, bytes: number, srcOffset = 0, dstOffset = 0): void {
    if (src.buffer === dst.buffer) {
      // WebGPU refuses a copy within one buffer (two parameters in one optimiser arena, a tensor written
      // from a view of itself): the same bytes need no copy, other bytes go through a scratch buffer.
      if ((src.offset ?? 0) + srcOffset === (dst.offset ?? 0) + dstOffset || !bytes) return;
      const scratch = this.acquire(bytes);
      this.copy(src, { buffer: scratch, bytes }, bytes, srcOffset, 0);
      this.copy({ buffer: scratch, bytes }, dst, bytes, 0, dstOffset);
      this.release(scratch); // reused only by commands after these two
      return;
    }
    this.endPass().copyBufferToBuffer(src.buffer, (src.offset ?? 0) + srcOffset, dst.buffer, (dst.offset ?? 0) + dstOffset, bytes);
    this.batchKernels.push('copy');
    this.recorder?.copy(src, dst, bytes, srcOffset, dstOffset);
  }

  /** Submits everything recorded so far, with its params, as one command buffer. */
  flush(): void {
    if (!this.encoder) return;
    const encoder = this.endPass();
    if (this.paramsUsed) this.device.queue.writeBuffer(this.paramsBuffer, 0, this.paramsArena, 0, this.paramsUsed);
    const kernels = this.batchKernels;
    this.device.pushErrorScope('validation');
    this.device.queue.submit([encoder.finish()]);
    this.checkLater(
      this.device.popErrorScope().then((e) => (e ? `GPU validation error in a batch of [${[...new Set(kernels)].join(', ')}]: ${e.message}` : null)),
    );
    this.stats.submits++;
    this.encoder = null;
    this.paramsUsed = 0;
    this.batchKernels = [];
  }

  /** Host code that a compiled step's replays run at this point, in order with its dispatches (an
   * optimiser advancing its step count); nothing happens when no step is being recorded. */
  onReplay(run: () => void): void {
    this.recorder?.host(run);
  }

  /** A condition on host data that a compiled step's replay of this point needs (see Recorder.guard). */
  guard(check: () => boolean): void {
    this.recorder?.guard(check);
  }

  /** The batch's command encoder, no pass open, for commands encoded elsewhere (a compiled step's
   * replay): they go after everything recorded so far, in the same submit as what follows them (the
   * loss's readback), with the same error check. `what` names them in a validation error. */
  commandEncoder(what: string): GPUCommandEncoder {
    const encoder = this.endPass();
    this.batchKernels.push(what);
    return encoder;
  }

  /** The buffers in the pool now. */
  pooledSet(): Set<GPUBuffer> {
    const s = new Set<GPUBuffer>();
    for (const list of this.pool.values()) for (const b of list) s.add(b);
    return s;
  }

  /** Takes buffers out of the pool for a compiled step that owns them from now on; returns them. */
  pin(buffers: GPUBuffer[]): GPUBuffer[] {
    const wanted = new Set(buffers);
    for (const [size, list] of this.pool) {
      const keep = list.filter((b) => !wanted.has(b));
      const n = list.length - keep.length;
      if (!n) continue;
      this.pool.set(size, keep);
      this.stats.pooledBytes -= n * size;
      this.stats.pooledBuffers -= n;
      this.stats.pinnedBytes += n * size;
    }
    return buffers;
  }

  /** Gives pinned buffers back to the pool (a compiled step's plan was dropped). */
  unpin(buffers: GPUBuffer[]): void {
    for (const b of buffers) {
      this.stats.pinnedBytes -= b.size;
      this.release(b);
    }
  }

  /** Keeps an error check for the next checkErrors(). A loop that never reads back (a compiled step's
   * replays, each one submit) must not grow the list without bound: past ERROR_CHECKS it is folded into
   * one check that keeps the first error and the count. */
  private checkLater(check: Promise<string | null>): void {
    this.errorChecks.push(check);
    if (this.errorChecks.length < ERROR_CHECKS) return;
    const all = this.errorChecks;
    this.errorChecks = [
      Promise.all(all).then((es) => {
        const errors = es.filter((e): e is string => !!e);
        return errors.length ? errors[0] + (errors.length > 1 ? ` (and ${errors.length - 1} more)` : '') : null;
      }),
    ];
  }

  /** Throws the first WGSL/validation error seen since the last check, naming the kernel. */
  async checkErrors(): Promise<void> {
    const checks = this.errorChecks;
    this.errorChecks = [];
    const errors = (await Promise.all(checks)).filter((e): e is string => !!e);
    if (errors.length) throw new Error(`rootgrad: ${errors[0]}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`);
  }

  acquire(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    const list = this.pool.get(size);
    const b = list?.pop();
    if (b) {
      this.stats.poolHits++;
      this.stats.pooledBytes -= size;
      this.stats.pooledBuffers--;
      this.recorder?.acquired(b);
      return b;
    }
    this.stats.poolMisses++;
    this.stats.buffersCreated++;
    const created = this.device.createBuffer({ size, usage: STORAGE | COPY_SRC | COPY_DST });
    this.recorder?.acquired(created);
    return created;
  }

  /** Sets the pool's cap and frees pooled buffers above it (idle staging buffers first: they count
   * against the same cap); returns the previous cap. */
  setPoolCap(bytes: number): number {
    const prev = this.poolCapBytes;
    this.poolCapBytes = bytes;
    if (this.stats.pooledBytes + this.stats.stagingBytes > bytes) this.flush(); // destroy() waits for submitted work, not for unsubmitted
    for (const [size, list] of this.staging) {
      while (list.length && this.stats.pooledBytes + this.stats.stagingBytes > bytes) this.dropStaging(list.pop()!, size);
    }
    for (const [size, list] of [...this.pool.entries()].sort((a, b) => b[0] - a[0])) {
      while (list.length && this.stats.pooledBytes > bytes) {
        this.destroy(list.pop()!);
        this.stats.pooledBytes -= size;
        this.stats.pooledBuffers--;
      }
    }
    return prev;
  }

  release(buffer: GPUBuffer): void {
    const size = buffer.size;
    for (const listener of this.releaseListeners) listener(buffer);
    // While a compiled step records, its buffers stay whole (they are pinned when it ends), whatever the cap.
    if (this.recorder) this.recorder.released(buffer);
    else if (this.stats.pooledBytes + size > this.poolCapBytes) {
      // Destroying is safe even with pending work: WebGPU defers it until submitted commands finish.
      this.flush();
      this.destroy(buffer);
      return;
    }
    let list = this.pool.get(size);
    if (!list) this.pool.set(size, (list = []));
    list.push(buffer);
    this.stats.pooledBytes += size;
    this.stats.pooledBuffers++;
  }

  /** Writes host data into a buffer. Pending commands are submitted first: queue writes overtake unsubmitted work. */
  upload(dst: BufferView, data: ArrayBufferView, refresh?: () => ArrayBufferView): void {
    if (this.encoder) this.flush();
    this.recorder?.upload(dst, new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice(), refresh);
    this.device.queue.writeBuffer(dst.buffer, dst.offset ?? 0, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Copies bytes of a buffer back to the host (through a pooled staging buffer). */
  async read(src: BufferView): Promise<ArrayBuffer> {
    this.recorder?.readback();
    const bytes = src.bytes;
    const size = sizeClass(Math.max(4, bytes));
    let staging = this.staging.get(size)?.pop();
    if (staging) {
      this.stats.stagingBytes -= size;
      this.stats.stagingBuffers--;
    } else staging = this.device.createBuffer({ size, usage: MAP_READ | COPY_DST, label: 'rootgrad.staging' });
    this.endPass().copyBufferToBuffer(src.buffer, src.offset ?? 0, staging, 0, Math.ceil(bytes / 4) * 4);
    this.flush();
    try {
      await keepAliveUntil(staging.mapAsync(MAP_READ, 0, size));
    } catch (e) {
      staging.destroy();
      if (this.disposed) throw new RootgradError('SHUT_DOWN', 'rootgrad: shutdown() closed the device while this read was pending; its result is gone. Call `await init()` for a new device.');
      if (this.lost !== null) throw new RootgradError('DEVICE_LOST', `rootgrad: the GPU device was lost (${this.lost}); pending work was abandoned. Call init() again for a fresh device.`);
      await this.checkErrors();
      throw new Error(`rootgrad: reading data back failed: ${(e as Error).message}`);
    }
    const out = staging.getMappedRange(0, size).slice(0, bytes);
    staging.unmap();
    // Kept for the next read only up to a few per size and within the pool cap (counted in memory()).
    let list = this.staging.get(size);
    if (!list) this.staging.set(size, (list = []));
    if (this.disposed || list.length >= STAGING_PER_SIZE || this.stats.pooledBytes + this.stats.stagingBytes + size > this.poolCapBytes) staging.destroy();
    else {
      list.push(staging);
      this.stats.stagingBytes += size;
      this.stats.stagingBuffers++;
    }
    await this.checkErrors();
    return out;
  }

  private dropStaging(b: GPUBuffer, size: number): void {
    b.destroy(); // never bound, so no bind group to forget
    this.stats.stagingBytes -= size;
    this.stats.stagingBuffers--;
  }

  /** Set by shutdown(): the device is gone; what this runtime pooled has been destroyed. */
  private disposed = false;

  /** Destroys every pooled and staging buffer and the params buffer (shutdown(): the runtime is not used again). */
  dispose(): void {
    this.disposed = true;
    for (const [size, list] of this.staging) while (list.length) this.dropStaging(list.pop()!, size);
    for (const [size, list] of this.pool) {
      for (const b of list.splice(0)) {
        b.destroy();
        this.stats.pooledBytes -= size;
        this.stats.pooledBuffers--;
      }
    }
    this.paramsBuffer.destroy();
    this.bindGroups.clear();
    this.bindGroupCount = 0;
    this.encoder = null;
    this.pass = null;
  }
}

let runtime: Runtime | null = null;

// shutdown() frees what the runtime holds: the device's destruction frees the GPU memory, and this lets go
// of the buffers on the host side and zeroes the counts.
onShutdown(() => {
  runtime?.dispose();
  runtime = null;
});

/** The runtime of the current device (a fresh one after the device changed). */
export function rt(): Runtime {
  const s = current();
  if (!runtime || runtime.generation !== s.generation) runtime = new Runtime(s.device, s.generation);
  return runtime;
}
