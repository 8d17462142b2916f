// gradcheck: the autograd gradient (GPU, f32) of a function of tensors against central finite
// differences of the same function on the float64 reference backend. Works on whole models: pass their
// parameters as the inputs. Any other GPU tensor the function reads (data, labels) is read back once.
//
// The criterion is PyTorch's, per element: |a_i - n_i| <= atol_i + rtol |n_i| for autograd's a_i and the
// finite difference n_i, where the absolute floor atol_i = atol + kappa rho (S + |n_i|) reflects float32
// rounding of this very computation: rho = max(2^-24, the spread between the function's float32 output on
// the GPU and its float64 reference at the same inputs, relative to the output's scale), S = max |n| over
// the input. A whole-input relative error (max |a - n| / max |n|) is still reported, never the criterion.
// The function's forward value is checked too: |out32_j - out64_j| <= atol + valueRtol |out64_j| +
// kappa 2^-24 max|out64|.
//
// Also the checks of second derivatives (gradgradcheck) and of forward mode (checkForward) against the same
// reference.
import { noGrad, tidy, keep, Tensor } from './tensor.js';
import { fromHost } from './creation.js';
import { mul } from './ops/binary.js';
import { sum } from './ops/reduce.js';
import { referenceOutput } from './backend.js';
import { Generator } from './random.js';
import type { F64 } from './ops/def.js';
import { kernelSets, withKernelSet } from './variants.js';
import { checkOptions } from './options.js';
import { asList, hvp, jvp, namedInputs, type Inputs } from './autodiff.js';

/** float32's unit roundoff, 2^-24. */
export const F32_ROUNDOFF = 2 ** -24;
/** Inputs up to this many elements are checked at every element by default; larger ones at a seeded
 * sample of this many elements plus fast mode's random direction over all of them. */
export const FULL_CHECK_LIMIT = 4096;

export interface GradcheckOptions {
  /** Finite-difference step, relative to max(1, |x|). Default 1e-6 (the reference is float64). */
  eps?: number;
  /** The fixed part of each element's absolute floor. Default 1e-5. */
  atol?: number;
  /** Per-element relative tolerance: |a_i - n_i| <= atol_i + rtol |n_i|. Default 5e-3. */
  rtol?: number;
  /** Multiplier of float32 rounding in the floor atol_i = atol + kappa rho (S + |n_i|). Default 64. */
  kappa?: number;
  /** Relative tolerance of the forward value against the float64 reference. Default 1e-4. */
  valueRtol?: number;
  /** Check at most this many elements per input (a seeded sample). Default: every element up to
   * FULL_CHECK_LIMIT (4096); above it a sample of that many plus a random direction over all. */
  samples?: number;
  /** Seed of the sample, the random output weights and fast mode's directions. */
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

const OPTION_KEYS = ['eps', 'atol', 'rtol', 'kappa', 'valueRtol', 'samples', 'seed', 'fastMode', 'checkNondeterminism', 'allVariants'] as const;

/** The tolerance an input was held to: |a_i - n_i| <= atol + kappa rho (scale + |n_i|) + rtol |n_i|. */
export interface Tolerance {
  atol: number;
  rtol: number;
  kappa: number;
  /** max(2^-24, the float32 forward's spread from the float64 reference, relative to the output scale). */
  rho: number;
  /** S: max |n_i| over the input's checked elements. */
  scale: number;
}

/** One element: where it is and both values, with the bound it was held to. */
export interface ElementCheck {
  index: number;
  /** The coordinates of `index` in the input's shape, e.g. [r, c]. */
  coords: number[];
  autograd: number;
  reference: number;
  bound: number;
}

export interface InputReport {
  input: string;
  shape: number[];
  /** Elements of the input. */
  elements: number;
  /** Elements compared one by one (the rest, if any, only through a random direction). */
  checked: number;
  maxAbsError: number;
  /** max |autograd - fd| / max(max|fd|, atol): a scale-relative figure, reported, not the criterion. */
  maxRelError: number;
  /** The element closest to (or furthest over) its bound; -1 in fast mode. */
  worstIndex: number;
  /** That element: coordinates, autograd's and the reference's values, its bound. */
  worst?: ElementCheck;
  /** Elements over their bound. */
  failed: number;
  tolerance: Tolerance;
  pass: boolean;
  /** Fast mode (or an input over the full-check limit): the two directional derivatives compared. */
  directional?: { autograd: number; finiteDifference: number; bound: number; pass: boolean };
  /** With allVariants: the kernel set the gradient was computed with. */
  variant?: string;
}

/** The function's forward value on the GPU (float32) against its float64 reference, element by element. */
export interface ValueReport {
  elements: number;
  maxAbsError: number;
  /** max |out32 - out64| / max|out64| (the spread rho is made from). */
  spread: number;
  worst: ElementCheck;
  failed: number;
  pass: boolean;
}

export interface GradcheckReport {
  pass: boolean;
  inputs: InputReport[];
  value: ValueReport;
  /** What was checked against what, in words, with the settings used. */
  criterion: string;
  eps: number;
  /** With checkNondeterminism: whether a second backward gave the same bits for every input. */
  deterministic?: boolean;
}

/** The coordinates of a flat row-major index. */
export function coordsOf(index: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = shape[d] ? index % shape[d] : 0;
    index = shape[d] ? Math.floor(index / shape[d]) : 0;
  }
  return out;
}

