// Backward rules that record a graph: what each primitive does under backward({ createGraph: true }) and
// grad(..., { createGraph: true }), so that gradients can be differentiated again (Hessian-vector
// products, jvp by the double-VJP construction, gradient penalties).
//
// Each op's rule sits beside it, in the second table of its family's defineOps (a new op without one does not
// compile); this file has the helpers the rules share. A rule is one of:
//   { ops: true }       the op's own backward rule is written in differentiable ops: run as is;
//   { backward: rule }  a rule in differentiable ops (the op's own rule dispatches a backward kernel);
//   recompute(compose)  the fused op recomputed as a composition of primitives, differentiated through
//                       with createGraph (layer norm, attention, linear, the fused losses);
//   { none: reason }    not twice differentiable here, with the reason; asking throws naming the op.
// Rules receive the tensors the forward pass saved as the original tensors (with their graphs), so that
// gradients flow through them too.
import type { Tensor } from '../tensor.js';
import { grad, hooks } from '../tensor.js';
import type { Attrs, HigherOrder, Rule } from './def.js';

export type { HigherOrder };
import { apply } from './apply.js';
import { add, mul } from './binary.js';
import { affine, erf, exp, gelu, relu, tanh } from './unary.js';
import { mean } from './reduce.js';
import { matmul } from './matmul.js';
import { permute, transpose, reshape } from './movement.js';
import { cast } from './cast.js';
import { eq } from './masks.js';
import { cat, narrow } from './joining.js';
import { arange, fromHost, zerosLike } from '../creation.js';
import { joiningDefs } from './joining.js';
import { reduceDefs } from './reduce.js';
import { softmaxDefs } from './softmax.js';


/** The fused op's gradient by recomputing it as `compose` (differentiable primitives) and differentiating
 * that with createGraph: exact, at the cost of the composition's memory. */
export function recompute<A>(compose: (inputs: readonly Tensor[], attrs: A, all: readonly Tensor[]) => Tensor, differentiated = Infinity): HigherOrder<A> {
  return {
    // the first `differentiated` inputs are kept for the rule (batch norm's running statistics are not:
    // the forward writes them in place)
    savesInputs: differentiated,
    backward(g, saved, attrs, all) {
      const inputs = all.slice(0, differentiated);
      // The inputs (or stand-ins where disposed), each through an identity op: the composition is
      // differentiated with respect to these, so that one input reached again through another (a tied
      // weight upstream of h) gives the op's partial derivatives, as its own rule would.
      const xs = saved.slice(saved.length - inputs.length).map((t, i) => (inputs[i].requiresGrad ? hooks.view(t) : t));
      const wanted = xs.filter((_, i) => inputs[i].requiresGrad);
      const out = compose(xs, attrs, all);
      const gs = grad(out, wanted, { gradOutputs: g, createGraph: true, allowUnused: true });
      out.dispose();
      return all.map((_, i) => (i < xs.length && inputs[i].requiresGrad ? gs[wanted.indexOf(xs[i])] ?? zerosLike(xs[i]) : null));
    },
  };
}

/** A unary op's derivative in ops: dx from x, y (the output) and g. */
export function unaryRule<A>(d: (x: Tensor, y: Tensor, g: Tensor, attrs: A) => Tensor): HigherOrder<A> {
  return { backward: (g, [x, y], attrs) => [d(x, y, g, attrs)] };
}

/** A bool mask as 0/1 floats (a constant in a rule). */
export function mask(b: Tensor): Tensor {
  return cast(b, 'f32');
}
const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_C = Math.sqrt(2 / Math.PI);

/** dGELU/dx, exact: Phi(x) + x phi(x). */
export function geluErfGrad(x: Tensor): Tensor {
  return add(affine(erf(affine(x, SQRT1_2)), 0.5, 0.5), mul(x, affine(exp(affine(mul(x, x), -0.5)), INV_SQRT_2PI)));
}

/** dGELU/dx of the tanh form 0.5 x (1 + tanh(c (x + 0.044715 x^3))). */
export function geluTanhGrad(x: Tensor): Tensor {
  const x2 = mul(x, x);
  const t = tanh(affine(add(x, affine(mul(x2, x), 0.044715)), GELU_C));
  const du = affine(affine(x2, 3 * 0.044715, 1), GELU_C);
  return add(affine(t, 0.5, 0.5), mul(affine(x, 0.5), mul(affine(mul(t, t), -1, 1), du)));
}

export function activate(z: Tensor, activation: Attrs['linear']['activation']): Tensor {
  if (activation === 'relu') return relu(z);
  if (activation === 'gelu') return gelu(z);
  if (activation === 'geluTanh') return gelu(z, { approximate: 'tanh' });
  return z;
}

/** Scaled dot-product attention by matmuls, for [B, H, T, D] (causal: keys after the query masked). */
export function composedAttention(q: Tensor, k: Tensor, v: Tensor, causal: boolean): Tensor {
  const T = q.shape[q.ndim - 2];
  const D = q.shape[q.ndim - 1];
  let scores = affine(matmul(q, transpose(k)), 1 / Math.sqrt(D));
  if (causal) {
    const big = fromHost(Array.from({ length: T * T }, (_, i) => (i % T > Math.floor(i / T) ? -1e9 : 0)), [T, T], 'f32');
    scores = add(scores, big);
  }
  return matmul(apply(softmaxDefs.softmax, [scores], { axis: scores.ndim - 1 }), v);
}

