// Higher-order and forward-mode helpers on top of grad(..., { createGraph }) (src/tensor.ts), after
// torch.autograd.functional: hvp, vjp, jvp (by the double-VJP construction: exact, since every recorded
// backward rule is linear in its upstream gradient). Their checks against the float64 reference
// (gradgradcheck, checkForward) are in src/gradcheck.ts.
import { grad, noGrad, tidy, Tensor } from './tensor.js';
import { zerosLike } from './creation.js';
import { add, mul } from './ops/binary.js';
import { sum } from './ops/reduce.js';

/** Inputs in any of gradcheck's forms (an array, or an object of named tensors) as an array; `also` (vectors,
 * tangents) in the same form, matched by position or by name. */
export type Inputs = Tensor[] | Record<string, Tensor>;
/** Inputs as [name, tensor] pairs: an array (named 'input 0', ...) or an object of named tensors. */
export function namedInputs(who: string, inputs: Tensor[] | Record<string, Tensor>): [string, Tensor][] {
  if (inputs === null || typeof inputs !== 'object') throw new Error(`${who}: inputs must be an array of Tensors or an object of named Tensors`);
  const named: [string, Tensor][] = Array.isArray(inputs) ? inputs.map((t, i) => [`input ${i}`, t]) : Object.entries(inputs);
  for (const [name, t] of named) if (!(t instanceof Tensor)) throw new Error(`${who}: ${name} is not a Tensor`);
  return named;
}
export function asList(who: string, inputs: Inputs): Tensor[] {
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