/** The per-element criterion in words, for reports. */
export function criterionText(t: { atol: number; rtol: number; kappa: number; eps: number; valueRtol?: number }): string {
  return `autograd (GPU, float32) against central differences of the float64 reference (step ${t.eps} max(1, |x|)), per element: |a_i - n_i| <= atol_i + rtol |n_i|, atol_i = atol + kappa rho (S + |n_i|), atol ${t.atol}, rtol ${t.rtol}, kappa ${t.kappa}, rho = max(2^-24, float32 forward's spread from float64), S = max |n| over the input${t.valueRtol === undefined ? '' : `; forward value: |out32 - out64| <= atol + ${t.valueRtol} |out64| + kappa 2^-24 max|out64|`}`;
}

/** A scalar from fn's output: the output itself, or sum(out * w) with fixed pseudo-random weights. */
function scalarOf(out: Tensor, w: Tensor | null): Tensor {
  return w ? sum(mul(out, w)) : out;
}

export async function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[] | Record<string, Tensor>, opts: GradcheckOptions = {}): Promise<GradcheckReport> {
  checkOptions('gradcheck', opts, OPTION_KEYS);
  const { eps = 1e-6, atol = 1e-5, rtol = 5e-3, kappa = 64, valueRtol = 1e-4, seed = 0 } = opts;
  const named = namedInputs('gradcheck', inputs);
  const xs = named.map(([, t]) => t);
  for (const [name, t] of named) if (t.dtype !== 'f32') throw new Error(`gradcheck: ${name} is ${t.dtype}; only f32 inputs have gradients`);
  const criterion = criterionText({ atol, rtol, kappa, eps, valueRtol });

  // 1. autograd on the GPU
  const prev = xs.map((t) => [t.requiresGrad, t.grad] as const);
  xs.forEach((t) => {
    t.requiresGrad = true;
    t.grad = null;
  });
  let w: Tensor | null = null;
  const probe = noGrad(() => tidy(() => fn(...xs)));
  const out32 = Float64Array.from(await probe.data());
  const outShape = [...probe.shape];
  if (probe.size !== 1) {
    const g = new Generator(seed + 17);
    w = keep(fromHost(Array.from({ length: probe.size }, () => g.uniform() * 2 - 1), probe.shape, 'f32'));
  }
  if (!xs.includes(probe)) probe.dispose(); // fn may return an input itself (an identity)
  const wRef = w;
  const backwardOnce = async () => {
    const root = keep(tidy(() => scalarOf(fn(...xs), wRef)));
    root.backward();
    if (!xs.includes(root)) root.dispose();
    const gs = await Promise.all(xs.map(async (t) => (t.grad ? Float64Array.from(await t.grad.data()) : new Float64Array(t.size))));
    for (const t of xs) {
      t.grad?.dispose();
      t.grad = null;
    }
    return gs;
  };
  // [kernel set name, gradients]: the adapter's defaults, or each kernel set forced in turn
  const gradSets: [string | undefined, Float64Array[]][] = [];
  let deterministic: boolean | undefined;
  try {
    if (opts.allVariants) for (const set of kernelSets()) gradSets.push([set.name, await withKernelSet(set.variants, backwardOnce)]);
    else gradSets.push([undefined, await backwardOnce()]);
    if (opts.checkNondeterminism) {
      const again = await backwardOnce();
      deterministic = again.every((g, j) => g.every((v, i) => Object.is(v, gradSets[0][1][j][i])));
    }
  } finally {
    xs.forEach((t, i) => {
      t.requiresGrad = prev[i][0];
      t.grad = prev[i][1];
    });
  }

  try {
    // 2. the forward value against the float64 reference: the value check, and rho
    const values = new Map<Tensor, F64>();
    for (const t of xs) values.set(t, { shape: [...t.shape], data: Float64Array.from(await t.data()) });
    const out64 = Float64Array.from((await referenceOutput(() => fn(...xs), values)).data);
    const value = valueCheck(out32, out64, outShape, atol, valueRtol, kappa);
    const rho = Math.max(F32_ROUNDOFF, Number.isFinite(value.spread) ? value.spread : 0);

    // 3. central differences on the float64 reference backend
    const L = async () => (await referenceOutput(() => scalarOf(fn(...xs), wRef), values)).data[0];
    const reports: InputReport[] = [];
    for (let j = 0; j < xs.length; j++) {
      const v = values.get(xs[j])!.data;
      const limit = opts.samples ?? (opts.fastMode ? 0 : FULL_CHECK_LIMIT);
      const directionalToo = opts.fastMode || v.length > limit;
      const idx = Array.from({ length: v.length }, (_, i) => i);
      if (limit < v.length) {
        new Generator(seed + j).shuffle(idx);
        idx.length = limit;
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
      const u = directionalToo ? direction(v.length, new Generator(seed + 31 * j + 7)) : null;
      const fdDir = u ? await alongDirection(v, u, L, eps) : 0;
      const scale = Math.max(0, ...fd.map(Math.abs));
      for (const [variant, gs] of gradSets) {
        const r = elementwise(named[j][0], xs[j].shape, idx, fd, gs[j], { atol, rtol, kappa, rho, scale });
        if (u) {
          r.directional = directionalCheck(gs[j], u, fdDir, atol, rtol, kappa, rho);
          if (opts.fastMode && !idx.length) {
            r.maxAbsError = Math.abs(r.directional.autograd - r.directional.finiteDifference);
            r.maxRelError = r.maxAbsError / Math.max(Math.abs(r.directional.autograd), Math.abs(r.directional.finiteDifference), atol);
            if (Number.isNaN(r.maxAbsError)) r.maxAbsError = r.maxRelError = Infinity;
          }
          r.pass = r.pass && r.directional.pass;
        }
        reports.push({ ...r, ...(variant ? { variant } : {}) });
      }
    }
    return { pass: reports.every((r) => r.pass) && value.pass && deterministic !== false, inputs: reports, value, criterion, eps, ...(deterministic === undefined ? {} : { deterministic }) };
  } finally {
    w?.dispose();
  }
}

/** Every checked element against its own bound; the worst is the element with the largest error/bound. */
function elementwise(input: string, shape: readonly number[], idx: number[], fd: number[], grad: Float64Array, tol: Tolerance): InputReport {
  let maxAbs = 0;
  let worstRatio = -1;
  let worst: ElementCheck | undefined;
  let failed = 0;
  idx.forEach((e, k) => {
    const n = fd[k];
    const a = grad[e];
    const err = Number.isNaN(a - n) ? Infinity : Math.abs(a - n);
    const bound = tol.atol + tol.kappa * tol.rho * (tol.scale + Math.abs(n)) + tol.rtol * Math.abs(n);
    if (!(err <= bound)) failed++;
    maxAbs = Math.max(maxAbs, err);
    const ratio = err / bound;
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = { index: e, coords: coordsOf(e, shape), autograd: a, reference: n, bound };
    }
  });
  return { input, shape: [...shape], elements: grad.length, checked: idx.length, maxAbsError: maxAbs, maxRelError: maxAbs / Math.max(tol.scale, tol.atol), worstIndex: worst?.index ?? -1, ...(worst ? { worst } : {}), failed, tolerance: tol, pass: failed === 0 };
}

