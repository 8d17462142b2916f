// autotune(): times each kernel variant on the current adapter for a few shape classes and keeps the
// fastest per class for this process (and, given a store, for later ones). Run it before training, not
// during: switching variants mid-run would change the order of float additions, and with it the bits.
import { adapterInfo } from './gpu.js';
import { rt } from './runtime.js';
import { randn } from './creation.js';
import { matmul } from './ops/matmul.js';
import { softmax } from './ops/softmax.js';
import { sum } from './ops/reduce.js';
import { conv2d } from './ops/conv.js';
import { linearCrossEntropy } from './ops/linear_losses.js';
import { fromHost } from './creation.js';
import { noGrad, type Tensor } from './tensor.js';
import { setKernelVariant, tuned, type Variants } from './variants.js';
import { checkOptions } from './options.js';

export interface TuneStore {
  load(): string | null;
  save(text: string): void;
}

export interface TuneResult {
  kernel: keyof Variants;
  shapeClass: string;
  ms: Record<string, number>;
  chosen: string;
}

/** What autotune() times: per kernel and shape class, the variants and a representative call. */
type TuneCase = { kernel: keyof Variants; shapeClass: string; variants: string[]; shapes: number[][]; call: (ts: Tensor[]) => Tensor; backward?: boolean };

/** The measured cases (made when autotune runs: an app that never tunes bundles none of the ops they call). */
function tuneCases(): TuneCase[] {
  return [
    ...([['small', 64], ['medium', 256], ['large', 512]] as const).map(([shapeClass, n]) => ({
      kernel: 'matmul' as const, shapeClass, variants: ['registers', 'tiled'], shapes: [[n, n], [n, n]], call: ([a, b]: Tensor[]) => matmul(a, b),
    })),
    // conv2d forward per GEMM-size class (convClass): 16->16 channels on 16x16 (batch 2) and 32->32 on 16x16 (batch 1), 3x3
    ...([['small', 2, 16, 16], ['large', 1, 32, 16]] as const).map(([shapeClass, N, C, S]) => ({
      kernel: 'conv' as const, shapeClass, variants: ['blocked', 'tiled'], shapes: [[N, C, S, S], [C, C, 3, 3]], call: ([x, w]: Tensor[]) => conv2d(x, w, null, { padding: 1 }),
    })),
    // fused linear loss, forward and backward (the strategies split the work between the two differently)
    { kernel: 'linearLoss', shapeClass: 'any', variants: ['chunked', 'tiled'], shapes: [[256, 32], [2048, 32]], backward: true, call: ([h, w]: Tensor[]) => linearCrossEntropy(h, w, fromHost(new Int32Array(256), [256], 'i32')) },
    ...([['short', 64], ['long', 2048]] as const).flatMap(([shapeClass, C]) => [
      { kernel: 'softmax' as const, shapeClass, variants: ['thread', 'workgroup'], shapes: [[(1 << 17) / C, C]], call: ([x]: Tensor[]) => softmax(x, -1) },
      { kernel: 'reduce' as const, shapeClass, variants: ['thread', 'workgroup'], shapes: [[(1 << 17) / C, C]], call: ([x]: Tensor[]) => sum(x, -1) },
    ]),
  ];
}

/** Measures the variants of matmul, conv2d, the fused linear loss, softmax and row sums per shape class (median of `iters` after a
 * warm-up) and adopts the fastest; with a store, reuses an earlier result for the same adapter. */
export async function autotune(opts: { iters?: number; store?: TuneStore } = {}): Promise<TuneResult[]> {
  checkOptions('autotune', opts, ['iters', 'store']);
  const { iters = 3, store } = opts;
  const adapter = `${adapterInfo().vendor}/${adapterInfo().architecture}/${adapterInfo().description}`;
  const saved = store?.load();
  if (saved) {
    const parsed = JSON.parse(saved) as { adapter: string; results: TuneResult[] };
    if (parsed.adapter === adapter) {
      for (const r of parsed.results) tuned.set(`${r.kernel}:${r.shapeClass}`, r.chosen);
      return parsed.results;
    }
  }
  const results: TuneResult[] = [];
  for (const c of tuneCases()) {
    const inputs = c.shapes.map((s) => randn(s, { requiresGrad: !!c.backward }));
    const ms: Record<string, number> = {};
    try {
      for (const variant of c.variants) {
        setKernelVariant(c.kernel, variant as never);
        const times: number[] = [];
        for (let i = 0; i <= iters; i++) {
          const t0 = performance.now();
          const out = c.backward ? c.call(inputs) : noGrad(() => c.call(inputs));
          if (c.backward) out.backward();
          await rt().read((c.backward ? inputs[1].grad! : out).storage().view(4));
          if (c.backward) {
            for (const t of inputs) {
              t.grad?.dispose();
              t.grad = null;
            }
          }
          if (i) times.push(performance.now() - t0);
          out.dispose();
        }
        ms[variant] = times.sort((x, y) => x - y)[Math.floor(times.length / 2)];
      }
    } finally {
      setKernelVariant(c.kernel, 'auto');
      inputs.forEach((t) => t.dispose());
    }
    const chosen = c.variants.reduce((best, v) => (ms[v] < ms[best] ? v : best));
    tuned.set(`${c.kernel}:${c.shapeClass}`, chosen);
    results.push({ kernel: c.kernel, shapeClass: c.shapeClass, ms, chosen });
  }
  store?.save(JSON.stringify({ adapter, results }, null, 2));
  return results;
}

/** A store in the browser's localStorage. */
export function localStorageStore(key = 'rootgrad.autotune'): TuneStore {
  const ls = (globalThis as any).localStorage;
  return { load: () => ls?.getItem(key) ?? null, save: (t) => ls?.setItem(key, t) };
}
