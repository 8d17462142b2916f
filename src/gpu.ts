// Device layer: one adapter and one device per process (or page), shared by every module instance.
// Browsers get WebGPU from navigator.gpu; Node registers a provider (src/node-gpu.ts) that loads the
// `webgpu` package lazily, so the browser bundle never touches it.
import { RootgradError } from './errors.js';
import { checkOptions } from './options.js';

export interface InitOptions {
  /** Adapter choice: 'swiftshader' (software), 'high-performance', 'low-power', or a name fragment. Default: $ROOTGRAD_ADAPTER. */
  adapter?: string;
  /** Never print the adapter choice (it goes to stderr only with $ROOTGRAD_DEBUG set). Default: $ROOTGRAD_QUIET. */
  quiet?: boolean;
}

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  device: string;
  /** True for CPU-backed adapters such as SwiftShader. */
  software: boolean;
  /** How the adapter was chosen, when that is worth a word (e.g. a software fallback); the command shows it. */
  note?: string;
}

export interface GpuSource {
  gpu: GPU;
  /** Whatever must stay referenced while devices live (Dawn tears down when its instance is collected). */
  hold: unknown;
  /** A line worth telling the user once, e.g. that a software fallback was chosen. */
  note?: string;
}

export type GpuProvider = (opts: InitOptions) => Promise<GpuSource>;

interface DeviceState {
  device: GPUDevice;
  adapter: GPUAdapter;
  info: AdapterInfo;
  hold: unknown;
  generation: number;
  lost: string | null;
  /** Callbacks Dawn still owes (reads' mapAsync): the instance must outlive them. */
  inflight: Set<Promise<unknown>>;
}

// Kept on globalThis so that several copies of this module (vitest re-imports, bundles) share one device
// and the Dawn instance is never garbage-collected while a device lives.
const KEY = Symbol.for('rootgrad.gpu');
type Holder = { state: DeviceState | null; pending: Promise<DeviceState> | null; provider: GpuProvider | null; generation: number; ended?: Record<number, 'shut down' | 'lost'> };
const holder: Holder = ((globalThis as any)[KEY] ??= { state: null, pending: null, provider: null, generation: 0 });
/** How each earlier device ended, by generation: a tensor from one says so when it is used. */
const ended = (holder.ended ??= {});

export function setGpuProvider(p: GpuProvider): void {
  holder.provider ??= p;
}

function env(name: string): string | undefined {
  const p = (globalThis as any).process;
  return p?.env?.[name];
}

/** The limits we ask for, explicitly: identical requests on every platform keep the kernels' behaviour identical. */
function requiredLimits(adapter: GPUAdapter): Record<string, number> {
  const cap = (name: keyof GPUSupportedLimits, want: number) => Math.min(want, adapter.limits[name] as number);
  return {
    maxStorageBuffersPerShaderStage: cap('maxStorageBuffersPerShaderStage', 10), // Chromium offers 10, Dawn in Node 12
    maxBufferSize: cap('maxBufferSize', 1 << 30),
    maxStorageBufferBindingSize: cap('maxStorageBufferBindingSize', 1 << 30),
    maxComputeWorkgroupStorageSize: cap('maxComputeWorkgroupStorageSize', 16384),
    maxComputeInvocationsPerWorkgroup: cap('maxComputeInvocationsPerWorkgroup', 256),
    maxComputeWorkgroupSizeX: cap('maxComputeWorkgroupSizeX', 256),
  };
}

function describe(info: GPUAdapterInfo): AdapterInfo {
  const description = info.description || '';
  const architecture = info.architecture || '';
  const software = /swiftshader|llvmpipe|lavapipe|software|warp|microsoft basic/i.test(`${description} ${architecture} ${info.vendor}`);
  return { vendor: info.vendor || '', architecture, description, device: info.device || '', software };
}

async function acquire(opts: InitOptions): Promise<DeviceState> {
  const choice = opts.adapter ?? env('ROOTGRAD_ADAPTER');
  const quiet = opts.quiet ?? !!env('ROOTGRAD_QUIET');
  let source: GpuSource;
  const nav = (globalThis as any).navigator as Navigator | undefined;
  if (holder.provider) {
    source = await holder.provider({ ...opts, adapter: choice });
  } else if (nav?.gpu) {
    source = { gpu: nav.gpu, hold: null };
  } else {
    throw noWebGpu();
  }
  const powerPreference = choice === 'low-power' || choice === 'high-performance' ? choice : undefined;
  const adapter = await source.gpu.requestAdapter(powerPreference ? { powerPreference } : undefined);
  if (!adapter) {
    throw new RootgradError(
      'NO_WEBGPU',
      inBrowser()
        ? `rootgrad: this browser has WebGPU but gave no adapter (${browserHint})`
        : 'rootgrad: WebGPU found no adapter. Without a GPU on Debian/Ubuntu, install the software one: sudo apt-get install -y chromium libvulkan1 (it provides SwiftShader).',
    );
  }
  const device = await adapter.requestDevice({ requiredLimits: requiredLimits(adapter) });
  const info: AdapterInfo = { ...describe(adapter.info), ...(source.note ? { note: source.note } : {}) };
  if (source.note && !quiet && env('ROOTGRAD_DEBUG')) console.error(`rootgrad: ${source.note}`);
  const state: DeviceState = { device, adapter, info, hold: source.hold, generation: ++holder.generation, lost: null, inflight: new Set() };
  device.lost.then((e) => {
    state.lost ??= e.message || e.reason || 'device lost';
    ended[state.generation] ??= 'lost';
    if (holder.state === state) holder.state = null;
  });
  return state;
}