function valueCheck(out32: Float64Array, out64: Float64Array, shape: number[], atol: number, valueRtol: number, kappa: number): ValueReport {
  const big = out64.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let maxAbs = 0;
  let worstRatio = -1;
  let worst: ElementCheck = { index: 0, coords: coordsOf(0, shape), autograd: out32[0], reference: out64[0], bound: atol };
  let failed = 0;
  for (let i = 0; i < out64.length; i++) {
    const err = Number.isNaN(out32[i] - out64[i]) ? Infinity : Math.abs(out32[i] - out64[i]);
    const bound = atol + valueRtol * Math.abs(out64[i]) + kappa * F32_ROUNDOFF * big;
    if (!(err <= bound)) failed++;
    maxAbs = Math.max(maxAbs, err);
    if (err / bound > worstRatio) {
      worstRatio = err / bound;
      worst = { index: i, coords: coordsOf(i, shape), autograd: out32[i], reference: out64[i], bound };
    }
  }
  return { elements: out64.length, maxAbsError: maxAbs, spread: maxAbs / Math.max(big, Number.MIN_VALUE), worst, failed, pass: failed === 0 };
}

/** A random unit direction (Gaussian, normalised). */
function direction(n: number, g: Generator): Float64Array {
  const u = Float64Array.from({ length: n }, () => g.normal());
  const norm = Math.sqrt(u.reduce((s, x) => s + x * x, 0)) || 1;
  for (let i = 0; i < n; i++) u[i] /= norm;
  return u;
}

