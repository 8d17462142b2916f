// The peer frameworks of the side-by-side benchmarks (devDependencies, used only in bench/): TensorFlow.js
// with its webgpu backend and jax-js on webgpu, both on a second Dawn instance of the same adapter rootgrad
// uses (call after rg.init(), which sets up SwiftShader when there is no GPU).
import { create, globals } from 'webgpu';

export async function loadPeers(): Promise<{ tf: typeof import('@tensorflow/tfjs-core'); jax: any; jaxOk: boolean }> {
  for (const [k, v] of Object.entries(globals)) (globalThis as any)[k] ??= v;
  const peerGpu = create([]);
  (globalThis as any).navigator ??= { userAgent: 'node' };
  (globalThis as any).navigator.gpu = peerGpu;
  (globalThis as any).__rootgradPeerGpu = peerGpu; // held while the peers' devices live
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  await import('@tensorflow/tfjs-backend-webgpu');
  await tf.setBackend('webgpu');
  await tf.ready();
  const jax: any = await import('@jax-js/jax');
  const jaxOk = ((await jax.init()) as string[]).includes('webgpu');
  if (jaxOk) jax.defaultDevice('webgpu');
  return { tf, jax, jaxOk };
}
