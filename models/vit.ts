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
