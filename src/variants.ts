// Kernel variants chosen per adapter. CPU-like adapters (SwiftShader) pay dearly for workgroup barriers,
// so they get kernels where one invocation owns a whole row or block; GPUs get workgroup-cooperative ones.
// Override with setKernelVariant() or ROOTGRAD_VARIANT_<NAME>=<variant> (e.g. ROOTGRAD_VARIANT_LOSSROWS=workgroup).
import { adapterInfo } from './gpu.js';

export interface Variants {
  /** Fused multiclass losses: one invocation per row ('thread') or one workgroup per row ('workgroup'). */
  lossRows: 'thread' | 'workgroup';
}

const overrides: Partial<Variants> = {};

const defaults = (software: boolean): Variants => ({
  lossRows: software ? 'thread' : 'workgroup',
});

export function setKernelVariant<K extends keyof Variants>(name: K, value: Variants[K] | 'auto'): void {
  if (value === 'auto') delete overrides[name];
  else overrides[name] = value;
}

export function kernelVariant<K extends keyof Variants>(name: K): Variants[K] {
  if (overrides[name]) return overrides[name] as Variants[K];
  const env = (globalThis as any).process?.env?.[`ROOTGRAD_VARIANT_${name.toUpperCase()}`];
  if (env) return env as Variants[K];
  return defaults(adapterInfo().software)[name];
}
