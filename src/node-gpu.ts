// Node's WebGPU: the `webgpu` package (Dawn). Loaded lazily so that only the Node build references it.
// Without a hardware adapter we fall back to SwiftShader, the CPU Vulkan driver inside Debian's chromium.
//
// Quiet by default, by removing the causes of the native noise rather than filtering stderr:
// - Mesa's device-select Vulkan layer (an implicit layer that chooses the GPU driving the display) connects
//   to Wayland and X on every instance; headless, libwayland prints "XDG_RUNTIME_DIR is invalid" each time.
//   With no display there is nothing to select, so we set NODEVICE_SELECT=1, the layer's own switch.
// - Probing a machine that has no GPU device only makes Dawn warn about the drivers it rejects (Mesa's
//   lavapipe lacks shaderUniform*ArrayDynamicIndexing; the hardware ICDs find no device). We probe only when
//   a GPU device node exists, and leave lavapipe (software, rejected by Dawn) out of the probe.
// ROOTGRAD_DEBUG=1 restores the plain behaviour, noise included, for diagnosing adapter problems.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { GpuProvider } from './gpu.js';
import { RootgradError } from './errors.js';

/** The Dawn build rootgrad is tested with: package.json's optional peer dependency (a test keeps them equal).
 * Optional so that a browser app installs no native binaries; the Node entry asks for it here. */
export const WEBGPU_PACKAGE = 'webgpu@0.6.2';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const VULKAN_ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
/** ICDs that are CPU rasterisers Dawn rejects or that we reach as SwiftShader anyway. */
const SOFTWARE_ICD = /^(lvp|swiftshader)_icd/;

/** The hardware Vulkan drivers' manifests installed system-wide. */
function hardwareIcds(): string[] {
  return VULKAN_ICD_DIRS.flatMap((d) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.json') && !SOFTWARE_ICD.test(f)).map((f) => join(d, f)) : []));
}

/** A GPU device node: DRM render nodes (Mesa, AMD, Intel), NVIDIA's driver, or WSL's GPU. */
function hasGpuDeviceNode(): boolean {
  const dri = existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  return dri || existsSync('/dev/nvidia0') || existsSync('/dev/dxg');
}

const INSTALL_HINT =
  'Without a GPU on Debian/Ubuntu, install the software adapter (SwiftShader, shipped in chromium) and the Vulkan loader: ' +
  'sudo apt-get install -y chromium libvulkan1';

export const nodeGpu: GpuProvider = async (opts) => {
  let webgpu: typeof import('webgpu');
  try {
    webgpu = await import('webgpu');
  } catch (e) {
    throw new RootgradError(
      'NO_WEBGPU',
      `rootgrad: Node needs the 'webgpu' package (Dawn's WebGPU for Node), an optional peer dependency that is not installed: run \`npm install ${WEBGPU_PACKAGE}\` next to rootgrad (${(e as Error).message.split('\n')[0]})`,
    );
  }
  for (const [k, v] of Object.entries(webgpu.globals)) (globalThis as any)[k] ??= v;
  const env = process.env;
  const debug = !!env.ROOTGRAD_DEBUG;
  const choice = opts.adapter;
  const isLinux = process.platform === 'linux';
  if (isLinux && !debug && !env.WAYLAND_DISPLAY && !env.DISPLAY) env.NODEVICE_SELECT ??= '1';
  const swiftshaderAvailable = isLinux && existsSync(SWIFTSHADER_ICD);
  const useSwiftShader = () => {
    env.VK_ICD_FILENAMES = SWIFTSHADER_ICD; // read by the Vulkan loader at each instance's creation
    return webgpu.create([]);
  };

  if (choice === 'swiftshader') {
    if (!swiftshaderAvailable) throw new RootgradError('NO_WEBGPU', `rootgrad: ROOTGRAD_ADAPTER=swiftshader but ${SWIFTSHADER_ICD} is missing. ${INSTALL_HINT}`);
    const gpu = useSwiftShader();
    return { gpu, hold: gpu, note: 'SwiftShader (software), as requested' };
  }
  const flags = choice && choice !== 'low-power' && choice !== 'high-performance' ? [`adapter=${choice}`] : [];
  const userPointedLoader = !!(env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES);
  // Probe hardware unless we know there is none: no GPU device node on Linux (then probing only prints
  // Dawn's warnings) and a software fallback to take instead.
  const probe = !isLinux || !swiftshaderAvailable || userPointedLoader || choice !== undefined || debug || hasGpuDeviceNode();
  if (probe) {
    const icds = isLinux && !userPointedLoader && !debug ? hardwareIcds() : [];
    if (icds.length) env.VK_ICD_FILENAMES = icds.join(':');
    const gpu = webgpu.create(flags);
    const adapter = await gpu.requestAdapter();
    if (icds.length) delete env.VK_ICD_FILENAMES;
    if (adapter) return { gpu, hold: gpu };
  }
  if (!swiftshaderAvailable) throw new RootgradError('NO_WEBGPU', `rootgrad: no WebGPU adapter found. ${INSTALL_HINT}`);
  const gpu = useSwiftShader();
  return { gpu, hold: gpu, note: 'software: no hardware WebGPU adapter found' };
};
