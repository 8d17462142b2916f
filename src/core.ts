// rootgrad/core: the eager engine (the browser entry of `rootgrad/core`; src/node-core.ts adds Node's WebGPU
// provider). Tensors and autograd (first and higher order, forward mode), every op with its float64 reference,
// the reference backend, custom ops, anomaly mode, modules, optimisers and schedules, and safetensors I/O.
// `rootgrad` (src/index.ts) is this plus compiled steps, the checking and audit tools, autotuning, the training
// loop, experiments, plots, data sets and the model zoo; rootgrad/onnx builds on this alone. The bundles share
// one copy of it (the same Tensor class and device), so an app may import from any of them. Its bundle's
// budget is 100 KB gzipped (test/consumer.test.ts).
import { mem } from './tensor.js';
import { current, hasDevice } from './gpu.js';
import { rt, type MemoryStats } from './runtime.js';

export { init, isSupported, adapterInfo, shutdown, type AdapterInfo, type InitOptions } from './gpu.js';
export { RootgradError, type RootgradErrorCode } from './errors.js';
export { Tensor, tidy, keep, noGrad, isGradEnabled, grad, type DType, type GradOptions } from './tensor.js';
export type { HigherOrder } from './ops/higher_order.js';
export { higherOrder } from './ops/table.js';
export { tensor, zeros, ones, full, rand, randn, arange, zerosLike, onesLike, type TensorOptions, type TensorData } from './creation.js';
export { manualSeed, Generator, globalGenerator } from './random.js';
export { add, sub, mul, div, minimum, maximum } from './ops/binary.js';
export { neg, exp, log, sqrt, tanh, relu, sigmoid, gelu, pow, affine, abs, sign, clamp, erf, silu, softplus, leakyRelu } from './ops/unary.js';
export { sum, mean, max, min, argmax, argmin, cumsum, topk, sumTo, type Axes } from './ops/reduce.js';
export { variance, std, logsumexp } from './ops/statistics.js';
export { reshape, permute, transpose, expand } from './ops/movement.js';
export { matmul, linear } from './ops/matmul.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export { embedding, pick } from './ops/gather.js';
export { cast } from './ops/cast.js';
export { dropout } from './ops/dropout.js';
export { indexSelect, gather, scatterAdd } from './ops/indexing.js';
export { multinomial, randint, randperm } from './ops/random.js';
export { slice, narrow, cat, stack, split, chunk, pad, tril, triu, flatten, squeeze, unsqueeze } from './ops/joining.js';
export { eq, ne, lt, le, gt, ge, logicalAnd, logicalOr, logicalNot, where, maskedFill } from './ops/masks.js';
export { layerNorm, attention } from './ops/transformer.js';
export { maxPool2d, avgPool2d, adaptiveAvgPool2d, globalAvgPool2d, type PoolOptions } from './ops/pooling.js';
export { batchNorm, groupNorm, rmsNorm, type BatchNormOptions } from './ops/normalization.js';
export { conv2d, type Conv2dOptions } from './ops/conv.js';
export { withBackend, isReferenceMode, referenceValues, runReference, referenceOutput, type Backend } from './backend.js';
export { defineOp, customOps, type CustomOp, type CustomOpSpec, type KernelSpec } from './custom.js';
export { checkOptions } from './options.js';
export { hvp, jvp, vjp } from './autodiff.js';
export { Params } from './runtime.js';
export { detectAnomaly, anomalyEnabled } from './anomaly.js';
export { crossEntropy, focalLoss, rootedLoss, rootedLogisticLoss, binaryCrossEntropy, type LossOptions } from './ops/losses.js';
export { linearCrossEntropy, linearRootedLoss, linearFocalLoss, rowLoss, linearRowLoss, defineRowLoss, rowLossNames, rowLossScalars, undefineRowLoss, chunkRowsFor, type RowLoss, type RowLossSpec, type LinearLossOptions } from './ops/linear_losses.js';
export { opTable } from './ops/table.js';
export { setKernelVariant, kernelVariant, resetAutotune, type Variants } from './variants.js';
export type { Attrs, Primitive, OpDef, F64 } from './ops/def.js';

