// Broadcasting binary ops (binary.wgsl). Gradients are reduced back to each input's shape by sumTo,
// the one place where un-broadcasting happens.
import { empty, Tensor, tensorMethods, hooks } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { forEachBroadcast, f64 } from '../reference.js';
import { broadcastShapes, broadcastStrides, sameShape, shapeStr, sizeOf } from '../shape.js';
import { full } from '../creation.js';
import { defineOps, type Attrs, type None, type OpDef, type Ops } from './def.js';
import { apply, checkDType, laneVariants, view } from './apply.js';
import { affine, neg, pow } from './unary.js';
import { sumTo } from './reduce.js';
import binaryWgsl from '../../shaders/binary.wgsl';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface BinaryAttrs {
  add: None;
  sub: None;
  mul: None;
  div: None;
  minimum: None;
  maximum: None;
}
declare module './def.js' {
  interface Attrs extends BinaryAttrs {}
}

const BINARY = /* @__PURE__ */ defineKernel(binaryWgsl, { n: 'u32', na: 'u32', nb: 'u32', rank: 'u32', dims: 'u32[]' }, { A: 'read {{T}}', B: 'read {{T}}', Z: 'read_write {{T}}' });

/**
 * The index mode of a two-input broadcast (broadcast_index.wgsl) and its parameters, counts divided by w
 * (4 for vec4 lanes): 0 when both inputs have the output's shape, 1 when each is the output's shape or a
 * trailing block of it (after leading 1s), else 2 with per-dim (extent, a stride, b stride).
 */
export function broadcastIndex(a: Tensor, b: Tensor, shape: readonly number[], w = 1) {
  const trailing = (s: readonly number[]) => {
    const first = s.findIndex((d) => d !== 1);
    const t = first < 0 ? [] : s.slice(first);
    return sameShape(t, shape.slice(shape.length - t.length));
  };
  const mode = sameShape(a.shape, shape) && sameShape(b.shape, shape) ? 0 : trailing(a.shape) && trailing(b.shape) ? 1 : 2;
  const dims: number[] = [];
  if (mode === 2) {
    const sa = broadcastStrides(a.shape, shape);
    const sb = broadcastStrides(b.shape, shape);
    shape.forEach((d, i) => dims.push(d, sa[i], sb[i]));
  }
  const n = sizeOf(shape);
  return { mode, params: { n: n / w, na: mode === 1 ? a.size / w : 0, nb: mode === 1 ? b.size / w : 0, rank: mode === 2 ? shape.length : 0, dims } };
}

const BINARY_LANES = /* @__PURE__ */ laneVariants('op', ['a', 'b']);

/** The broadcasting kernel (binary.wgsl) on inputs that binaryInfer accepted. */
export function binaryForward(op: string, expr: string, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const z = empty(shape);
  if (!z.size) return z;
  const r = rt();
  const { mode, params } = broadcastIndex(a, b, shape);
  // vec4 lanes when every count is a multiple of 4 (modes 0 and 1 only: mode 2 gathers per element)
  const vec4 = mode !== 2 && z.size % 4 === 0 && (mode === 0 || (a.size % 4 === 0 && b.size % 4 === 0));
  const w = vec4 ? 4 : 1;
  // counts in units of w elements (broadcastIndex's with w, without computing the mode twice)
  params.n /= w;
  params.na /= w;
  params.nb /= w;
  const d = vec4 ? BINARY_LANES.vec4 : BINARY_LANES.scalar;
  r.run(BINARY, { EXPR: expr, MODE: mode, T: d.T, MAP: d.MAP }, { A: view(a), B: view(b), Z: view(z) }, params, r.groups1d(z.size / w, 256));
  // same-shape and trailing-block broadcasts can be fused in a compiled step (src/fuse.ts)
  if (r.recorder && mode !== 2) r.recorder.elementwise({ kind: 'binary', expr, scalars: [0, 0], inputs: [view(a), view(b)], sizes: [a.size, b.size], output: view(z), n: z.size });
  return z;
}

function binaryOp<A>(name: string, expr: string, ref: (a: number, b: number) => number, saves: 'ab' | 'none' | 'by', backward: OpDef<A>['backward']): OpDef<A> {
  return {
    infer([a, b]) {
      checkDType(name, a, 'f32', 'first input');
      checkDType(name, b, 'f32', 'second input');
      return { shape: broadcastShapes(name, a.shape, b.shape), dtype: 'f32' };
    },
    forward([a, b], _attrs, save) {
      const z = binaryForward(name, expr, a, b);
      if (saves === 'ab') (save(a), save(b));
      if (saves === 'by') (save(b), save(z));
      return z;
    },
    backward,
    reference([a, b]) {
      const out: number[] = [];
      const shape = forEachBroadcast(name, [a.shape, b.shape], (i, [ia, ib]) => (out[i] = ref(a.data[ia], b.data[ib])));
      return f64(shape, out);
    },
  };
}

/** minimum/maximum backward: the share of g for a, 1 where a wins, 1/2 at a tie (as PyTorch), 0 where b
 * wins; b gets the rest. */
function extremumBackward(wins: string): OpDef<Record<string, never>>['backward'] {
  return (g, [a, b], _at, [ia, ib]) => {
    const w = binaryForward('extremum', `select(select(0.0, 0.5, a == b), 1.0, ${wins})`, a, b);
    const ga = ia.requiresGrad ? sumTo(mul(g, w), ia.shape) : null;
    const gb = ib.requiresGrad ? sumTo(mul(g, affine(w, -1, 1)), ib.shape) : null;
    w.dispose();
    return [ga, gb];
  };
}

