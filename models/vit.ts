// A ViT-style classifier for small square images (the 8x8 digits): non-overlapping patches, a linear patch
// embedding plus learned positions, pre-norm Transformer blocks, mean pooling over the patches, a final
// layer norm and a linear head.
import { Module, ModuleList } from '../src/nn/module.js';
import { Linear } from '../src/nn/layers.js';
import { LayerNorm, TransformerBlock } from '../src/nn/transformer.js';
import { randn } from '../src/creation.js';
import { add } from '../src/ops/binary.js';
import { mean } from '../src/ops/reduce.js';
import { permute, reshape } from '../src/ops/movement.js';
import type { Tensor } from '../src/tensor.js';
import { shapeStr } from '../src/shape.js';
import { positiveInt, type ModelSpec } from './spec.js';

export interface VitConfig {
  kind: 'vit';
  /** Image side (images are side x side, one channel, flattened row-major). */
  side: number;
  patch: number;
  dim: number;
  heads: number;
  layers: number;
  classes: number;
  dropout?: number;
}

export class ViT extends Module {
  readonly embed: Linear;
  readonly pos: Tensor;
  readonly blocks: ModuleList<TransformerBlock>;
  readonly norm: LayerNorm;
  readonly head: Linear;
  readonly patches: number;
  constructor(readonly config: VitConfig) {
    super();
    const { side, patch, dim } = config;
    if (side % patch) throw new Error(`ViT: image side ${side} is not a multiple of the patch size ${patch}`);
    this.patches = (side / patch) ** 2;
    this.embed = this.module('embed', new Linear(patch * patch, dim));
    this.pos = this.param('pos', randn([this.patches, dim], { std: 0.02 }));
    this.blocks = this.module('blocks', new ModuleList(Array.from({ length: config.layers }, () => new TransformerBlock(dim, config.heads, { dropout: config.dropout }))));
    this.norm = this.module('norm', new LayerNorm(dim));
    this.head = this.module('head', new Linear(dim, config.classes));
  }
  /** Logits [N, classes] for images [N, side * side]. */
  forward(x: Tensor): Tensor {
    const { side, patch } = this.config;
    if (x.ndim !== 2 || x.shape[1] !== side * side) throw new Error(`ViT: expected images [N, ${side * side}], got ${shapeStr(x.shape)}`);
    const N = x.shape[0];
    const g = side / patch;
    // [N, side*side] -> [N, g, p, g, p] -> [N, g, g, p, p] -> [N, patches, p*p]
    const tiles = reshape(permute(reshape(x, [N, g, patch, g, patch]), [0, 1, 3, 2, 4]), [N, this.patches, patch * patch]);
    let h = add(this.embed.forward(tiles), this.pos);
    for (const b of this.blocks) h = b.forward(h);
    return this.head.forward(this.norm.forward(mean(h, 1)));
  }
}

export const vitDefaults = { patch: 4, dim: 64, heads: 4, layers: 2, dropout: 0 };

export const vitSpec: ModelSpec<VitConfig> = {
  kind: 'vit',
  about: 'a Vision Transformer on square one-channel images',
  options: ['patch', 'dim', 'heads', 'layers', 'dropout'],
  configure: (data, o) => {
    const side = Math.round(Math.sqrt(data.features));
    if (side * side !== data.features) throw new Error(`vit: needs square images; ${data.name ?? 'the data'} has ${data.features} features`);
    const c: VitConfig = { kind: 'vit', side, patch: o.patch ?? vitDefaults.patch, dim: o.dim ?? vitDefaults.dim, heads: o.heads ?? vitDefaults.heads, layers: o.layers ?? vitDefaults.layers, classes: data.classes, dropout: o.dropout ?? vitDefaults.dropout };
    vitSpec.check(c);
    return c;
  },
  check: (c) => {
    for (const k of ['side', 'patch', 'dim', 'heads', 'layers'] as const) positiveInt('vit', k, c[k]);
    positiveInt('vit', 'classes', c.classes, 2);
    if (c.side % c.patch) throw new Error(`vit: the patch size ${c.patch} does not divide the image side ${c.side}`);
    if (c.dim % c.heads) throw new Error(`vit: the width ${c.dim} is not divisible by the heads ${c.heads}`);
  },
  training: () => ({ epochs: 15, lr: 3e-3, warmup: 20 }),
  infer: (shapes) => {
    const [embed, pos, head] = [shapes['embed.weight'], shapes['pos'], shapes['head.weight']];
    if (!embed || !pos || !head || embed.length !== 2 || pos.length !== 2 || head.length !== 2) return null;
    const patch = Math.round(Math.sqrt(embed[1]));
    const side = Math.round(Math.sqrt(pos[0])) * patch;
    const dim = embed[0];
    const heads = dim % vitDefaults.heads === 0 ? vitDefaults.heads : 1;
    const layers = new Set(Object.keys(shapes).flatMap((k) => /^blocks\.(\d+)\./.exec(k)?.[1] ?? [])).size;
    return { config: { kind: 'vit', side, patch, dim, heads, layers, classes: head[0] }, assumed: [`${heads} heads (the weights fit any number that divides ${dim})`] };
  },
};
