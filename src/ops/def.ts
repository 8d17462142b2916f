// The op contract. Every primitive has an entry in Attrs (its attributes) and, in table.ts, an OpDef:
// infer (validation, output shape and dtype: run by both backends), forward (kernel dispatch), backward
// (in terms of other ops and backward kernels) and a float64 reference. table.ts is typed
// `{ [P in Primitive]: OpDef<Attrs[P]> }`, so an op without any of them, or a primitive without an entry,
// does not compile.
import type { DType, Tensor } from '../tensor.js';

/** A float64 host tensor: what references compute on (i32 tensors arrive as whole numbers). */
export interface F64 {
  shape: number[];
  data: Float64Array;
}

export interface OpDef<A> {
  /** Checks inputs and attributes, throwing errors that name the op and the values, and gives the output's
   * shape and dtype. Runs before forward and before reference alike, so both backends refuse the same input. */
  infer(inputs: readonly Tensor[], attrs: A): { shape: readonly number[]; dtype: DType };
  /** Dispatches the kernel(s) on inputs that infer accepted, returns the output.
   * `save` keeps a tensor alive for backward (a no-op when no gradient is needed); `needsGrad` says whether
   * backward will run, for fused kernels that write gradients during the forward pass. */
  forward(inputs: Tensor[], attrs: A, save: (t: Tensor) => void, needsGrad: boolean): Tensor;
  /** Gradients for each input from the output's gradient g (null where none flows). Runs under noGrad. */
  backward(g: Tensor, saved: Tensor[], attrs: A, inputs: readonly Tensor[]): (Tensor | null)[];
  /** The same op in float64 on the host: the ground truth for tests, gradcheck and the reference backend. */
  reference(inputs: F64[], attrs: A): F64;
  /** i32 inputs that index something: [input position, exclusive bound]. Under detectAnomaly, values outside
   * [0, bound) computed on the GPU are reported (host-made indices are checked in infer). */
  indexBounds?(inputs: readonly Tensor[], attrs: A): [number, number][];
}

type None = Record<string, never>;
export type Reduction = 'mean' | 'sum' | 'none';

