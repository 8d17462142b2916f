// Masks: comparisons and logical ops with broadcasting, giving bool tensors (compare.wgsl: 0/1 words), and
// where(cond, a, b) (where.wgsl) with gradients to a and b. Integer and bool operands compare as i32 (exact),
// any f32 operand makes the comparison f32.
import { empty, Tensor, type DType, tensorMethods } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { full, zeros } from '../creation.js';
import { f64, forEachBroadcast } from '../reference.js';
import { broadcastShapes, broadcastStrides, sameShape, shapeStr } from '../shape.js';
import { defineOps, type Attrs, type None, type OpDef, type Ops } from './def.js';
import { apply, checkDType, view } from './apply.js';
import { sumTo } from './reduce.js';
import { broadcastIndex } from './binary.js';
import { wgslType } from './cast.js';
import compareWgsl from '../../shaders/compare.wgsl';
import whereWgsl from '../../shaders/where.wgsl';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface MaskAttrs {
  eq: None;
  ne: None;
  lt: None;
  le: None;
  gt: None;
  ge: None;
  logicalAnd: None;
  logicalOr: None;
  logicalNot: None;
  where: None;
}
declare module './def.js' {
  interface Attrs extends MaskAttrs {}
}

const COMPARE = /* @__PURE__ */ defineKernel(compareWgsl, { n: 'u32', na: 'u32', nb: 'u32', rank: 'u32', dims: 'u32[]' }, { A: 'read {{AT}}', B: 'read {{BT}}', Z: 'read_write u32' });
const WHERE = /* @__PURE__ */ defineKernel(whereWgsl, { n: 'u32', rank: 'u32', dims: 'u32[]' }, { COND: 'read u32', A: 'read u32', B: 'read u32', Z: 'read_write u32' });

const integral = (d: DType) => d !== 'f32';

function compareOp(name: string, expr: string, ref: (a: number, b: number) => boolean, operands: 'any' | 'bool'): OpDef<Record<string, never>> {
  return {
    infer([a, b]) {
      if (operands === 'bool') {
        checkDType(name, a, 'bool', 'first input');
        checkDType(name, b, 'bool', 'second input');
      }
      return { shape: broadcastShapes(name, a.shape, b.shape), dtype: 'bool' };
    },
    forward([a, b]) {
      const shape = broadcastShapes(name, a.shape, b.shape);
      const z = empty(shape, 'bool');
      if (!z.size) return z;
      const { mode, params } = broadcastIndex(a, b, shape);
      const S = integral(a.dtype) && integral(b.dtype) ? 'i32' : 'f32';
      const r = rt();
      // NaN != NaN, found by its bits: WGSL's != may ignore NaN (SwiftShader's does)
      const e = S === 'f32' && name === 'ne' ? 'a != b || is_nan(a) || is_nan(b)' : S === 'f32' && name === 'eq' ? 'a == b && !is_nan(a)' : expr;
      r.run(COMPARE, { EXPR: e, MODE: mode, S, AT: wgslType(a.dtype), BT: wgslType(b.dtype) }, { A: view(a), B: view(b), Z: view(z) }, params, r.groups1d(z.size, 256));
      return z;
    },
    backward() {
      return [null, null]; // a comparison is not differentiable
    },
    reference([a, b]) {
      const out: number[] = [];
      const shape = forEachBroadcast(name, [a.shape, b.shape], (i, [ia, ib]) => (out[i] = ref(a.data[ia], b.data[ib]) ? 1 : 0));
      return f64(shape, out);
    },
  };
}

/** where's kernel: z = cond ? a : b with broadcasting, on 32-bit words. */
function whereKernel(cond: Tensor, a: Tensor, b: Tensor, dtype: DType): Tensor {
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape);
  const z = empty(shape, dtype);
  if (!z.size) return z;
  // all three of the output's shape: no index arithmetic (SAME)
  const same = [cond, a, b].every((t) => sameShape(t.shape, shape));
  const [sc, sa, sb] = [cond, a, b].map((t) => broadcastStrides(t.shape, shape));
  const dims = same ? [] : shape.flatMap((d, i) => [d, sc[i], sa[i], sb[i]]);
  const r = rt();
  r.run(WHERE, { SAME: String(same) }, { COND: view(cond), A: view(a), B: view(b), Z: view(z) }, { n: z.size, rank: same ? 0 : shape.length, dims }, r.groups1d(z.size, 256));
  return z;
}

