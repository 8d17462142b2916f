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
import { kernelSets, withKernelSet } from './variants.js';

export interface GradcheckOptions {
  /** Finite-difference step, relative to max(1, |x|). Default 1e-6 (the reference is float64). */
  eps?: number;
  /** Pass when |autograd - fd| <= atol + rtol * max|fd| over the input's checked elements. */
  atol?: number;
  rtol?: number;
  /** Check at most this many elements per input (a seeded sample); default all. */
  samples?: number;
  seed?: number;
  /** PyTorch's fast_mode: per input, one random unit direction u; compare the autograd directional
   * derivative (the gradient . u, i.e. v^T J u for the output weights v) with central differences of the
   * function along u. Two evaluations per input whatever its size, so whole models check in seconds; an
   * error anywhere in the gradient shows (u touches every element). */
  fastMode?: boolean;
  /** Also run the backward a second time and require the same bits (no nondeterministic kernels). */
  checkNondeterminism?: boolean;
  /** Check the gradient under every kernel set (src/variants.ts kernelSets: each family's variants forced
   * in turn), not only the adapter's defaults; the reports then name the set. */
  allVariants?: boolean;
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
  /** Fast mode: the two directional derivatives compared (autograd's and the finite difference). */
  directional?: { autograd: number; finiteDifference: number };
  /** With allVariants: the kernel set the gradient was computed with. */
  variant?: string;
}

export interface GradcheckReport {
  pass: boolean;
  inputs: InputReport[];
  /** With checkNondeterminism: whether a second backward gave the same bits for every input. */
  deterministic?: boolean;
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
  const backwardOnce = async () => {
    const root = keep(tidy(() => scalarOf(fn(...xs), wRef)));
    root.backward();
    root.dispose();
    const gs = await Promise.all(xs.map(async (t) => (t.grad ? Float64Array.from(await t.grad.data()) : new Float64Array(t.size))));
    for (const t of xs) {
      t.grad?.dispose();
      t.grad = null;
    }
    return gs;
  };
  // [kernel set name, gradients]: the adapter's defaults, or each kernel set forced in turn
  const gradSets: [string | undefined, Float64Array[]][] = opts.allVariants ? [] : [[undefined, await backwardOnce()]];
  if (opts.allVariants) for (const set of kernelSets()) gradSets.push([set.name, await withKernelSet(set.variants, backwardOnce)]);
  const grads = gradSets[0][1];
  let deterministic: boolean | undefined;
  if (opts.checkNondeterminism) {
    const again = await backwardOnce();
    deterministic = again.every((g, j) => g.every((v, i) => Object.is(v, grads[j][i])));
  }
  xs.forEach((t, i) => {
    t.requiresGrad = prev[i][0];
    t.grad = prev[i][1];
  });

  // 2. central differences on the float64 reference backend
  const values = new Map<Tensor, F64>();
  for (const t of xs) values.set(t, { shape: [...t.shape], data: Float64Array.from(await t.data()) });
  const L = async () => (await runReference(() => scalarOf(fn(...xs), wRef), values)).ref!.data[0];
  const reports: InputReport[] = [];
  if (opts.fastMode) {
    for (const [variant, gs] of gradSets)
      for (let j = 0; j < xs.length; j++) reports.push({ ...(await directional(named[j][0], xs[j], values.get(xs[j])!.data, gs[j], L, eps, atol, rtol, new Generator(seed + 31 * j + 7))), ...(variant ? { variant } : {}) });
    w?.dispose();
    return finish(reports, deterministic);
  }
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
    for (const [variant, gs] of gradSets) {
      let maxAbs = 0;
      let worst = idx[0] ?? -1;
      idx.forEach((e, k) => {
        const err = Math.abs(gs[j][e] - fd[k]);
        if (err > maxAbs || Number.isNaN(err)) {
          maxAbs = Number.isNaN(err) ? Infinity : err;
          worst = e;
        }
      });
      reports.push({ input: named[j][0], shape: [...xs[j].shape], checked: idx.length, maxAbsError: maxAbs, maxRelError: maxAbs / Math.max(scale, atol), worstIndex: worst, pass: maxAbs <= atol + rtol * scale, ...(variant ? { variant } : {}) });
    }
  }
  w?.dispose();
  return finish(reports, deterministic);
}

function finish(reports: InputReport[], deterministic: boolean | undefined): GradcheckReport {
  return { pass: reports.every((r) => r.pass) && deterministic !== false, inputs: reports, ...(deterministic === undefined ? {} : { deterministic }) };
}

/** Fast mode for one input: a random unit direction u (Gaussian, normalised), autograd's g . u against
 * (L(x + h u) - L(x - h u)) / 2h. Pass when the difference is within atol + rtol * max(|g . u|, |fd|) plus
 * an allowance for the f32 gradient's own error, 1e-5 * sum |g_e u_e| (so that a directional derivative
 * that cancels to ~0 over many elements is not held to exactly 0). */
async function directional(name: string, x: Tensor, v: Float64Array, grad: Float64Array, L: () => Promise<number>, eps: number, atol: number, rtol: number, g: Generator): Promise<InputReport> {
  const u = Float64Array.from({ length: v.length }, () => g.normal());
  let norm = 0;
  let big = 1;
  for (let i = 0; i < u.length; i++) {
    norm += u[i] * u[i];
    big = Math.max(big, Math.abs(v[i]));
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < u.length; i++) u[i] /= norm;
  const h = eps * big;
  const x0 = Float64Array.from(v);
  const at = async (t: number) => {
    for (let i = 0; i < v.length; i++) v[i] = x0[i] + t * u[i];
    return L();
  };
  const fd = ((await at(h)) - (await at(-h))) / (2 * h);
  v.set(x0);
  let ad = 0;
  let scale = 0;
  for (let i = 0; i < v.length; i++) {
    ad += grad[i] * u[i];
    scale += Math.abs(grad[i] * u[i]);
  }
  const err = Number.isNaN(ad - fd) ? Infinity : Math.abs(ad - fd);
  const size = Math.max(Math.abs(ad), Math.abs(fd));
  return { input: name, shape: [...x.shape], checked: v.length, maxAbsError: err, maxRelError: err / Math.max(size, atol), worstIndex: -1, pass: err <= atol + rtol * size + 1e-5 * scale, directional: { autograd: ad, finiteDifference: fd } };
}