/** (L(x + h u) - L(x - h u)) / 2h, h = eps max(1, max|x|); x restored after. */
async function alongDirection(v: Float64Array, u: Float64Array, L: () => Promise<number>, eps: number): Promise<number> {
  const h = eps * v.reduce((m, x) => Math.max(m, Math.abs(x)), 1);
  const x0 = Float64Array.from(v);
  const at = async (t: number) => {
    for (let i = 0; i < v.length; i++) v[i] = x0[i] + t * u[i];
    return L();
  };
  const fd = ((await at(h)) - (await at(-h))) / (2 * h);
  v.set(x0);
  return fd;
}

/** Fast mode for one input: autograd's g . u against the finite difference along u. Pass when the
 * difference is within atol + rtol max(|g . u|, |fd|) plus the f32 gradient's own rounding,
 * max(1e-5, kappa rho) sum |g_e u_e| (a directional derivative that cancels to ~0 over many elements is
 * not held to exactly 0). */
function directionalCheck(grad: Float64Array, u: Float64Array, fd: number, atol: number, rtol: number, kappa: number, rho: number) {
  let ad = 0;
  let spread = 0;
  for (let i = 0; i < u.length; i++) {
    ad += grad[i] * u[i];
    spread += Math.abs(grad[i] * u[i]);
  }
  const err = Number.isNaN(ad - fd) ? Infinity : Math.abs(ad - fd);
  const bound = atol + rtol * Math.max(Math.abs(ad), Math.abs(fd)) + Math.max(1e-5, kappa * rho) * spread;
  return { autograd: ad, finiteDifference: fd, bound, pass: err <= bound };
}

/**
 * The forward value of `fn` on the GPU (float32) against the float64 reference of `reference` (default: fn
 * itself) at the same inputs, element by element: |out32 - out64| <= atol + valueRtol |out64| +
 * kappa 2^-24 max|out64|. Used by the audit to hold a second path (a composition, a materialised
 * version) to the same reference.
 */
