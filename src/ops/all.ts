// Every op function in one namespace (for the audit and other code that iterates over ops).
export { add, sub, mul, div, minimum, maximum } from './binary.js';
export { neg, exp, log, sqrt, tanh, relu, sigmoid, gelu, pow, affine, abs, sign, clamp, erf, silu, softplus, leakyRelu } from './unary.js';
export { sum, mean, max, min, argmax, argmin, cumsum, topk, sumTo, type Axes } from './reduce.js';
export { variance, std, logsumexp } from './statistics.js';
export { reshape, permute, transpose, expand } from './movement.js';
export { matmul, linear } from './matmul.js';
export { softmax, logSoftmax } from './softmax.js';
export { embedding, pick } from './gather.js';
export { cast } from './cast.js';
export { dropout } from './dropout.js';
export { indexSelect, gather, scatterAdd } from './indexing.js';
export { multinomial, randint, randperm } from './random.js';
export { slice, narrow, cat, stack, split, chunk, pad, tril, triu, flatten, squeeze, unsqueeze } from './joining.js';
export { eq, ne, lt, le, gt, ge, logicalAnd, logicalOr, logicalNot, where, maskedFill } from './masks.js';
export { crossEntropy, focalLoss, rootedLoss, rootedLogisticLoss, binaryCrossEntropy } from './losses.js';
export { layerNorm, attention } from './transformer.js';
