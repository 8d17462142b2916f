// Higher-order and forward-mode helpers on top of grad(..., { createGraph }) (src/tensor.ts), after
// torch.autograd.functional: hvp, vjp, jvp (by the double-VJP construction: exact, since every recorded
// backward rule is linear in its upstream gradient), and gradgradcheck, which compares second directional
// derivatives with float64 finite differences of the function on the reference backend.
import { grad, keep, noGrad, tidy, Tensor } from './tensor.js';
import { fromHost, zerosLike } from './creation.js';
import { add, mul } from './ops/binary.js';
import { sum } from './ops/reduce.js';
import { referenceOutput } from './backend.js';
import { Generator } from './random.js';
import type { F64 } from './ops/def.js';
import { checkOptions } from './options.js';
import { coordsOf, namedInputs, type ElementCheck } from './gradcheck.js';

/** Inputs in any of gradcheck's forms (an array, or an object of named tensors) as an array; `also` (vectors,
 * tangents) in the same form, matched by position or by name. */
type Inputs = Tensor[] | Record<string, Tensor>;
function asList(who: string, inputs: Inputs): Tensor[] {
  return namedInputs(who, inputs).map(([, t]) => t);
}
function matching(who: string, what: string, inputs: Inputs, vs: Inputs): Tensor[] {
  if (Array.isArray(inputs) || Array.isArray(vs)) {
    if (Array.isArray(inputs) !== Array.isArray(vs)) throw new Error(`${who}: inputs and ${what} must both be arrays or both objects of named Tensors`);
    return asList(who, vs);
  }
  const names = Object.keys(inputs);
  const extra = Object.keys(vs).filter((k) => !names.includes(k));
  if (extra.length) throw new Error(`${who}: ${what} name '${extra[0]}', which is not an input (inputs: ${names.join(', ')})`);
  return names.map((k) => {
    if (!(k in vs)) throw new Error(`${who}: no ${what.replace(/s$/, '')} for input '${k}'`);
    return vs[k];
  });
}
/** Results in the inputs' form: an array, or an object with the inputs' names. */
function sameForm<T>(inputs: Inputs, xs: T[]): T[] | Record<string, T> {
  return Array.isArray(inputs) ? xs : Object.fromEntries(Object.keys(inputs).map((k, i) => [k, xs[i]]));
}

/** Leaves requiring a gradient for the inputs: an input that already requires one is used as is (a
 * parameter), another gets a detached copy that does. */
function leaves(who: string, inputs: Tensor[]): Tensor[] {
  return inputs.map((t, i) => {
    if (!(t instanceof Tensor)) throw new Error(`${who}: input ${i} is not a Tensor`);
    if (t.dtype !== 'f32') throw new Error(`${who}: input ${i} is ${t.dtype}; only f32 inputs have derivatives`);
    if (t.requiresGrad) return t;
    const c = t.detach();
    c.requiresGrad = true;
    return c;
  });
}

function checkLike(who: string, what: string, xs: Tensor[], vs: Tensor[]): void {
  if (vs.length !== xs.length) throw new Error(`${who}: ${vs.length} ${what} for ${xs.length} inputs`);
  vs.forEach((v, i) => {
    if (v.shape.length !== xs[i].shape.length || v.shape.some((d, j) => d !== xs[i].shape[j])) throw new Error(`${who}: ${what} ${i} has shape [${v.shape.join(', ')}], input ${i} [${xs[i].shape.join(', ')}]`);
  });
}

/** sum over i of sum(a_i * b_i), skipping nulls. */
function dot(as: (Tensor | null)[], bs: Tensor[]): Tensor | null {
  let total: Tensor | null = null;
  as.forEach((a, i) => {
    if (!a) return;
    const term = sum(mul(a, bs[i]));
    total = total ? add(total, term) : term;
  });
  return total;
}

/**
 * The Hessian of the scalar f at `inputs` times v: returns [f(inputs), H v] (detached, owned by the
 * caller). Inputs that require a gradient (parameters) are differentiated in place; others through
 * copies. Every op on the path needs a recorded backward rule (src/ops/higher_order.ts).
 */
export function hvp(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], v: Tensor[]): [Tensor, Tensor[]];
export function hvp(f: (...xs: Tensor[]) => Tensor, inputs: Record<string, Tensor>, v: Record<string, Tensor>): [Tensor, Record<string, Tensor>];
export function hvp(f: (...xs: Tensor[]) => Tensor, namedIn: Inputs, namedV: Inputs): [Tensor, Tensor[] | Record<string, Tensor>] {
  const inputs = asList('hvp', namedIn);
  const v = matching('hvp', 'vectors', namedIn, namedV);
  checkLike('hvp', 'vectors', inputs, v);
  const out = tidy(() => {
    const xs = leaves('hvp', inputs);
    const y = f(...xs);
    if (y.size !== 1) throw new Error(`hvp: f must return one element, got shape [${y.shape.join(', ')}]`);
    const gs = grad(y, xs, { createGraph: true });
    const s = dot(gs, v)!;
    // a function linear in its inputs has a constant gradient: a zero Hessian
    const hv = s.requiresGrad ? grad(s, xs, { allowUnused: true }).map((h, i) => h ?? zerosLike(xs[i])) : xs.map((x) => zerosLike(x));
    return [noGrad(() => y.detach()), ...hv];
  });
  return [out[0], sameForm(namedIn, out.slice(1))];
}

/** [fn(primals), pullback]: pullback(cotangent) gives the gradients of <cotangent, fn> for the primals
 * (null where none flows); the graph is kept until the output is disposed. */
export function vjp(fn: (...xs: Tensor[]) => Tensor, primals: Inputs): [Tensor, (cotangent: Tensor) => (Tensor | null)[]] {
  const xs = leaves('vjp', asList('vjp', primals));
  const y = fn(...xs);
  const pullback = (ct: Tensor) => grad(y, xs, { gradOutputs: ct, retainGraph: true, allowUnused: true });
  return [y, pullback];
}

/**
 * Forward mode: [fn(primals), J t] for tangents t, by the double-VJP construction (the gradient
 * J^T u for a placeholder cotangent u is linear in u; its gradient along t is J t). Exact for every op with
 * a recorded backward rule (src/ops/higher_order.ts); others throw naming the op.
 */
export function jvp(fn: (...xs: Tensor[]) => Tensor, named: Inputs, namedTangents: Inputs): [Tensor, Tensor] {
  const primals = asList('jvp', named);
  const tangents = matching('jvp', 'tangents', named, namedTangents);
  checkLike('jvp', 'tangents', primals, tangents);
  const [y, jt] = tidy(() => {
    const xs = leaves('jvp', primals);
    const out = fn(...xs);
    if (!out.requiresGrad) return [noGrad(() => out.detach()), zerosLike(out)];
    const u = zerosLike(out);
    u.requiresGrad = true;
    const gx = grad(out, xs, { gradOutputs: u, createGraph: true, allowUnused: true });
    const s = dot(gx, tangents);
    const dy = s ? grad(s, u, { allowUnused: true })[0] ?? zerosLike(out) : zerosLike(out);
    return [noGrad(() => out.detach()), dy];
  });
  return [y, jt];
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
