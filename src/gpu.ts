// Device layer: one adapter and one device per process (or page), shared by every module instance.
// Browsers get WebGPU from navigator.gpu; Node registers a provider (src/node-gpu.ts) that loads the
// `webgpu` package lazily, so the browser bundle never touches it.

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
}

// Kept on globalThis so that several copies of this module (vitest re-imports, bundles) share one device
// and the Dawn instance is never garbage-collected while a device lives.
const KEY = Symbol.for('rootgrad.gpu');
type Holder = { state: DeviceState | null; pending: Promise<DeviceState> | null; provider: GpuProvider | null; generation: number };
const holder: Holder = ((globalThis as any)[KEY] ??= { state: null, pending: null, provider: null, generation: 0 });

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
    throw new Error(
      'rootgrad: no WebGPU here. In a browser, use one with WebGPU enabled (a secure context: https or localhost). ' +
        "In Node, import 'rootgrad' through its Node entry (dist/node/index.js) and install the 'webgpu' package.",
    );
  }
  const powerPreference = choice === 'low-power' || choice === 'high-performance' ? choice : undefined;
  const adapter = await source.gpu.requestAdapter(powerPreference ? { powerPreference } : undefined);
  if (!adapter) {
    throw new Error(
      'rootgrad: WebGPU found no adapter. Without a GPU on Debian/Ubuntu, install the software one: ' +
        'sudo apt-get install -y chromium libvulkan1 (it provides SwiftShader); in a browser, enable WebGPU.',
    );
  }
  const device = await adapter.requestDevice({ requiredLimits: requiredLimits(adapter) });
  const info: AdapterInfo = { ...describe(adapter.info), ...(source.note ? { note: source.note } : {}) };
  if (source.note && !quiet && env('ROOTGRAD_DEBUG')) console.error(`rootgrad: ${source.note}`);
  const state: DeviceState = { device, adapter, info, hold: source.hold, generation: ++holder.generation, lost: null };
  device.lost.then((e) => {
    state.lost = e.message || e.reason || 'device lost';
    if (holder.state === state) holder.state = null;
  });
  return state;
}

/** Gets one adapter and device, once; later calls return the same device (or a fresh one after a device loss). */
export async function init(opts: InitOptions = {}): Promise<AdapterInfo> {
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
  if (!s) throw new Error('rootgrad: no device: call `await init()` first (or again after a device loss).');
  return s;
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
    s.device.destroy();
    s.hold = null;
  }
}
