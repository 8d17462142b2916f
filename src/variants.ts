// Kernel variants chosen per adapter. CPU-like adapters (SwiftShader) pay dearly for workgroup barriers,
// so they get kernels where one invocation owns a whole row or block; GPUs get workgroup-cooperative ones.
// Override with setKernelVariant() or ROOTGRAD_VARIANT_<NAME>=<variant> (e.g. ROOTGRAD_VARIANT_LOSSROWS=workgroup).
import { adapterInfo } from './gpu.js';
import { hostReads } from './host-reads.js';

export interface Variants {
  /** Fused multiclass losses: one invocation per row ('thread') or one workgroup per row ('workgroup'). */
  lossRows: 'thread' | 'workgroup';
  /** Matmul: register-blocked without workgroup memory ('registers') or workgroup-memory tiles ('tiled'). */
  matmul: 'registers' | 'tiled';
  /** softmax / logSoftmax over contiguous rows, forward and backward: one invocation or one workgroup per row. */
  softmax: 'thread' | 'workgroup';
  /** Sums over contiguous rows (sum, mean along the last axis): one invocation or one workgroup per output. */
  reduce: 'thread' | 'workgroup';
  /** attention: flash-style kernels that never write the T x T scores ('flash'), or the scores through the
   * register-blocked matmul and one masked softmax kernel ('scores', O(T^2) memory). */
  attention: 'flash' | 'scores';
  /** Strided region moves (slice, cat, pad) of long contiguous rows: a buffer copy per row ('rows': fast on
   * SwiftShader, where the kernel's index divisions are slow, at ~4 µs of host time per row) or the
   * strided_move kernel ('kernel'). */
  move: 'rows' | 'kernel';
  /** conv2d forward: direct register-blocked ('blocked') or implicit GEMM with workgroup tiles ('tiled'). */
  conv: 'blocked' | 'tiled';
  /** Fused linear losses: row chunks through the linear kernel, gradients during the forward ('chunked',
   * Liger) or logits only in registers, recomputed in backward ('tiled', Cut Cross-Entropy). */
  linearLoss: 'chunked' | 'tiled';
}

const overrides: Partial<Variants> = {};

/** Every family's variants (typed: a family without its list does not compile). */
export const variantChoices: { [K in keyof Variants]: readonly Variants[K][] } = {
  lossRows: ['thread', 'workgroup'],
  matmul: ['registers', 'tiled'],
  softmax: ['thread', 'workgroup'],
  reduce: ['thread', 'workgroup'],
  attention: ['scores', 'flash'],
  move: ['rows', 'kernel'],
  conv: ['blocked', 'tiled'],
  linearLoss: ['chunked', 'tiled'],
};

/** Kernel sets that together force every variant of every family: set i takes each family's i-th variant
 * (its last where it has fewer): 'the CPU-like kernels' and 'the GPU kernels'. */
export function kernelSets(): { name: string; variants: Variants }[] {
  const n = Math.max(...Object.values(variantChoices).map((c) => c.length));
  return Array.from({ length: n }, (_, i) => {
    const variants = Object.fromEntries(Object.entries(variantChoices).map(([k, c]) => [k, c[Math.min(i, c.length - 1)]])) as unknown as Variants;
    return { name: Object.values(variants).join('/'), variants };
  });
}

/** Runs fn with every family forced to `variants`, then restores the overrides as they were. */
export async function withKernelSet<T>(variants: Variants, fn: () => Promise<T>): Promise<T> {
  const saved = { ...overrides };
  Object.assign(overrides, variants);
  try {
    return await fn();
  } finally {
    for (const k of Object.keys(overrides) as (keyof Variants)[]) delete overrides[k];
    Object.assign(overrides, saved);
  }
}

/** Per adapter (and row class): CPU-like adapters get the per-invocation kernels; GPUs the cooperative ones,
 * except for rows too short to fill a workgroup. */
const defaults = (software: boolean, shapeClass?: string): Variants => ({
  lossRows: software ? 'thread' : 'workgroup',
  matmul: software ? 'registers' : 'tiled',
  softmax: software || shapeClass === 'short' ? 'thread' : 'workgroup',
  reduce: software || shapeClass === 'short' ? 'thread' : 'workgroup',
  attention: software ? 'scores' : 'flash',
  move: software ? 'rows' : 'kernel',
  conv: software ? 'blocked' : 'tiled',
  linearLoss: software ? 'chunked' : 'tiled',
});

/** Choices measured by autotune(), per shape class ('matmul:small' ...), for this process. */
export const tuned = new Map<string, string>();

/** Forgets what autotune() chose: back to the adapter's defaults. */
export function resetAutotune(): void {
  tuned.clear();
}

export function setKernelVariant<K extends keyof Variants>(name: K, value: Variants[K] | 'auto'): void {
  if (value === 'auto') delete overrides[name];
  else overrides[name] = value;
}

/** The variant to use: an override, then $ROOTGRAD_VARIANT_<NAME>, then an autotuned choice for the shape
 * class, then the adapter's default. */
export function kernelVariant<K extends keyof Variants>(name: K, shapeClass?: string): Variants[K] {
  // A compiled step replays the kernels chosen when it recorded: it records again after the choice changes.
  if (hostReads.active) hostReads.active.depend(overrides, `kernel variant ${name}${shapeClass ? `:${shapeClass}` : ''}`, () => chosenVariant(name, shapeClass));
  return chosenVariant(name, shapeClass);
}

function chosenVariant<K extends keyof Variants>(name: K, shapeClass?: string): Variants[K] {
  if (overrides[name]) return overrides[name] as Variants[K];
  const env = (globalThis as any).process?.env?.[`ROOTGRAD_VARIANT_${name.toUpperCase()}`];
  if (env) return env as Variants[K];
  const t = shapeClass && tuned.get(`${name}:${shapeClass}`);
  if (t) return t as Variants[K];
  return defaults(adapterInfo().software, shapeClass)[name];
}

/** Row classes of softmax and row reductions, by row length: 'short' rows (< 128) leave most of a
 * 64-invocation workgroup idle. */
export function rowClass(length: number): string {
  return length < 128 ? 'short' : 'long';
}

/** Whether rows of `length` in a [outer, length, inner] view go one workgroup per row: only contiguous
 * rows (inner = 1), and only where the variant chosen for their row class says so. */
export function rowsPerWorkgroup(family: 'softmax' | 'reduce', inner: number, length: number): boolean {
  return inner === 1 && kernelVariant(family, rowClass(length)) === 'workgroup';
}

/** Workgroup shape of the register-blocked kernels (matmul_vec4, linear): 4x4 on CPU-like adapters, where
 * a workgroup is what one thread runs and small products need several to keep every core busy (at 128²
 * 4x4 ran 1.5x faster than 8x8 on SwiftShader, at 512² the same); 8x8 on GPUs. */
export function registerWorkgroup(): [number, number] {
  return adapterInfo().software ? [4, 4] : [8, 8];
}

/** Shape classes of a matmul, by its largest dimension. */
export function matmulClass(m: number, k: number, n: number): string {
  const d = Math.max(m, k, n);
  return d <= 128 ? 'small' : d <= 768 ? 'medium' : 'large';
}
