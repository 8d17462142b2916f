// autotune(): times each kernel variant on the current adapter for a few shape classes and keeps the
// fastest per class for this process (and, given a store, for later ones). Run it before training, not
// during: switching variants mid-run would change the order of float additions, and with it the bits.
import { adapterInfo } from './gpu.js';
import { rt } from './runtime.js';
import { randn } from './creation.js';
import { matmul } from './ops/matmul.js';
import { setKernelVariant, tuned, type Variants } from './variants.js';

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

const CLASSES: [string, number][] = [
  ['small', 64],
  ['medium', 256],
  ['large', 512],
];

/** Measures the matmul variants per shape class (median of `iters` after a warm-up) and adopts the fastest. */
export async function autotune(opts: { iters?: number; store?: TuneStore } = {}): Promise<TuneResult[]> {
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
  for (const [cls, n] of CLASSES) {
    const a = randn([n, n]);
    const b = randn([n, n]);
    const ms: Record<string, number> = {};
    for (const variant of ['registers', 'tiled'] as const) {
      setKernelVariant('matmul', variant);
      const times: number[] = [];
      for (let i = 0; i <= iters; i++) {
        const t0 = performance.now();
        const c = matmul(a, b);
        await rt().read(c.storage().view(4));
        if (i) times.push(performance.now() - t0);
        c.dispose();
      }
      ms[variant] = times.sort((x, y) => x - y)[Math.floor(times.length / 2)];
    }
    setKernelVariant('matmul', 'auto');
    a.dispose();
    b.dispose();
    const chosen = ms.registers <= ms.tiled ? 'registers' : 'tiled';
    tuned.set(`matmul:${cls}`, chosen);
    results.push({ kernel: 'matmul', shapeClass: cls, ms, chosen });
  }
  store?.save(JSON.stringify({ adapter, results }, null, 2));
  return results;
}

/** A store in the browser's localStorage. */
export function localStorageStore(key = 'rootgrad.autotune'): TuneStore {
  const ls = (globalThis as any).localStorage;
  return { load: () => ls?.getItem(key) ?? null, save: (t) => ls?.setItem(key, t) };
}
