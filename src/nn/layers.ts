// Layers: Linear (PyTorch's default initialisation), activations, Dropout, Sequential, and an MLP builder.
import { Tensor, isGradEnabled } from '../tensor.js';
import { rand } from '../creation.js';
import { dropout } from '../ops/dropout.js';
import { linear, matmul } from '../ops/matmul.js';
import { transpose } from '../ops/movement.js';
import { gelu, relu, tanh } from '../ops/unary.js';
import { Module } from './module.js';
import { dependOn } from '../host-reads.js';
import type { LinearActivation } from '../ops/def.js';
import { checkOptions } from '../options.js';

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
    checkOptions('Linear', opts, ['bias', 'activation']);
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
    dependOn(this, 'p', () => this.p); // p is assignable: a compiled step records again after a change
    return dropout(x, this.p, this.training); // the seed comes from the global generator: manualSeed repeats masks
  }
}

/** Modules in order, named 0, 1, 2... as in PyTorch's nn.Sequential. A Linear followed by ReLU or GELU runs
 * as one fused kernel (the layers, and so the state_dict names, stay PyTorch's). */
export class Sequential extends Module {
  readonly layers: Module[];
  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((l, i) => this.module(String(i), l));
  }
  forward(x: Tensor): Tensor {
    let h = x;
    for (let i = 0; i < this.layers.length; i++) {
      const l = this.layers[i];
      const act = fusable(l, this.layers[i + 1]);
      const next = act ? linear(h, (l as Linear).weight, (l as Linear).bias!, act) : l.forward(h);
      if (act) i++;
      if (h !== x && next !== h && !isGradEnabled()) h.dispose(); // inference frees as it goes; training keeps the graph
      h = next;
    }
    return h;
  }
}

/** The activation a Linear (with a bias, no activation of its own) can take from the layer after it.
 * Exact classes only: a subclass may override forward, and then it must run as written. */
function fusable(l: Module, next: Module | undefined): LinearActivation | null {
  if (l.constructor !== Linear || !(l as Linear).bias || (l as Linear).activation !== 'none' || !next) return null;
  return next.constructor === ReLU ? 'relu' : next.constructor === GELU ? 'gelu' : null;
}

export type Activation = 'relu' | 'gelu' | 'tanh';

/** Linear layers of the given sizes with an activation (and optional dropout) between them, laid out as
 * PyTorch's nn.Sequential(Linear, ReLU, [Dropout,] Linear, ...) so that its state_dict names match (the
 * Linear + ReLU/GELU pairs still run fused). */
export function mlp(sizes: readonly number[], opts: { activation?: Activation; dropout?: number } = {}): Sequential {
  checkOptions('mlp', opts, ['activation', 'dropout']);
  if (sizes.length < 2) throw new Error(`mlp: needs at least an input and an output size, got [${sizes.join(', ')}]`);
  const act = opts.activation ?? 'relu';
  const layers: Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new Linear(sizes[i], sizes[i + 1]));
    if (i + 2 < sizes.length) {
      layers.push(act === 'relu' ? new ReLU() : act === 'gelu' ? new GELU() : new Tanh());
      if (opts.dropout) layers.push(new Dropout(opts.dropout));
    }
  }
  return new Sequential(...layers);
}
