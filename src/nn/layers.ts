// Layers: Linear (PyTorch's default initialisation), activations, Dropout, Sequential, and an MLP builder.
import { Tensor, isGradEnabled } from '../tensor.js';
import { rand } from '../creation.js';
import { dropout } from '../ops/dropout.js';
import { linear, matmul } from '../ops/matmul.js';
import { transpose } from '../ops/movement.js';
import { gelu, relu, tanh } from '../ops/unary.js';
import { Module } from './module.js';
import type { LinearActivation } from '../ops/def.js';

/**
 * y = act(x W^T + b), W [out, in] as in PyTorch; W and b ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform with
 * a = sqrt(5)). With a bias, one fused kernel (the `linear` op) does the matmul, the bias and the activation.
 */
export class Linear extends Module {
  /** Assignable: `head.weight = embedding.weight` ties the two. */
  weight: Tensor;
  bias: Tensor | null;
  readonly activation: LinearActivation;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: { bias?: boolean; activation?: LinearActivation } = {},
  ) {
    super();
    if (!Number.isInteger(inFeatures) || !Number.isInteger(outFeatures) || inFeatures < 1 || outFeatures < 1) {
      throw new Error(`Linear: sizes must be positive integers, got ${inFeatures} -> ${outFeatures}`);
    }
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = this.param('weight', rand([outFeatures, inFeatures], { low: -bound, high: bound }));
    this.bias = opts.bias === false ? null : this.param('bias', rand([outFeatures], { low: -bound, high: bound }));
    this.activation = opts.activation ?? 'none';
  }
  forward(x: Tensor): Tensor {
    if (this.bias) return linear(x, this.weight, this.bias, this.activation);
    const wt = transpose(this.weight);
    const y = matmul(x, wt);
    wt.dispose();
    if (this.activation === 'none') return y;
    const out = this.activation === 'relu' ? relu(y) : gelu(y, { approximate: this.activation === 'geluTanh' ? 'tanh' : 'none' });
    y.dispose();
    return out;
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

export class GELU extends Module {
  forward(x: Tensor): Tensor {
    return gelu(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** Zeroes each element with probability p while training and scales the rest by 1/(1-p); identity in eval. */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: p must be in [0, 1), got ${p}`);
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training); // the seed comes from the global generator: manualSeed repeats masks
  }
}

export class Sequential extends Module {
  readonly layers: Module[];
  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((l, i) => this.module(String(i), l));
  }
  forward(x: Tensor): Tensor {
    let h = x;
    for (const l of this.layers) {
      const next = l.forward(h);
      if (h !== x && next !== h && !isGradEnabled()) h.dispose(); // inference frees as it goes; training keeps the graph
      h = next;
    }
    return h;
  }
}

export type Activation = 'relu' | 'gelu' | 'tanh';

/** Linear layers of the given sizes with an activation (and optional dropout) between them. */
export function mlp(sizes: readonly number[], opts: { activation?: Activation; dropout?: number } = {}): Sequential {
  if (sizes.length < 2) throw new Error(`mlp: needs at least an input and an output size, got [${sizes.join(', ')}]`);
  const act = opts.activation ?? 'relu';
  const layers: Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const hidden = i + 2 < sizes.length;
    // ReLU and GELU are fused into the linear kernel; tanh is a layer of its own.
    layers.push(new Linear(sizes[i], sizes[i + 1], { activation: hidden && act !== 'tanh' ? act : 'none' }));
    if (hidden) {
      if (act === 'tanh') layers.push(new Tanh());
      if (opts.dropout) layers.push(new Dropout(opts.dropout));
    }
  }
  return new Sequential(...layers);
}