export async function checkValue(fn: (...xs: Tensor[]) => Tensor, reference: ((...xs: Tensor[]) => Tensor) | null, inputs: Tensor[] | Record<string, Tensor>, opts: { atol?: number; valueRtol?: number; kappa?: number } = {}): Promise<ValueReport> {
  checkOptions('checkValue', opts, ['atol', 'valueRtol', 'kappa']);
  const { atol = 1e-5, valueRtol = 1e-4, kappa = 64 } = opts;
  const xs = namedInputs('checkValue', inputs).map(([, t]) => t);
  const out = noGrad(() => tidy(() => fn(...xs)));
  const out32 = Float64Array.from(await out.data());
  const shape = [...out.shape];
  if (!xs.includes(out)) out.dispose();
  const values = new Map<Tensor, F64>();
  for (const t of xs) values.set(t, { shape: [...t.shape], data: Float64Array.from(await t.data()) });
  const out64 = Float64Array.from((await referenceOutput(() => (reference ?? fn)(...xs), values)).data);
  if (out64.length !== out32.length) throw new Error(`checkValue: the GPU gave ${out32.length} values, the reference ${out64.length}`);
  return valueCheck(out32, out64, shape, atol, valueRtol, kappa);
}

export interface GradgradcheckOptions {
  /** Finite-difference step of the second difference, relative to max(1, max|x|). Default 1e-4. */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Random direction pairs (u, v) checked. Default 2. */
  directions?: number;
  seed?: number;
}

export interface GradgradcheckReport {
  pass: boolean;
  /** Per direction pair: v^T H u from double backward, and from float64 second differences. */
  checks: { autograd: number; finiteDifference: number; error: number; bound: number; pass: boolean }[];
}

/**
 * Second derivatives of fn (any output, reduced to sum(out * w) with fixed random weights w) against the
 * float64 reference: for random unit directions u and v over all inputs, v^T H u by double backward on the
 * GPU against [phi(x+hu+hv) - phi(x+hu-hv) - phi(x-hu+hv) + phi(x-hu-hv)] / 4h^2 on the reference backend.
 * Four evaluations per direction pair whatever the size, so whole models check in seconds (PyTorch's
 * gradgradcheck in fast mode).
 */