export const maskDefs: Ops<keyof MaskAttrs> = /* @__PURE__ */ defineOps(() => ({
  eq: compareOp('eq', 'a == b', (a, b) => a === b, 'any') satisfies OpDef<Attrs['eq']>,
  ne: compareOp('ne', 'a != b', (a, b) => a !== b, 'any') satisfies OpDef<Attrs['ne']>,
  lt: compareOp('lt', 'a < b', (a, b) => a < b, 'any') satisfies OpDef<Attrs['lt']>,
  le: compareOp('le', 'a <= b', (a, b) => a <= b, 'any') satisfies OpDef<Attrs['le']>,
  gt: compareOp('gt', 'a > b', (a, b) => a > b, 'any') satisfies OpDef<Attrs['gt']>,
  ge: compareOp('ge', 'a >= b', (a, b) => a >= b, 'any') satisfies OpDef<Attrs['ge']>,
  logicalAnd: compareOp('logicalAnd', 'a != 0 && b != 0', (a, b) => a !== 0 && b !== 0, 'bool') satisfies OpDef<Attrs['logicalAnd']>,
  logicalOr: compareOp('logicalOr', 'a != 0 || b != 0', (a, b) => a !== 0 || b !== 0, 'bool') satisfies OpDef<Attrs['logicalOr']>,
  logicalNot: {
    infer([x]) {
      checkDType('logicalNot', x, 'bool');
      return { shape: x.shape, dtype: 'bool' };
    },
    forward([x]) {
      const z = empty(x.shape, 'bool');
      if (!z.size) return z;
      const { params } = broadcastIndex(x, x, x.shape);
      const r = rt();
      r.run(COMPARE, { EXPR: 'a == 0', MODE: 0, S: 'i32', AT: 'u32', BT: 'u32' }, { A: view(x), B: view(x), Z: view(z) }, params, r.groups1d(z.size, 256));
      return z;
    },
    backward() {
      return [null];
    },
    reference([x]) {
      return f64(x.shape, Array.from(x.data, (v) => (v === 0 ? 1 : 0)));
    },
  } satisfies OpDef<Attrs['logicalNot']>,

  where: {
    infer([cond, a, b]) {
      checkDType('where', cond, 'bool', 'condition');
      if (a.dtype !== b.dtype) throw new Error(`where: a and b must have one dtype, got ${a.dtype} ${shapeStr(a.shape)} and ${b.dtype} ${shapeStr(b.shape)}`);
      return { shape: broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape), dtype: a.dtype };
    },
    forward([cond, a, b], _attrs, save) {
      save(cond);
      return whereKernel(cond, a, b, a.dtype);
    },
    backward(g, [cond], _attrs, [, a, b]) {
      const zero = zeros([]);
      const ga = a.requiresGrad ? sumTo(whereKernel(cond, g, zero, 'f32'), a.shape) : null;
      const gb = b.requiresGrad ? sumTo(whereKernel(cond, zero, g, 'f32'), b.shape) : null;
      zero.dispose();
      return [null, ga, gb];
    },
    reference([cond, a, b]) {
      const out: number[] = [];
      const shape = forEachBroadcast('where', [cond.shape, a.shape, b.shape], (i, [ic, ia, ib]) => (out[i] = cond.data[ic] !== 0 ? a.data[ia] : b.data[ib]));
      return f64(shape, out);
    },
  } satisfies OpDef<Attrs['where']>,
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  eq: { none: 'comparisons have boolean outputs: no gradient' },
  ne: { none: 'comparisons have boolean outputs: no gradient' },
  lt: { none: 'comparisons have boolean outputs: no gradient' },
  le: { none: 'comparisons have boolean outputs: no gradient' },
  gt: { none: 'comparisons have boolean outputs: no gradient' },
  ge: { none: 'comparisons have boolean outputs: no gradient' },
  logicalAnd: { none: 'logical ops have boolean outputs: no gradient' },
  logicalOr: { none: 'logical ops have boolean outputs: no gradient' },
  logicalNot: { none: 'logical ops have boolean outputs: no gradient' },
  where: {
    backward: (g, [cond], _a, [, a, b]) => {
      const zero = zeros([]);
      return [null, a.requiresGrad ? sumTo(where(cond, g, zero), a.shape) : null, b.requiresGrad ? sumTo(where(cond, zero, g), b.shape) : null];
    },
  },
}));

type Operand = Tensor | number;

