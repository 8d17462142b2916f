// Transformer layers: Embedding, LayerNorm, MultiHeadAttention (fused attention op), TransformerBlock
// (pre-norm, GELU MLP, residuals, optional dropout).
import { Tensor } from '../tensor.js';
import { full, randn, zeros } from '../creation.js';
import { add } from '../ops/binary.js';
import { embedding } from '../ops/gather.js';
import { permute, reshape } from '../ops/movement.js';
import { attention, layerNorm } from '../ops/transformer.js';
import { Module } from './module.js';
import { Dropout, Linear } from './layers.js';
import { shapeStr } from '../shape.js';
import { checkOptions } from '../options.js';

/** A table of vectors looked up by i32 indices; N(0, 1) initialisation as in PyTorch (std given for GPT-style 0.02). */
export class Embedding extends Module {
  weight: Tensor;
  constructor(
    readonly num: number,
    readonly dim: number,
    opts: { std?: number } = {},
  ) {
    super();
    checkOptions('Embedding', opts, ['std']);
    this.weight = this.param('weight', randn([num, dim], { std: opts.std ?? 1 }));
  }
  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight);
  }
}

export class LayerNorm extends Module {
  weight: Tensor;
  bias: Tensor;
  constructor(
    readonly dim: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.param('weight', full([dim], 1));
    this.bias = this.param('bias', zeros([dim]));
  }
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}

/** Multi-head self-attention on [B, T, d]: q, k, v projections, the fused attention op per head, output projection. */
export class MultiHeadAttention extends Module {
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly proj: Linear;
  readonly headDim: number;
  constructor(
    readonly dim: number,
    readonly heads: number,
    readonly causal = false,
  ) {
    super();
    if (dim % heads) throw new Error(`MultiHeadAttention: dim ${dim} is not divisible by ${heads} heads`);
    this.headDim = dim / heads;
    this.q = this.module('q', new Linear(dim, dim));
    this.k = this.module('k', new Linear(dim, dim));
    this.v = this.module('v', new Linear(dim, dim));
    this.proj = this.module('proj', new Linear(dim, dim));
  }
  forward(x: Tensor): Tensor {
    if (x.ndim !== 3 || x.shape[2] !== this.dim) throw new Error(`MultiHeadAttention: expected [B, T, ${this.dim}], got ${shapeStr(x.shape)}`);
    const [B, T] = x.shape;
    const split = (t: Tensor) => permute(reshape(t, [B, T, this.heads, this.headDim]), [0, 2, 1, 3]); // [B, H, T, Dh]
    const o = attention(split(this.q.forward(x)), split(this.k.forward(x)), split(this.v.forward(x)), { causal: this.causal });
    return this.proj.forward(reshape(permute(o, [0, 2, 1, 3]), [B, T, this.dim]));
  }
}

/** Pre-norm block: x + attn(ln1(x)), then x + mlp(ln2(x)) with a 4x GELU MLP. */
export class TransformerBlock extends Module {
  readonly ln1: LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly ln2: LayerNorm;
  readonly fc: Linear;
  readonly out: Linear;
  readonly drop: Dropout;
  constructor(dim: number, heads: number, opts: { causal?: boolean; dropout?: number; mlpRatio?: number } = {}) {
    super();
    checkOptions(new.target.name, opts, ['causal', 'dropout', 'mlpRatio']);
    const hidden = dim * (opts.mlpRatio ?? 4);
    this.ln1 = this.module('ln1', new LayerNorm(dim));
    this.attn = this.module('attn', new MultiHeadAttention(dim, heads, opts.causal ?? false));
    this.ln2 = this.module('ln2', new LayerNorm(dim));
    // fused matmul + bias + GELU, GPT-2's tanh form (kept explicitly: the built-in models' bits stay as they were)
    this.fc = this.module('fc', new Linear(dim, hidden, { activation: 'geluTanh' }));
    this.out = this.module('out', new Linear(hidden, dim));
    this.drop = this.module('drop', new Dropout(opts.dropout ?? 0));
  }
  forward(x: Tensor): Tensor {
    const h = add(x, this.drop.forward(this.attn.forward(this.ln1.forward(x))));
    return add(h, this.drop.forward(this.out.forward(this.fc.forward(this.ln2.forward(h)))));
  }
}

