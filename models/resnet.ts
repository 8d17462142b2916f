// A small ResNet for one-channel square images: a 3x3 stem (conv, batch norm, ReLU), stages of BasicBlocks
// (two 3x3 conv + batch norm, a residual; every stage after the first halves the side with stride 2 and a
// 1x1 strided conv + batch norm on the shortcut), global average pooling and a linear head. Parameter and
// buffer names are torchvision's (conv1, bn1, layer1.0.conv1, layer2.0.downsample.0, fc), so a PyTorch
// state_dict of the same network loads.
import { Module, ModuleList } from '../src/nn/module.js';
import { Linear, Sequential } from '../src/nn/layers.js';
import { BatchNorm2d, Conv2d } from '../src/nn/conv.js';
import { globalAvgPool2d } from '../src/ops/pooling.js';
import { add } from '../src/ops/binary.js';
import { relu } from '../src/ops/unary.js';
import type { Tensor } from '../src/tensor.js';
import { asImages } from './lenet.js';
import { indexed, positiveInt, positiveInts, type ModelSpec } from './spec.js';

export interface ResnetConfig {
  kind: 'resnet';
  /** Image side (one channel; given flattened [N, side*side] or as [N, 1, side, side]). */
  side: number;
  classes: number;
  /** Channels of the first stage; each later stage doubles them (default 16). */
  width?: number;
  /** BasicBlocks per stage (default [1, 1]: two stages). */
  blocks?: number[];
}

export const resnetDefaults = { width: 16, blocks: [1, 1] };

export function checkResnet(c: ResnetConfig): void {
  const blocks = c.blocks ?? resnetDefaults.blocks;
  positiveInts('resnet', 'blocks (per stage)', blocks);
  if (!Number.isInteger(c.side) || c.side < 2 ** (blocks.length - 1)) throw new Error(`resnet: image side ${c.side} is too small for ${blocks.length} stages (each after the first halves it)`);
  positiveInt('resnet', 'classes', c.classes, 2);
  positiveInt('resnet', 'width', c.width ?? resnetDefaults.width);
}

export const resnetSpec: ModelSpec<ResnetConfig> = {
  kind: 'resnet',
  about: 'a small ResNet: BasicBlocks with batch norm and strided shortcuts (square one-channel images)',
  options: ['width', 'blocks'],
  configure: (data, o) => {
    const side = Math.round(Math.sqrt(data.features));
    if (side * side !== data.features) throw new Error(`resnet: needs square one-channel images; ${data.name ?? 'the data'} has ${data.features} features`);
    const c: ResnetConfig = { kind: 'resnet', side, classes: data.classes, width: o.width ?? resnetDefaults.width, blocks: o.blocks ?? resnetDefaults.blocks };
    checkResnet(c);
    return c;
  },
  check: checkResnet,
  training: () => ({ epochs: 15, lr: 3e-3 }),
  infer: (shapes) => {
    const [stem, fc] = [shapes['conv1.weight'], shapes['fc.weight']];
    if (!stem || !fc || stem.length !== 4 || stem[1] !== 1) return null;
    const blocks: number[] = [];
    for (let s = 1; indexed(shapes, `layer${s}`, 'conv1.weight').length; s++) blocks.push(indexed(shapes, `layer${s}`, 'conv1.weight').length);
    if (!blocks.length) return null;
    // Global average pooling: the weights fit any image side; the smallest the stages allow.
    const side = 2 ** (blocks.length - 1);
    return { config: { kind: 'resnet', side, classes: fc[0], width: stem[0], blocks }, assumed: ['any image side (global average pooling)'] };
  },
};

/** Two 3x3 convolutions with batch norm and a residual connection (torchvision's BasicBlock). */
export class BasicBlock extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample: Sequential | null;
  constructor(inC: number, outC: number, stride: number) {
    super();
    this.conv1 = this.module('conv1', new Conv2d(inC, outC, 3, { stride, padding: 1, bias: false }));
    this.bn1 = this.module('bn1', new BatchNorm2d(outC));
    this.conv2 = this.module('conv2', new Conv2d(outC, outC, 3, { padding: 1, bias: false }));
    this.bn2 = this.module('bn2', new BatchNorm2d(outC));
    this.downsample = stride !== 1 || inC !== outC ? this.module('downsample', new Sequential(new Conv2d(inC, outC, 1, { stride, bias: false }), new BatchNorm2d(outC))) : null;
  }
  forward(x: Tensor): Tensor {
    const h = relu(this.bn1.forward(this.conv1.forward(x)));
    const out = this.bn2.forward(this.conv2.forward(h));
    return relu(add(out, this.downsample ? this.downsample.forward(x) : x));
  }
}

export class ResNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly layers: ModuleList<BasicBlock>[] = [];
  readonly fc: Linear;
  constructor(readonly config: ResnetConfig) {
    super();
    checkResnet(config);
    const width = config.width ?? resnetDefaults.width;
    const blocks = config.blocks ?? resnetDefaults.blocks;
    this.conv1 = this.module('conv1', new Conv2d(1, width, 3, { padding: 1, bias: false }));
    this.bn1 = this.module('bn1', new BatchNorm2d(width));
    let inC = width;
    blocks.forEach((n, s) => {
      const outC = width * 2 ** s;
      const stage = new ModuleList(Array.from({ length: n }, (_, i) => new BasicBlock(i ? outC : inC, outC, i === 0 && s > 0 ? 2 : 1)));
      this.layers.push(this.module(`layer${s + 1}`, stage));
      inC = outC;
    });
    this.fc = this.module('fc', new Linear(inC, config.classes));
  }
  /** Logits [N, classes] for images [N, side*side] or [N, 1, side, side]. */
  forward(x: Tensor): Tensor {
    let h = relu(this.bn1.forward(this.conv1.forward(asImages('ResNet', x, this.config.side))));
    for (const stage of this.layers) for (const block of stage) h = block.forward(h);
    return this.fc.forward(globalAvgPool2d(h));
  }
}
