// Tensor methods: thin aliases of the op functions, so that a.matmul(b).relu() reads naturally.
import { hooks, Tensor } from '../tensor.js';
import { add, div, maximum, minimum, mul, sub } from './binary.js';
import { abs, affine, clamp, erf, exp, gelu, log, neg, pow, relu, sigmoid, sign, sqrt, tanh, sin, cos, tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh } from './unary.js';
import { argmax, argmin, cumsum, max, mean, min, sum, topk, type Axes } from './reduce.js';
import { logsumexp, std, variance } from './statistics.js';
import { chunk, flatten, narrow, split, squeeze, tril, triu, unsqueeze } from './joining.js';
import { eq, ge, gt, le, logicalAnd, logicalNot, logicalOr, lt, maskedFill, ne } from './masks.js';
import { cast } from './cast.js';
import { gather, indexSelect, scatterAdd } from './indexing.js';
import type { DType } from '../tensor.js';
import { expand, permute, reshape, transpose } from './movement.js';
import { matmul } from './matmul.js';
import { logSoftmax, softmax } from './softmax.js';
import { onesLike } from '../creation.js';
import { anomalyReport } from '../anomaly.js';
import { scatter } from './scatter.js';

type Operand = Tensor | number;

declare module '../tensor.js' {
  interface Tensor {
    add(b: Operand): Tensor;
    sub(b: Operand): Tensor;
    mul(b: Operand): Tensor;
    div(b: Operand): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    tanh(): Tensor;
    relu(): Tensor;
    sigmoid(): Tensor;
    gelu(opts?: { approximate?: 'none' | 'tanh' }): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    clamp(min?: number, max?: number): Tensor;
    erf(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tan(): Tensor;
    asin(): Tensor;
    acos(): Tensor;
    atan(): Tensor;
    sinh(): Tensor;
    cosh(): Tensor;
    asinh(): Tensor;
    acosh(): Tensor;
    atanh(): Tensor;
    minimum(b: Operand): Tensor;
    maximum(b: Operand): Tensor;
    pow(p: number): Tensor;
    affine(a: number, b?: number): Tensor;
    sum(axis?: Axes, keepdim?: boolean): Tensor;
    mean(axis?: Axes, keepdim?: boolean): Tensor;
    max(axis?: Axes, keepdim?: boolean): Tensor;
    min(axis?: Axes, keepdim?: boolean): Tensor;
    argmin(axis?: number, keepdim?: boolean): Tensor;
    cumsum(axis: number, opts?: { exclusive?: boolean; reverse?: boolean }): Tensor;
    topk(k: number, axis?: number): { values: Tensor; indices: Tensor };
    variance(axis?: Axes, opts?: { correction?: number; keepdim?: boolean }): Tensor;
    std(axis?: Axes, opts?: { correction?: number; keepdim?: boolean }): Tensor;
    logsumexp(axis: number, keepdim?: boolean): Tensor;
    matmul(b: Tensor): Tensor;
    reshape(shape: readonly number[]): Tensor;
    permute(perm: readonly number[]): Tensor;
    transpose(dim0?: number, dim1?: number): Tensor;
    expand(shape: readonly number[]): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
    argmax(axis?: number, keepdim?: boolean): Tensor;
    narrow(axis: number, start: number, length: number): Tensor;
    split(sizeOrSizes: number | readonly number[], axis?: number): Tensor[];
    chunk(chunks: number, axis?: number): Tensor[];
    flatten(start?: number, end?: number): Tensor;
    squeeze(axis?: number): Tensor;
    unsqueeze(axis: number): Tensor;
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
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
    cast(dtype: DType): Tensor;
    indexSelect(axis: number, index: Tensor): Tensor;
    gather(axis: number, index: Tensor): Tensor;
    scatterAdd(axis: number, index: Tensor, src: Tensor): Tensor;
    scatter(axis: number, index: Tensor, src: Tensor, opts?: { reduce?: 'none' | 'add' }): Tensor;
  }
}

const methods: Record<string, (this: Tensor, ...args: any[]) => Tensor | Tensor[]> = {
  add(b: Operand) { return add(this, b); },
  sub(b: Operand) { return sub(this, b); },
  mul(b: Operand) { return mul(this, b); },
  div(b: Operand) { return div(this, b); },
  neg() { return neg(this); },
  exp() { return exp(this); },
  log() { return log(this); },
  sqrt() { return sqrt(this); },
  tanh() { return tanh(this); },
  relu() { return relu(this); },
  sigmoid() { return sigmoid(this); },
  gelu(opts?: { approximate?: 'none' | 'tanh' }) { return gelu(this, opts); },
  abs() { return abs(this); },
  sign() { return sign(this); },
  clamp(min?: number, max?: number) { return clamp(this, min, max); },
  erf() { return erf(this); },
  sin() { return sin(this); },
  cos() { return cos(this); },
  tan() { return tan(this); },
  asin() { return asin(this); },
  acos() { return acos(this); },
  atan() { return atan(this); },
  sinh() { return sinh(this); },
  cosh() { return cosh(this); },
  asinh() { return asinh(this); },
  acosh() { return acosh(this); },
  atanh() { return atanh(this); },
  minimum(b: Operand) { return minimum(this, b); },
  maximum(b: Operand) { return maximum(this, b); },
  pow(p: number) { return pow(this, p); },
  affine(a: number, b = 0) { return affine(this, a, b); },
  sum(axis?: Axes, keepdim?: boolean) { return sum(this, axis, keepdim); },
  mean(axis?: Axes, keepdim?: boolean) { return mean(this, axis, keepdim); },
  max(axis?: Axes, keepdim?: boolean) { return max(this, axis, keepdim); },
  min(axis?: Axes, keepdim?: boolean) { return min(this, axis, keepdim); },
  argmin(axis = -1, keepdim = false) { return argmin(this, axis, keepdim); },
  cumsum(axis: number, opts?: { exclusive?: boolean; reverse?: boolean }) { return cumsum(this, axis, opts); },
  topk(k: number, axis = -1) { return topk(this, k, axis) as never; },
  variance(axis?: Axes, opts?: { correction?: number; keepdim?: boolean }) { return variance(this, axis, opts); },
  std(axis?: Axes, opts?: { correction?: number; keepdim?: boolean }) { return std(this, axis, opts); },
  logsumexp(axis: number, keepdim = false) { return logsumexp(this, axis, keepdim); },
  matmul(b: Tensor) { return matmul(this, b); },
  reshape(shape: readonly number[]) { return reshape(this, shape); },
  permute(perm: readonly number[]) { return permute(this, perm); },
  transpose(d0?: number, d1?: number) { return transpose(this, d0, d1); },
  expand(shape: readonly number[]) { return expand(this, shape); },
  softmax(axis = -1) { return softmax(this, axis); },
  logSoftmax(axis = -1) { return logSoftmax(this, axis); },
  argmax(axis = -1, keepdim = false) { return argmax(this, axis, keepdim); },
  narrow(axis: number, start: number, length: number) { return narrow(this, axis, start, length); },
  split(sizeOrSizes: number | readonly number[], axis = 0) { return split(this, sizeOrSizes, axis); },
  chunk(chunks: number, axis = 0) { return chunk(this, chunks, axis); },
  flatten(start = 0, end = -1) { return flatten(this, start, end); },
  squeeze(axis?: number) { return squeeze(this, axis); },
  unsqueeze(axis: number) { return unsqueeze(this, axis); },
  tril(diagonal = 0) { return tril(this, diagonal); },
  triu(diagonal = 0) { return triu(this, diagonal); },
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
  cast(dtype: DType) { return cast(this, dtype); },
  indexSelect(axis: number, index: Tensor) { return indexSelect(this, axis, index); },
  gather(axis: number, index: Tensor) { return gather(this, axis, index); },
  scatterAdd(axis: number, index: Tensor, src: Tensor) { return scatterAdd(this, axis, index, src); },
  scatter(axis: number, index: Tensor, src: Tensor, opts?: { reduce?: 'none' | 'add' }) { return scatter(this, axis, index, src, opts); },
};
Object.assign(Tensor.prototype, methods);

hooks.add = (a, b) => add(a, b);
hooks.onesLike = onesLike;
hooks.view = (t) => reshape(t, t.shape);
hooks.afterRead = anomalyReport;