/** Gets one adapter and device, once; later calls return the same device (or a fresh one after a device loss). */
export async function init(opts: InitOptions = {}): Promise<AdapterInfo> {
  checkOptions('init', opts, ['adapter', 'quiet']);
  if (holder.state && !holder.state.lost) return holder.state.info;
  holder.pending ??= acquire(opts).finally(() => (holder.pending = null));
  holder.state = await holder.pending;
  return holder.state.info;
}

export function adapterInfo(): AdapterInfo {
  return current().info;
}

/** The live device state; throws a clear error when init() was not awaited. */
export function current(): DeviceState {
  const s = holder.state;
  if (s) return s;
  const last = ended[holder.generation];
  if (last === 'shut down') throw new RootgradError('SHUT_DOWN', 'rootgrad: shutdown() closed the device; call `await init()` for a new one.');
  if (last === 'lost') throw new RootgradError('DEVICE_LOST', 'rootgrad: the GPU device was lost; call `await init()` for a new one and make the tensors again.');
  throw new RootgradError('NOT_INITIALISED', 'rootgrad: no device: call `await init()` first.');
}

/** Throws unless `generation` is the live device's: what used a tensor (`what`) from a device that
 * shutdown() closed or that was lost is told which, with a typed error. */
export function checkGeneration(generation: number, what: string): void {
  const s = holder.state;
  if (s && !s.lost && s.generation === generation) return;
  const how = ended[generation] ?? (s?.generation === generation ? 'lost' : undefined);
  if (how === 'shut down') throw new RootgradError('SHUT_DOWN', `${what} belongs to a device that shutdown() closed; call \`await init()\` and make it again`);
  if (how === 'lost') throw new RootgradError('DEVICE_LOST', `${what} belongs to a GPU device that was lost; call \`await init()\` and make it again on the new device`);
  current(); // not initialised (or another device): that error
}

/** True where WebGPU gives an adapter (the device is not requested). Never throws: a missing WebGPU, an
 * insecure page or a missing 'webgpu' package in Node all give false. */
export async function isSupported(opts: InitOptions = {}): Promise<boolean> {
  checkOptions('isSupported', opts, ['adapter', 'quiet']);
  if (hasDevice()) return true;
  try {
    const nav = (globalThis as any).navigator as Navigator | undefined;
    const gpu = holder.provider ? (await holder.provider({ ...opts, adapter: opts.adapter ?? env('ROOTGRAD_ADAPTER') })).gpu : nav?.gpu;
    return !!gpu && !!(await gpu.requestAdapter());
  } catch {
    return false;
  }
}

/** A page (a window or a worker) rather than Node, Deno's CLI or Bun. */
function inBrowser(): boolean {
  const g = globalThis as any;
  return typeof g.document !== 'undefined' || (typeof g.WorkerGlobalScope !== 'undefined' && g instanceof g.WorkerGlobalScope);
}

const browserHint =
  'use a browser with WebGPU: Chrome or Edge 113+ (on Linux enable chrome://flags/#enable-unsafe-webgpu and check chrome://gpu), Safari 26+, or Firefox 141+ on Windows; a blocklisted GPU or driver leaves it off';

/** Why there is no WebGPU, for the environment we are in. */
function noWebGpu(): RootgradError {
  const g = globalThis as any;
  if (inBrowser()) {
    if (g.isSecureContext === false) {
      const here = g.location?.origin ? ` (this page is ${g.location.origin})` : '';
      return new RootgradError('INSECURE_CONTEXT', `rootgrad: WebGPU needs a secure context: serve the page over https or from localhost${here}.`);
    }
    return new RootgradError('NO_WEBGPU', `rootgrad: this browser has no WebGPU (navigator.gpu is missing): ${browserHint}.`);
  }
  return new RootgradError('NO_WEBGPU', "rootgrad: no WebGPU here. In Node, import 'rootgrad' through its Node entry (the 'node' export condition) and install Dawn: npm install webgpu");
}

export function hasDevice(): boolean {
  return !!holder.state && !holder.state.lost;
}

const shutdownHooks: (() => void)[] = [];

/** Runs fn at every shutdown(), before the device is destroyed (the runtime frees its pools). */
export function onShutdown(fn: () => void): void {
  shutdownHooks.push(fn);
}

/** Destroys the device and drops the WebGPU instance so that the process can exit. */
export function shutdown(): void {
  for (const fn of shutdownHooks) fn();
  const s = holder.state;
  holder.state = null;
  if (s) {
    s.lost = 'shut down';
    ended[s.generation] = 'shut down';
    s.device.destroy();
    // The instance answers what is still pending (a read's mapAsync, device.lost) after destroy(); freed
    // before that (the garbage collector, once nothing holds it) it crashed the process under them. It is
    // let go once they have settled, so that the process can still exit.
    const hold = s.hold;
    s.hold = null;
    retired.add(hold);
    void Promise.allSettled([s.device.lost, ...s.inflight]).then(() => retired.delete(hold));
  }
}

/** Instances of devices shut down whose pending callbacks have not all been answered yet. */
const retired = new Set<unknown>();

/** Keeps the device's WebGPU instance alive until `p` settles, even across shutdown() (a read's mapAsync). */
export function keepAliveUntil<T>(p: Promise<T>): Promise<T> {
  const s = holder.state;
  if (!s) return p;
  s.inflight.add(p);
  const done = () => s.inflight.delete(p);
  p.then(done, done);
  return p;
}