export interface Attrs {
  // elementwise (ops/unary.ts)
  neg: None;
  exp: None;
  log: None;
  sqrt: None;
  tanh: None;
  relu: None;
  sigmoid: None;
  gelu: { approximate: 'none' | 'tanh' };
  abs: None;
  sign: None;
  clamp: { min: number; max: number };
  erf: None;
  silu: None;
  softplus: { beta: number; threshold: number };
  leakyRelu: { slope: number };
  powScalar: { p: number };
  affine: { a: number; b: number };
  // broadcasting binary (ops/binary.ts)
  add: None;
  sub: None;
  mul: None;
  div: None;
  minimum: None;
  maximum: None;
  // reductions (ops/reduce.ts)
  sum: { axis: number | null; keepdim: boolean; scale: number };
  max: { axis: number | null; keepdim: boolean };
  min: { axis: number | null; keepdim: boolean };
  argmax: { axis: number; keepdim: boolean };
  argmin: { axis: number; keepdim: boolean };
  cumsum: { axis: number; exclusive: boolean; reverse: boolean };
  /** The indices of the k largest along axis, largest first (topk's values are gathered with them). */
  topkIndices: { axis: number; k: number };
  /** Un-broadcasting: sums down to `shape` (the one place gradients of broadcasts are reduced). */
  sumTo: { shape: number[] };
  // movement (ops/movement.ts)
  reshape: { shape: number[] };
  permute: { perm: number[] };
  expand: { shape: number[] };
  // ops/matmul.ts
  matmul: None;
  linear: { activation: LinearActivation };
  // ops/softmax.ts
  softmax: { axis: number };
  logSoftmax: { axis: number };
  // ops/gather.ts
  embedding: None;
  pick: None;
  cast: { dtype: DType };
  // masks (ops/masks.ts): comparisons and logical ops to bool, where
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
  // indexing (ops/indexing.ts)
  indexSelect: { axis: number };
  gather: { axis: number };
  scatterAdd: { axis: number };
  // joining (ops/joining.ts)
  slice: { axis: number; start: number; step: number; length: number };
  cat: { axis: number };
  /** Per axis (all of them), the elements added before and after (negative: cropped). */
  pad: { before: number[]; after: number[]; value: number };
  triangle: { upper: boolean; diagonal: number };
  // ops/dropout.ts: the mask from a counter-based hash of (seed, index)
  dropout: { p: number; seed: number };
  // ops/random.ts: samples from a counter-based hash of (seed, row, draw)
  multinomial: { n: number; replacement: boolean; seed: number };
  // custom.ts: an op made with defineOp, by name, with its numeric attributes
  custom: { name: string; values: Record<string, number> };
  // ops/conv.ts: NCHW, weight [out, in / groups, KH, KW]; inputs x, weight and an optional bias
  conv2d: { stride: [number, number]; padding: [number, number]; dilation: [number, number]; groups: number };
  // ops/pooling.ts: [N, C, H, W] or [C, H, W]; windows as PyTorch's (floor mode)
  maxPool2d: { kernel: [number, number]; stride: [number, number]; padding: [number, number]; dilation: [number, number]; ceilMode: boolean };
  avgPool2d: { kernel: [number, number]; stride: [number, number]; padding: [number, number]; countIncludePad: boolean; ceilMode: boolean };
  adaptiveAvgPool2d: { output: [number, number] };
  // ops/normalization.ts: per-channel (batch) and per-group statistics; RMS over the last axis
  batchNorm: { training: boolean; momentum: number; eps: number };
  groupNorm: { groups: number; eps: number };
  rmsNorm: { eps: number };
  // ops/transformer.ts
  layerNorm: { eps: number };
  attention: { causal: boolean };
  // fused losses (ops/losses.ts): forward and gradient in one kernel
  // multiclass: rows whose label is ignoreIndex add nothing, and a mean is over the others
  crossEntropy: { reduction: Reduction; ignoreIndex: number; labelSmoothing: number };
  focalLoss: { reduction: Reduction; alpha: number; gamma: number; ignoreIndex: number };
  rootedLoss: { reduction: Reduction; k: number; m: number; ignoreIndex: number };
  rootedLogisticLoss: { reduction: Reduction; k: number };
  binaryCrossEntropy: { reduction: Reduction };
  // ops/linear_losses.ts: a row loss (built-in or defineRowLoss's, by name, with its scalars in order)
  /** On logits, softmax-fused (a defineRowLoss loss; the built-in ones have their own primitives). */
  rowLoss: { reduction: Reduction; ignoreIndex: number; loss: string; scalars: number[] };
  /** On h W^T (+ b) for inputs h [N, D], weight [V, D], labels [N] (, bias [V]), the logits never written. */
  linearLoss: { loss: string; scalars: number[]; reduction: Reduction; ignoreIndex: number; labelSmoothing: number; strategy: 'chunked' | 'tiled'; chunkRows: number };
  // ops/scatter.ts: torch.scatter (replacing), ONNX GatherND / ScatterND
  scatter: { axis: number };
  gatherNd: { batchDims: number };
  scatterNd: { reduction: 'none' | 'add' | 'mul'; batchDims: number };
  // more elementwise ops (ops/unary.ts); elu is also selu and celu
  hardsigmoid: { alpha: number; beta: number };
  sin: None;
  cos: None;
  tan: None;
  asin: None;
  acos: None;
  atan: None;
  sinh: None;
  cosh: None;
  asinh: None;
  acosh: None;
  atanh: None;

  hardswish: None;
  elu: { alpha: number; scale: number; inputScale: number };
  softsign: None;
  mish: None;
  logSigmoid: None;
  shrink: { lambd: number; bias: number };
  threshold: { threshold: number; value: number };
  /** ops/resize.ts: the last from.length (1 or 2) axes from `from` to `to` by per-axis taps; adjoint: the
   * transpose (to back to from), which is the backward. */
  /** ops/conv_transpose.ts: NCHW, weight [in, out / groups, KH, KW]; inputs x, weight and an optional bias */
  /** maxPool2d's indices (ops/pooling.ts): flat h * W + w per plane */
  maxPool2dIndices: { kernel: [number, number]; stride: [number, number]; padding: [number, number]; dilation: [number, number]; ceilMode: boolean };
  convTranspose2d: { stride: [number, number]; padding: [number, number]; outputPadding: [number, number]; dilation: [number, number]; groups: number };
  resize: { from: number[]; to: number[]; scale: number[]; mode: 'nearest' | 'linear' | 'cubic'; coord: import('./resize.js').ResizeCoord; nearest: import('./resize.js').NearestMode; cubicA: number; excludeOutside: boolean; roi: number[]; adjoint: boolean };
}

export type Primitive = keyof Attrs;
/** The activations the fused linear kernel applies: 'gelu' is exact (erf), 'geluTanh' GPT-2's form. */
export type LinearActivation = 'none' | 'relu' | 'gelu' | 'geluTanh';
export type OpTable = { [P in Primitive]: OpDef<Attrs[P]> };