/** A number operand as a 0-d tensor: i32 when it is an integer and the other operand is integral. */
function operands(op: string, a: Operand, b: Operand): [Tensor, Tensor, Tensor | null] {
  const isNum = (x: Operand): x is number => typeof x === 'number';
  if (isNum(a) && isNum(b)) throw new Error(`${op}: at least one operand must be a Tensor`);
  if (!isNum(a) && !isNum(b)) return [a, b, null];
  const t = (isNum(a) ? b : a) as Tensor;
  const s = (isNum(a) ? a : b) as number;
  if (typeof s !== 'number' || Number.isNaN(s)) throw new Error(`${op}: the number operand must not be NaN, got ${s}`);
  const made = full([], Math.max(-3.4e38, Math.min(3.4e38, s)), { dtype: integral(t.dtype) && Number.isInteger(s) ? 'i32' : 'f32' });
  return isNum(a) ? [made, t, made] : [t, made, made];
}

function compare(op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', a: Operand, b: Operand): Tensor {
  const [x, y, made] = operands(op, a, b);
  const out = apply(maskDefs[op], [x, y], {});
  made?.dispose();
  return out;
}

export const eq = (a: Operand, b: Operand): Tensor => compare('eq', a, b);
export const ne = (a: Operand, b: Operand): Tensor => compare('ne', a, b);
export const lt = (a: Operand, b: Operand): Tensor => compare('lt', a, b);
export const le = (a: Operand, b: Operand): Tensor => compare('le', a, b);
export const gt = (a: Operand, b: Operand): Tensor => compare('gt', a, b);
export const ge = (a: Operand, b: Operand): Tensor => compare('ge', a, b);
export const logicalAnd = (a: Tensor, b: Tensor): Tensor => apply(maskDefs.logicalAnd, [a, b], {});
export const logicalOr = (a: Tensor, b: Tensor): Tensor => apply(maskDefs.logicalOr, [a, b], {});
export const logicalNot = (x: Tensor): Tensor => apply(maskDefs.logicalNot, [x], {});

/** cond ? a : b elementwise, all three broadcast together; cond is bool; gradients flow to a and b. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const pick = (v: Operand, other: Operand) => (typeof v === 'number' ? full([], v, { dtype: typeof other !== 'number' && other.dtype !== 'f32' && Number.isInteger(v) ? other.dtype : 'f32' }) : v);
  if (typeof a === 'number' && typeof b === 'number') throw new Error('where: at least one of a and b must be a Tensor');
  const ta = pick(a, b);
  const tb = pick(b, a);
  const out = apply(maskDefs.where, [cond, ta, tb], {});
  if (ta !== a) ta.dispose();
  if (tb !== b) tb.dispose();
  return out;
}

/** x with value where mask is true (mask broadcasts to x's shape); the gradient flows to x elsewhere. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`maskedFill: value must be a number, got ${value}`);
  const shape = broadcastShapes('maskedFill', x.shape, mask.shape);
  if (!sameShape(shape, x.shape)) throw new Error(`maskedFill: mask ${shapeStr(mask.shape)} must broadcast to the input's shape ${shapeStr(x.shape)}`);
  // -inf and inf become the large finite sentinels (WGSL leaves infinities to the implementation)
  return where(mask, Math.max(-3.4e38, Math.min(3.4e38, value)), x);
}

// Tensor methods (a.eq(...) reads as eq(a, ...)): installed when this file loads, so it is listed in
// package.json's sideEffects.
declare module '../tensor.js' {
  interface Tensor {
    eq(b: Operand): Tensor;
    ne(b: Operand): Tensor;
    lt(b: Operand): Tensor;
    le(b: Operand): Tensor;
    gt(b: Operand): Tensor;
    ge(b: Operand): Tensor;
    logicalAnd(b: Tensor): Tensor;
    logicalOr(b: Tensor): Tensor;
    logicalNot(): Tensor;
    maskedFill(mask: Tensor, value: number): Tensor;
  }
}
tensorMethods({
  eq(b: Operand) { return eq(this, b); },
  ne(b: Operand) { return ne(this, b); },
  lt(b: Operand) { return lt(this, b); },
  le(b: Operand) { return le(this, b); },
  gt(b: Operand) { return gt(this, b); },
  ge(b: Operand) { return ge(this, b); },
  logicalAnd(b: Tensor) { return logicalAnd(this, b); },
  logicalOr(b: Tensor) { return logicalOr(this, b); },
  logicalNot() { return logicalNot(this); },
  maskedFill(mask: Tensor, value: number) { return maskedFill(this, mask, value); },
});