export async function gradgradcheck(fn: (...xs: Tensor[]) => Tensor, named: Inputs, opts: GradgradcheckOptions = {}): Promise<GradgradcheckReport> {
  checkOptions('gradgradcheck', opts, ['eps', 'atol', 'rtol', 'directions', 'seed']);
  const inputs = asList('gradgradcheck', named);
  const { eps = 1e-4, atol = 1e-4, rtol = 1e-2, directions = 2, seed = 0 } = opts;
  const g = new Generator(seed + 101);
  const probe = noGrad(() => tidy(() => fn(...inputs)));
  const w = probe.size === 1 ? null : keep(fromHost(Array.from({ length: probe.size }, () => g.uniform() * 2 - 1), probe.shape, 'f32'));
  if (!inputs.includes(probe)) probe.dispose(); // fn may return an input itself (an identity)
  const phi = (...xs: Tensor[]) => (w ? sum(mul(fn(...xs), w)) : fn(...xs));
  const values = new Map<Tensor, F64>();
  for (const t of inputs) values.set(t, { shape: [...t.shape], data: Float64Array.from(await t.data()) });
  const x0 = inputs.map((t) => Float64Array.from(values.get(t)!.data));
  const big = Math.max(1, ...x0.map((x) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
  const h = eps * big;
  const checks: GradgradcheckReport['checks'] = [];
  try {
    for (let d = 0; d < directions; d++) {
      const unit = () => {
        const parts = x0.map((x) => Float64Array.from(x, () => g.normal()));
        const norm = Math.sqrt(parts.reduce((s, p) => s + p.reduce((a, v) => a + v * v, 0), 0)) || 1;
        for (const p of parts) for (let i = 0; i < p.length; i++) p[i] /= norm;
        return parts;
      };
      const [u, v] = [unit(), unit()];
      const ut = u.map((p, i) => fromHost(p, inputs[i].shape, 'f32'));
      const vt = v.map((p, i) => fromHost(p, inputs[i].shape, 'f32'));
      const [, hu] = hvp(phi, inputs, ut);
      let ad = 0;
      for (let i = 0; i < hu.length; i++) {
        const hd = await hu[i].data();
        for (let e = 0; e < hd.length; e++) ad += hd[e] * Math.fround(v[i][e]);
      }
      for (const t of [...ut, ...vt, ...hu]) t.dispose();
      const at = async (a: number, b: number) => {
        inputs.forEach((t, i) => {
          const data = values.get(t)!.data;
          for (let e = 0; e < data.length; e++) data[e] = x0[i][e] + a * Math.fround(u[i][e]) + b * Math.fround(v[i][e]);
        });
        return (await referenceOutput(() => phi(...inputs), values)).data[0];
      };
      const fd = ((await at(h, h)) - (await at(h, -h)) - (await at(-h, h)) + (await at(-h, -h))) / (4 * h * h);
      inputs.forEach((t, i) => values.get(t)!.data.set(x0[i]));
      const error = Number.isNaN(ad - fd) ? Infinity : Math.abs(ad - fd);
      const bound = atol + rtol * Math.max(Math.abs(ad), Math.abs(fd));
      checks.push({ autograd: ad, finiteDifference: fd, error, bound, pass: error <= bound });
    }
  } finally {
    w?.dispose();
  }
  return { pass: checks.every((c) => c.pass), checks };
}

export interface ForwardCheckReport {
  pass: boolean;
  /** max |jvp - fd| over the output's elements, and the scale it is judged against (max |fd|). */
  maxAbsError: number;
  scale: number;
  /** atol + rtol * scale: what maxAbsError must not exceed. */
  bound: number;
  /** The output element with the largest error: coordinates, the jvp's value and the reference's. */
  worst: ElementCheck;
}

/**
 * Forward mode against the float64 reference: jvp(fn, inputs, t) for random tangents t against central
 * differences (fn(x + h t) - fn(x - h t)) / 2h on the reference backend, every output element.
 */
export async function checkForward(fn: (...xs: Tensor[]) => Tensor, named: Inputs, opts: { eps?: number; atol?: number; rtol?: number; seed?: number } = {}): Promise<ForwardCheckReport> {
  checkOptions('checkForward', opts, ['eps', 'atol', 'rtol', 'seed']);
  const inputs = asList('checkForward', named);
  const { eps = 1e-5, atol = 1e-5, rtol = 2e-3, seed = 0 } = opts;
  const g = new Generator(seed + 211);
  const x0 = await Promise.all(inputs.map(async (t) => Float64Array.from(await t.data())));
  const t0 = x0.map((x) => Float64Array.from(x, () => g.normal()));
  const ts = t0.map((t, i) => fromHost(t, inputs[i].shape, 'f32'));
  const [out, jt] = jvp(fn, inputs, ts);
  const got = await jt.data();
  const outShape = [...jt.shape];
  for (const t of [...ts, out, jt]) t.dispose();
  const values = new Map<Tensor, F64>();
  inputs.forEach((t, i) => values.set(t, { shape: [...t.shape], data: Float64Array.from(x0[i]) }));
  const big = Math.max(1, ...x0.map((x) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
  const h = eps * big;
  const at = async (s: number) => {
    inputs.forEach((t, i) => values.get(t)!.data.set(x0[i].map((v, e) => v + s * Math.fround(t0[i][e]))));
    return Float64Array.from((await referenceOutput(() => fn(...inputs), values)).data);
  };
  const [p, m] = [await at(h), await at(-h)];
  let maxAbsError = -1;
  let scale = 0;
  let worst: ElementCheck = { index: 0, coords: coordsOf(0, outShape), autograd: got[0], reference: 0, bound: 0 };
  p.forEach((v, i) => {
    const fd = (v - m[i]) / (2 * h);
    scale = Math.max(scale, Math.abs(fd));
    const err = Number.isNaN(got[i] - fd) ? Infinity : Math.abs(got[i] - fd);
    if (err > maxAbsError) {
      maxAbsError = err;
      worst = { index: i, coords: coordsOf(i, outShape), autograd: got[i], reference: fd, bound: 0 };
    }
  });
  maxAbsError = Math.max(0, maxAbsError);
  const bound = atol + rtol * scale;
  worst.bound = bound;
  return { pass: maxAbsError <= bound, maxAbsError, scale, bound, worst };
}