export const binaryDefs: Ops<keyof BinaryAttrs> = /* @__PURE__ */ defineOps(() => ({
  add: binaryOp<Attrs['add']>('add', 'a + b', (a, b) => a + b, 'none', (g, _s, _at, [a, b]) => [sumTo(g, a.shape), sumTo(g, b.shape)]),
  sub: binaryOp<Attrs['sub']>('sub', 'a - b', (a, b) => a - b, 'none', (g, _s, _at, [a, b]) => [sumTo(g, a.shape), sumTo(neg(g), b.shape)]),
  mul: binaryOp<Attrs['mul']>('mul', 'a * b', (a, b) => a * b, 'ab', (g, [a, b], _at, [ia, ib]) => [ia.requiresGrad ? sumTo(mul(g, b), a.shape) : null, ib.requiresGrad ? sumTo(mul(g, a), b.shape) : null]),
  // d(a/b)/db = -a/b^2 = -y/b, from the saved output y.
  div: binaryOp<Attrs['div']>('div', 'a / b', (a, b) => a / b, 'by', (g, [b, y], _at, [ia, ib]) => [ia.requiresGrad ? sumTo(div(g, b), ia.shape) : null, ib.requiresGrad ? sumTo(neg(mul(g, div(y, b))), b.shape) : null]),
  minimum: binaryOp<Attrs['minimum']>('minimum', 'nan_min(a, b)', Math.min, 'ab', extremumBackward('a < b')),
  maximum: binaryOp<Attrs['maximum']>('maximum', 'nan_max(a, b)', Math.max, 'ab', extremumBackward('a > b')),
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  add: { ops: true },
  sub: { ops: true },
  mul: { ops: true },
  div: { ops: true },
  minimum: { ops: true }, // the mask of which input wins is a constant
  maximum: { ops: true },
}));

type Operand = Tensor | number;

function scalarCase(op: string, a: Operand, b: Operand): Tensor | null {
  const isNum = (x: Operand): x is number => typeof x === 'number';
  if (isNum(a) && isNum(b)) throw new Error(`${op}: at least one operand must be a Tensor`);
  if (!isNum(a) && !isNum(b)) return null;
  const s = (isNum(a) ? a : b) as number;
  if (!Number.isFinite(s)) throw new Error(`${op}: scalar operand must be finite, got ${s}`);
  const t = (isNum(a) ? b : a) as Tensor;
  switch (op) {
    case 'add':
      return affine(t, 1, s);
    case 'sub':
      return isNum(a) ? affine(t, -1, s) : affine(t, 1, -s);
    case 'mul':
      return affine(t, s, 0);
    case 'div':
      if (isNum(b)) {
        if (s === 0) throw new Error(`div: division by the scalar 0 (of a tensor of shape ${shapeStr(t.shape)})`);
        return affine(t, 1 / s, 0);
      }
      return affine(pow(t, -1), s, 0);
    default: {
      // minimum, maximum against a scalar
      const st = full([], s);
      const out = apply(binaryDefs[op as 'minimum' | 'maximum'], isNum(a) ? [st, t] : [t, st], {});
      st.dispose();
      return out;
    }
  }
}

export const add = (a: Operand, b: Operand): Tensor => scalarCase('add', a, b) ?? apply(binaryDefs.add, [a as Tensor, b as Tensor], {});
export const sub = (a: Operand, b: Operand): Tensor => scalarCase('sub', a, b) ?? apply(binaryDefs.sub, [a as Tensor, b as Tensor], {});
export const mul = (a: Operand, b: Operand): Tensor => scalarCase('mul', a, b) ?? apply(binaryDefs.mul, [a as Tensor, b as Tensor], {});
export const div = (a: Operand, b: Operand): Tensor => scalarCase('div', a, b) ?? apply(binaryDefs.div, [a as Tensor, b as Tensor], {});
/** Elementwise minimum with broadcasting (a tie sends half the gradient each way, as PyTorch). */
export const minimum = (a: Operand, b: Operand): Tensor => scalarCase('minimum', a, b) ?? apply(binaryDefs.minimum, [a as Tensor, b as Tensor], {});
export const maximum = (a: Operand, b: Operand): Tensor => scalarCase('maximum', a, b) ?? apply(binaryDefs.maximum, [a as Tensor, b as Tensor], {});

// Tensor methods (a.add(...) reads as add(a, ...)): installed when this file loads, so it is listed in
// package.json's sideEffects.
declare module '../tensor.js' {
  interface Tensor {
    add(b: Operand): Tensor;
    sub(b: Operand): Tensor;
    mul(b: Operand): Tensor;
    div(b: Operand): Tensor;
    minimum(b: Operand): Tensor;
    maximum(b: Operand): Tensor;
  }
}
hooks.add = (a, b) => add(a, b);
tensorMethods({
  add(b: Operand) { return add(this, b); },
  sub(b: Operand) { return sub(this, b); },
  mul(b: Operand) { return mul(this, b); },
  div(b: Operand) { return div(this, b); },
  minimum(b: Operand) { return minimum(this, b); },
  maximum(b: Operand) { return maximum(this, b); },
});
