// Convolutional layers with PyTorch's names, layouts and initialisation: Conv2d, BatchNorm1d/2d, GroupNorm,
// RMSNorm, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten. A PyTorch state_dict of the same network loads.
import { isReferenceMode } from '../backend.js';
import { noGrad, Tensor } from '../tensor.js';
import { full, rand, zeros } from '../creation.js';
import { CONV2D_OPTIONS, conv2d, pair, type Conv2dOptions, type Pair } from '../ops/conv.js';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d, POOL_OPTIONS, type PoolOptions } from '../ops/pooling.js';
import { batchNorm, groupNorm, rmsNorm } from '../ops/normalization.js';
import { flatten } from '../ops/joining.js';
import { affine } from '../ops/unary.js';
import { cast } from '../ops/cast.js';
import { Module, writeInto } from './module.js';
import { shapeStr } from '../shape.js';
import { checkOptions } from '../options.js';

const positive = (who: string, what: string, v: number) => {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${who}: ${what} must be a positive integer, got ${v}`);
};

/** 2-D convolution over [N, in, H, W]: weight [out, in / groups, KH, KW] and bias [out], both
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in / groups * KH * KW (PyTorch's default). */
export class Conv2d extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly options: Conv2dOptions;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Pair,
    opts: Conv2dOptions & { bias?: boolean } = {},
  ) {
    super();
    checkOptions('Conv2d', opts, [...CONV2D_OPTIONS, 'bias']);
    positive('Conv2d', 'inChannels', inChannels);
    positive('Conv2d', 'outChannels', outChannels);
    const [kh, kw] = pair('Conv2d', 'kernelSize', kernelSize, 1);
    const groups = opts.groups ?? 1;
    positive('Conv2d', 'groups', groups);
    if (inChannels % groups || outChannels % groups) throw new Error(`Conv2d: groups (${groups}) must divide inChannels (${inChannels}) and outChannels (${outChannels})`);
    const bound = 1 / Math.sqrt((inChannels / groups) * kh * kw);
    this.weight = this.param('weight', rand([outChannels, inChannels / groups, kh, kw], { low: -bound, high: bound }));
    this.bias = opts.bias === false ? null : this.param('bias', rand([outChannels], { low: -bound, high: bound }));
    this.options = { stride: opts.stride, padding: opts.padding, dilation: opts.dilation, groups };
  }
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) throw new Error(`Conv2d(${this.inChannels}, ${this.outChannels}): expected input [N, ${this.inChannels}, H, W], got ${shapeStr(x.shape)}`);
    return conv2d(x, this.weight, this.bias, this.options);
  }
}

interface NormOptions {
  eps?: number;
  /** Weight of the new batch statistics in the running averages (0.1). */
  momentum?: number;
  /** Learned per-channel weight and bias (default true). */
  affine?: boolean;
  /** Keep running statistics for eval (default true); without them eval uses the batch's. */
  trackRunningStats?: boolean;
}

/** Batch normalisation of [N, C] or [N, C, L] (BatchNorm1d), [N, C, H, W] (BatchNorm2d). Buffers
 * running_mean, running_var and num_batches_tracked (PyTorch's names) are updated in training mode only. */
class BatchNorm extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  running_mean: Tensor | null;
  running_var: Tensor | null;
  num_batches_tracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number;
  constructor(
    readonly numFeatures: number,
    readonly ranks: number[],
    opts: NormOptions = {},
  ) {
    super();
    checkOptions(new.target.name, opts, ['eps', 'momentum', 'affine', 'trackRunningStats']);
    positive(this.constructor.name, 'numFeatures', numFeatures);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    const affine = opts.affine ?? true;
    this.weight = affine ? this.param('weight', full([numFeatures], 1)) : null;
    this.bias = affine ? this.param('bias', zeros([numFeatures])) : null;
    const track = opts.trackRunningStats ?? true;
    this.running_mean = track ? this.buffer('running_mean', zeros([numFeatures])) : null;
    this.running_var = track ? this.buffer('running_var', full([numFeatures], 1)) : null;
    this.num_batches_tracked = track ? this.buffer('num_batches_tracked', zeros([], { dtype: 'i32' })) : null;
  }
  forward(x: Tensor): Tensor {
    if (!this.ranks.includes(x.ndim) || x.shape[1] !== this.numFeatures) {
      throw new Error(`${this.constructor.name}(${this.numFeatures}): expected input ${this.ranks.map((r) => shapeStr(['N', this.numFeatures, 'H', 'W'].slice(0, r) as never)).join(' or ')}, got ${shapeStr(x.shape)}`);
    }
    const useBatch = this.training || !this.running_mean;
    const y = batchNorm(x, this.weight, this.bias, { runningMean: this.running_mean, runningVar: this.running_var, training: useBatch, momentum: this.momentum, eps: this.eps });
    // the reference backend (gradcheck's finite differences) never writes the running statistics
    if (this.training && this.num_batches_tracked && !isReferenceMode()) {
      const n = this.num_batches_tracked;
      noGrad(() => {
        const f = cast(n, 'f32');
        const next = affine(f, 1, 1);
        const i = cast(next, 'i32');
        writeInto(n, i, `${this.constructor.name}.num_batches_tracked`);
        for (const t of [f, next, i]) t.dispose();
      });
    }
    return y;
  }
}

export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, opts: NormOptions = {}) {
    super(numFeatures, [2, 3], opts);
  }
}

export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, opts: NormOptions = {}) {
    super(numFeatures, [4], opts);
  }
}

/** Group normalisation of [N, C, ...] (weight 1, bias 0 initially). */
export class GroupNorm extends Module {
  weight: Tensor;
  bias: Tensor;
  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    readonly eps = 1e-5,
  ) {
    super();
    positive('GroupNorm', 'numGroups', numGroups);
    positive('GroupNorm', 'numChannels', numChannels);
    if (numChannels % numGroups) throw new Error(`GroupNorm: numGroups (${numGroups}) must divide numChannels (${numChannels})`);
    this.weight = this.param('weight', full([numChannels], 1));
    this.bias = this.param('bias', zeros([numChannels]));
  }
  forward(x: Tensor): Tensor {
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
}

/** RMS normalisation over the last axis (weight 1 initially). */
export class RMSNorm extends Module {
  weight: Tensor;
  constructor(
    readonly dim: number,
    readonly eps = 1e-6,
  ) {
    super();
    positive('RMSNorm', 'dim', dim);
    this.weight = this.param('weight', full([dim], 1));
  }
  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.weight, this.eps);
  }
}

export class MaxPool2d extends Module {
  constructor(readonly options: PoolOptions) {
    super();
    checkOptions('MaxPool2d', options, POOL_OPTIONS);
  }
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.options);
  }
}

export class AvgPool2d extends Module {
  constructor(readonly options: PoolOptions & { countIncludePad?: boolean }) {
    super();
    checkOptions('AvgPool2d', options, [...POOL_OPTIONS, 'countIncludePad']);
  }
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.options);
  }
}

export class AdaptiveAvgPool2d extends Module {
  constructor(readonly output: Pair) {
    super();
  }
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.output);
  }
}

/** Flattens axes startDim..endDim into one (default: all but the batch axis, as PyTorch's nn.Flatten). */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
}
