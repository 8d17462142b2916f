// gradcheck: the autograd gradient (GPU, f32) of a function of tensors against central finite
// differences of the same function on the float64 reference backend. Works on whole models: pass their
// parameters as the inputs. Any other GPU tensor the function reads (data, labels) is read back once.
import { noGrad, tidy, keep, Tensor } from './tensor.js';
import { fromHost } from './creation.js';
import { mul } from './ops/binary.js';
import { sum } from './ops/reduce.js';
import { runReference } from './backend.js';
import { Generator } from './random.js';
import type { F64 } from './ops/def.js';

export interface GradcheckOptions {
  /** Finite-difference step, relative to max(1, |x|). Default 1e-6 (the reference is float64). */
  eps?: number;
  /** Pass when |autograd - fd| <= atol + rtol * max|fd| over the input's checked elements. */
  atol?: number;
  rtol?: number;
  /** Check at most this many elements per input (a seeded sample); default all. */
  samples?: number;
  seed?: number;
}

export interface InputReport {
  input: string;
  shape: number[];
  checked: number;
  maxAbsError: number;
  /** max |autograd - fd| / max(max|fd|, atol) */
  maxRelError: number;
  worstIndex: number;
  pass: boolean;
}

export interface GradcheckReport {
  pass: boolean;
  inputs: InputReport[];
}

/** A scalar from fn's output: the output itself, or sum(out * w) with fixed pseudo-random weights. */
function scalarOf(out: Tensor, w: Tensor | null): Tensor {
  return w ? sum(mul(out, w)) : out;
}

export async function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[] | Record<string, Tensor>, opts: GradcheckOptions = {}): Promise<GradcheckReport> {
  const { eps = 1e-6, atol = 1e-5, rtol = 5e-3, samples = Infinity, seed = 0 } = opts;
  const named: [string, Tensor][] = Array.isArray(inputs) ? inputs.map((t, i) => [`input ${i}`, t]) : Object.entries(inputs);
  const xs = named.map(([, t]) => t);
  for (const [name, t] of named) if (t.dtype !== 'f32') throw new Error(`gradcheck: ${name} is ${t.dtype}; only f32 inputs have gradients`);

  // 1. autograd on the GPU
  const prev = xs.map((t) => [t.requiresGrad, t.grad] as const);
  xs.forEach((t) => {
    t.requiresGrad = true;
    t.grad = null;
  });
  let w: Tensor | null = null;
  const probe = noGrad(() => tidy(() => fn(...xs)));
  if (probe.size !== 1) {
    const g = new Generator(seed + 17);
    w = keep(fromHost(Array.from({ length: probe.size }, () => g.uniform() * 2 - 1), probe.shape, 'f32'));
  }
  probe.dispose();
  const wRef = w;
  const root = keep(tidy(() => scalarOf(fn(...xs), wRef)));
  root.backward();
  root.dispose();
  const grads = await Promise.all(xs.map(async (t) => (t.grad ? Float64Array.from(await t.grad.data()) : new Float64Array(t.size))));
  xs.forEach((t, i) => {
    t.grad?.dispose();
    t.requiresGrad = prev[i][0];
    t.grad = prev[i][1];
  });

  // 2. central differences on the float64 reference backend
  const values = new Map<Tensor, F64>();
  for (const t of xs) values.set(t, { shape: [...t.shape], data: Float64Array.from(await t.data()) });
  const L = async () => (await runReference(() => scalarOf(fn(...xs), wRef), values)).ref!.data[0];
  const reports: InputReport[] = [];
  for (let j = 0; j < xs.length; j++) {
    const v = values.get(xs[j])!.data;
    const idx = Array.from({ length: v.length }, (_, i) => i);
    if (samples < v.length) {
      new Generator(seed + j).shuffle(idx);
      idx.length = samples;
      idx.sort((a, b) => a - b);
    }
    const fd: number[] = [];
    for (const e of idx) {
      const x0 = v[e];
      const h = eps * Math.max(1, Math.abs(x0));
      v[e] = x0 + h;
      const lp = await L();
      v[e] = x0 - h;
      const lm = await L();
      v[e] = x0;
      fd.push((lp - lm) / (2 * h));
    }
    const scale = Math.max(0, ...fd.map(Math.abs));
    let maxAbs = 0;
    let worst = idx[0] ?? -1;
    idx.forEach((e, k) => {
      const err = Math.abs(grads[j][e] - fd[k]);
      if (err > maxAbs || Number.isNaN(err)) {
        maxAbs = Number.isNaN(err) ? Infinity : err;
        worst = e;
      }
    });
    reports.push({ input: named[j][0], shape: [...xs[j].shape], checked: idx.length, maxAbsError: maxAbs, maxRelError: maxAbs / Math.max(scale, atol), worstIndex: worst, pass: maxAbs <= atol + rtol * scale });
  }
  w?.dispose();
  return { pass: reports.every((r) => r.pass), inputs: reports };
}