/** Live tensors and bytes (and their peak since resetPeakBytes()), what the garbage collector freed
 * (finalizedTensors/Bytes: tensors dropped without dispose or tidy), the buffer pool, and dispatch counters. */
export function memory(): MemoryStats & { peakBytes: number; finalizedTensors: number; finalizedBytes: number } {
  const base = { liveTensors: mem.liveTensors, liveBytes: mem.liveBytes, peakBytes: mem.peakBytes, finalizedTensors: mem.finalizedTensors, finalizedBytes: mem.finalizedBytes };
  if (!hasDevice()) return { ...base, pooledBytes: 0, pooledBuffers: 0, buffersCreated: 0, poolHits: 0, poolMisses: 0, dispatches: 0, submits: 0, bindGroupHits: 0, bindGroupsCreated: 0, pinnedBytes: 0, stagingBytes: 0, stagingBuffers: 0 };
  return { ...base, ...rt().stats };
}

/** Starts measuring peak live bytes from the current level. */
export function resetPeakBytes(): void {
  mem.peakBytes = mem.liveBytes;
}

/** Caps the bytes the buffer pool keeps (default 512 MiB), freeing what is above; returns the previous cap. */
export function setPoolCap(bytes: number): number {
  if (!(bytes >= 0)) throw new Error(`setPoolCap: bytes must be >= 0, got ${bytes}`);
  return rt().setPoolCap(bytes);
}

/** Submits every recorded dispatch now (reads do this by themselves). */
export function flush(): void {
  if (hasDevice()) rt().flush();
}

/** Submits every recorded dispatch and resolves when the device has finished them (like
 * torch.cuda.synchronize). A page that awaits it between training steps keeps at most one step queued, so
 * the browser can draw frames in between. */
export async function synchronize(): Promise<void> {
  if (!hasDevice()) return;
  rt().flush();
  await current().device.queue.onSubmittedWorkDone();
}

// Training: modules, optimisers, schedules, safetensors bytes.
export { Module, ModuleList, ModuleDict, writeInto, type StateValue, type AnyModule } from './nn/module.js';
export { Linear, ReLU, GELU, Tanh, Dropout, Sequential, mlp, type Activation } from './nn/layers.js';
export { Optimizer, SGD, Adam, AdamW, clipGradNorm, type OptimizerState, type SGDOptions, type AdamOptions, type SGDSettings, type AdamSettings, type ParamGroup, type ParamGroupSpec } from './optim/optimizer.js';
export { cosineSchedule, constantSchedule, oneCycleSchedule, type OneCycleOptions } from './optim/schedule.js';
export { toSafetensors, fromSafetensors, safetensorsHeader, toHost, toDevice, type HostTensor, type SafetensorsEntry } from './io/safetensors.js';
export { saveToBytes, loadFromBytes, readBytes, type ByteSource } from './io/bytes.js';
export { Embedding, LayerNorm, MultiHeadAttention, TransformerBlock } from './nn/transformer.js';
export { Conv2d, BatchNorm1d, BatchNorm2d, GroupNorm, RMSNorm, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten } from './nn/conv.js';

// Primitives that ONNX import maps to (issue 27): scatter and N-d indexing, ...
export { scatter, gatherNd, scatterNd } from './ops/scatter.js';
export { hardsigmoid, hardswish, hardtanh, elu, selu, celu, softsign, mish, logSigmoid, sin, cos, tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh } from './ops/unary.js';
export { interpolate, resize, type InterpolateOptions, type ResizeOptions, type ResizeCoord, type NearestMode } from './ops/resize.js';
export { convTranspose2d, convTranspose1d, type ConvTranspose2dOptions } from './ops/conv_transpose.js';
export { maxPool2dWithIndices } from './ops/pooling.js';
export { oneHot, prelu, instanceNorm, localResponseNorm } from './ops/composite.js';
export { einsum } from './ops/einsum.js';
export { hardshrink, softshrink, shrink, threshold } from './ops/unary.js';