/** conv2d as a sum over the kernel taps of shifted input windows times the tap's weights (matmuls), per
 * group; stride 1 only (a strided window is a slice with a step, which has no recorded rule yet). */
export function composedConv(x: Tensor, w: Tensor, b: Tensor | null, { stride, padding, dilation, groups }: Attrs['conv2d']): Tensor {
  if (stride[0] !== 1 || stride[1] !== 1) throw new Error(`conv2d: cannot record its backward (createGraph) for stride [${stride.join(', ')}]: only stride 1 has one yet`);
  const [, , H, W] = x.shape;
  const [O, Cg, KH, KW] = w.shape;
  const [ph, pw] = padding;
  const [dh, dw] = dilation;
  const xp = ph || pw ? apply(joiningDefs.pad, [x], { before: [0, 0, ph, pw], after: [0, 0, ph, pw], value: 0 }) : x;
  const OH = H + 2 * ph - dh * (KH - 1);
  const OW = W + 2 * pw - dw * (KW - 1);
  const Og = O / groups;
  const parts: Tensor[] = [];
  for (let g = 0; g < groups; g++) {
    const xg = groups > 1 ? narrow(xp, 1, g * Cg, Cg) : xp;
    const wg = groups > 1 ? narrow(w, 0, g * Og, Og) : w;
    let acc: Tensor | null = null;
    for (let kh = 0; kh < KH; kh++)
      for (let kw = 0; kw < KW; kw++) {
        const window = permute(narrow(narrow(xg, 2, kh * dh, OH), 3, kw * dw, OW), [0, 2, 3, 1]); // [N, OH, OW, Cg]
        const tap = transpose(reshape(narrow(narrow(wg, 2, kh, 1), 3, kw, 1), [Og, Cg])); // [Cg, Og]
        const term = matmul(window, tap);
        acc = acc ? add(acc, term) : term;
      }
    parts.push(acc!);
  }
  const y = permute(groups > 1 ? cat(parts, 3) : parts[0], [0, 3, 1, 2]);
  return b ? add(y, reshape(b, [1, O, 1, 1])) : y;
}

/** Pooling over non-overlapping kh x kw windows (floor mode: the remainder rows and columns dropped), by a
 * reshape: [.., H, W] -> [.., OH, kh, OW, kw], then the mean over the window axes, or their max. */
export function windowReduce(x: Tensor, kh: number, kw: number, who: string, how: 'mean' | 'max'): Tensor {
  const lead = x.shape.slice(0, -2);
  const [H, W] = x.shape.slice(-2);
  const [OH, OW] = [Math.floor(H / kh), Math.floor(W / kw)];
  if (!OH || !OW) throw new Error(`${who}: cannot record its backward (createGraph): windows larger than the input`);
  let t = x;
  if (OH * kh !== H) t = narrow(t, -2, 0, OH * kh);
  if (OW * kw !== W) t = narrow(t, -1, 0, OW * kw);
  const r = reshape(t, [...lead, OH, kh, OW, kw]);
  if (how === 'mean') return mean(r, [lead.length + 1, lead.length + 3]);
  // each window's values along one last axis, row-major as the kernel scans them, then their max
  const n = lead.length;
  const windows = reshape(permute(r, [...lead.map((_, i) => i), n, n + 2, n + 1, n + 3]), [...lead, OH, OW, kh * kw]);
  return apply(reduceDefs.max, [windows], { axis: n + 2, keepdim: false });
}

/** The one-hot of i32 indices `idx` over R classes along a new last axis (a constant). */
export function oneHot(idx: Tensor, R: number): Tensor {
  return mask(eq(reshape(idx, [...idx.shape, 1]), reshape(arange(0, R, 1, { dtype: 'i32' }), [...idx.shape.map(() => 1), R])));
}

/** max/min backward: g at the arg max (arg [outer * inner], as the kernel saved it) and 0 elsewhere. */
export function extremumRule(g: Tensor, arg: Tensor, axis: number | null, x: Tensor): Tensor {
  if (axis === null) return reshape(mul(oneHot(reshape(arg, [1]), x.size), reshape(g, [1, 1])), x.shape);
  const keep = x.shape.map((d, i) => (i === axis ? 1 : d));
  const hot = oneHot(reshape(arg, keep), x.shape[axis]); // [..., 1 (axis), ..., R]
  // the class axis takes the place of the kept 1 at `axis` (which goes last, then away)
  const moved = permute(hot, [...x.shape.map((_, i) => (i === axis ? x.ndim : i)), axis]);
  return mul(reshape(moved, x.shape), reshape(g, keep));
}

export function notYet(what: string): { none: string } {
  return { none: `${what} has no backward in differentiable ops yet` };
}


/** The rule apply() runs for an op's node when the backward pass records a graph (h: the op's entry). */
export function graphRule<A>(h: HigherOrder<A>, name: string, backward: Rule<A>): Rule<A> {
  if ('none' in h) return () => {
    throw new Error(`${name}: cannot record its backward (createGraph): ${h.none}`);
  };
  return 'ops' in h ? backward : h.backward;
}

/** How many of its inputs an op's forward keeps for a recomputing rule. */
export function savesInputs(h: HigherOrder<unknown>): number {
  return 'savesInputs' in h ? (h.savesInputs ?? 0) : 0;
}
