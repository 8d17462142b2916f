// Node's WebGPU: the `webgpu` package (Dawn). Loaded lazily so that only the Node build references it.
// Without a hardware adapter we fall back to SwiftShader, the CPU Vulkan driver inside Debian's chromium.
import { existsSync, readdirSync } from 'node:fs';
import type { GpuProvider } from './gpu.js';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const VULKAN_ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

function hasSystemVulkanDriver(): boolean {
  return VULKAN_ICD_DIRS.some((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json')));
}

const INSTALL_HINT =
  'Without a GPU on Debian/Ubuntu, install the software adapter (SwiftShader, shipped in chromium) and the Vulkan loader: ' +
  'sudo apt-get install -y chromium libvulkan1';

export const nodeGpu: GpuProvider = async (opts) => {
  let webgpu: typeof import('webgpu');
  try {
    webgpu = await import('webgpu');
  } catch (e) {
    throw new Error(`rootgrad: cannot load the 'webgpu' package (Dawn for Node): ${(e as Error).message}. Run: npm install webgpu`);
  }
  for (const [k, v] of Object.entries(webgpu.globals)) (globalThis as any)[k] ??= v;
  const choice = opts.adapter;
  const isLinux = process.platform === 'linux';
  const swiftshaderAvailable = isLinux && existsSync(SWIFTSHADER_ICD);
  const useSwiftShader = () => {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD; // read by the Vulkan loader at Dawn's first create()
    return webgpu.create([]);
  };

  if (choice === 'swiftshader') {
    if (!swiftshaderAvailable) throw new Error(`rootgrad: ROOTGRAD_ADAPTER=swiftshader but ${SWIFTSHADER_ICD} is missing. ${INSTALL_HINT}`);
    const gpu = useSwiftShader();
    return { gpu, hold: gpu, note: 'adapter: SwiftShader (software), as requested' };
  }
  const flags = choice && choice !== 'low-power' && choice !== 'high-performance' ? [`adapter=${choice}`] : [];
  // Probe hardware first unless the user already pointed the loader somewhere, or there is no driver to probe
  // (probing a machine without any Vulkan driver only prints Dawn's warnings).
  if (!isLinux || process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES || hasSystemVulkanDriver() || !swiftshaderAvailable) {
    const gpu = webgpu.create(flags);
    const adapter = await gpu.requestAdapter();
    if (adapter) return { gpu, hold: gpu };
  }
  if (!swiftshaderAvailable) throw new Error(`rootgrad: no WebGPU adapter found. ${INSTALL_HINT}`);
  const gpu = useSwiftShader();
  return { gpu, hold: gpu, note: 'no hardware WebGPU adapter found; using SwiftShader (software, on the CPU)' };
};
