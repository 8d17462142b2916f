// A LeNet-5 style CNN for small square one-channel images: conv -> ReLU -> 2x2 max pool, twice, then three
// fully connected layers. For 28x28 (Fashion-MNIST) it is LeNet-5's layout (5x5 convolutions, the first
// padded: 28 -> 14 -> 10 -> 5); below 20 pixels (the 8x8 digits) the second convolution is 3x3 padded so
// the feature maps do not vanish (8 -> 4 -> 4 -> 2). With norm 'batch' (the command's default on 28x28) a
// BatchNorm2d follows each convolution, whose bias it makes redundant (bias: false, as in PyTorch's usual
// conv-BN pairs); the names are those of PyTorch's nn.Sequential: features.0 conv, .1 BN, .4 conv, .5 BN.
import { Module } from '../src/nn/module.js';
import { Linear, ReLU, Sequential } from '../src/nn/layers.js';
import { BatchNorm2d, Conv2d, Flatten, MaxPool2d } from '../src/nn/conv.js';
import { reshape } from '../src/ops/movement.js';
import type { Tensor } from '../src/tensor.js';
import { shapeStr } from '../src/shape.js';
import { positiveInt, positiveInts, type ModelSpec } from './spec.js';

export interface LenetConfig {
  kind: 'lenet';
  /** Image side (one channel, side x side; given flattened [N, side*side] or as [N, 1, side, side]). */
  side: number;
  classes: number;
  /** Channels of the two convolutions (default 8, 16 on 28x28 images, LeNet-5's 6, 16 below 20 pixels). */
  channels?: [number, number];
  /** Widths of the two hidden fully connected layers (default 120, 84). */
  hidden?: [number, number];
  /** 'batch': a BatchNorm2d after each convolution (the command's default for 28x28 images); 'none': LeNet-5
   * as published (the command's default below 20 pixels, whose results were measured without it). Absent
   * means 'none' (the configs saved before the option). */
  norm?: LenetNorm;
}

export type LenetNorm = 'batch' | 'none';
export const lenetNorms: readonly LenetNorm[] = ['batch', 'none'];

/** Defaults on 28x28 images (Fashion-MNIST): LeNet-5 with 8 channels in its first convolution instead of 6,
 * and batch norm, which together reach 90% in 3 epochs (docs/fashion-mnist.md). */
export const lenetDefaults = { channels: [8, 16] as [number, number], hidden: [120, 84] as [number, number], norm: 'batch' as LenetNorm };
/** Defaults below 20 pixels (the 8x8 digits): LeNet-5's 6, 16 channels without norm, as measured there. */
export const lenetSmallDefaults = { channels: [6, 16] as [number, number], hidden: [120, 84] as [number, number], norm: 'none' as LenetNorm };

/** Checks a config, throwing what is wrong with it. */
export function checkLenet(c: LenetConfig): void {
  positiveInt('lenet', 'image side', c.side, c.side < 20 ? 4 : 14);
  positiveInt('lenet', 'classes', c.classes, 2);
  if (c.channels !== undefined) positiveInts('lenet', 'channels (of its two convolutions)', c.channels, 2);
  if (c.hidden !== undefined) positiveInts('lenet', 'hidden (its two fully connected widths)', c.hidden, 2);
  if (c.norm !== undefined && !lenetNorms.includes(c.norm)) throw new Error(`lenet: norm must be ${lenetNorms.join(' or ')}, got ${JSON.stringify(c.norm)}`);
}

export const lenetSpec: ModelSpec<LenetConfig> = {
  kind: 'lenet',
  about: 'LeNet-5: two convolutions with max pooling, three linear layers (square one-channel images)',
  options: ['channels', 'norm'],
  configure: (data, o) => {
    const side = Math.round(Math.sqrt(data.features));
    if (side * side !== data.features) throw new Error(`lenet: needs square one-channel images; ${data.name ?? 'the data'} has ${data.features} features`);
    const d = side < 20 ? lenetSmallDefaults : lenetDefaults;
    const c: LenetConfig = { kind: 'lenet', side, classes: data.classes, channels: (o.channels as [number, number]) ?? d.channels, norm: (o.norm as LenetNorm) ?? d.norm };
    checkLenet(c);
    return c;
  },
  check: checkLenet,
  // The 8x8 digits: 1e-3 underfits in 15 epochs (~90%). 28x28 (Fashion-MNIST): a one-cycle to 5e-3 with the
  // batch norm (docs/fashion-mnist.md); the plain LeNet there keeps 1e-3 and cosine.
  training: (c) => (c.side < 20 ? { epochs: 15, lr: 3e-3 } : c.norm === 'batch' ? { epochs: 15, lr: 5e-3, schedule: 'onecycle' } : { epochs: 15, lr: 1e-3 }),
  infer: (shapes) => {
    const norm: LenetNorm = shapes['features.1.running_mean'] ? 'batch' : 'none';
    const [c1, c2, f0, f2, f4] = ['features.0.weight', norm === 'batch' ? 'features.4.weight' : 'features.3.weight', 'classifier.0.weight', 'classifier.2.weight', 'classifier.4.weight'].map((k) => shapes[k]);
    if (!c1 || !c2 || !f0 || !f2 || !f4 || c2.length !== 4 || f0.length !== 2) return null;
    // The flattened features are c2 * s * s; the smallest side giving s: 4s below 20 pixels (3x3 second
    // convolution), else 2(2s + 4) (5x5).
    const s = Math.round(Math.sqrt(f0[1] / c2[0]));
    const side = c2[2] === 3 ? 4 * s : 2 * (2 * s + 4);
    return { config: { kind: 'lenet', side, classes: f4[0], channels: [c1[0], c2[0]], hidden: [f0[0], f2[0]], norm }, assumed: [`image side ${side} (the weights fit sides ${c2[2] === 3 ? `${4 * s}..${4 * s + 3}` : `${side}..${side + 3}`})`] };
  },
};

export class LeNet extends Module {
  readonly features: Sequential;
  readonly classifier: Sequential;
  constructor(readonly config: LenetConfig) {
    super();
    checkLenet(config);
    const small = config.side < 20;
    const [c1, c2] = config.channels ?? (small ? lenetSmallDefaults : lenetDefaults).channels;
    const [h1, h2] = config.hidden ?? lenetDefaults.hidden;
    const side1 = Math.floor(config.side / 2);
    const side2 = small ? Math.floor(side1 / 2) : Math.floor((side1 - 4) / 2);
    const bn = config.norm === 'batch';
    const bias = !bn;
    // conv [-> BatchNorm2d] -> ReLU -> pool, twice
    const stage = (conv: Conv2d, c: number): Module[] => [conv, ...(bn ? [new BatchNorm2d(c)] : []), new ReLU(), new MaxPool2d({ kernel: 2 })];
    this.features = this.module('features', new Sequential(
      ...stage(new Conv2d(1, c1, 5, { padding: 2, bias }), c1),
      ...stage(small ? new Conv2d(c1, c2, 3, { padding: 1, bias }) : new Conv2d(c1, c2, 5, { bias }), c2),
      new Flatten(),
    ));
    this.classifier = this.module('classifier', new Sequential(
      // ReLU as layers of their own for PyTorch's indices (classifier.0, .2, .4); Sequential still fuses them into the Linear kernels
      new Linear(c2 * side2 * side2, h1), new ReLU(),
      new Linear(h1, h2), new ReLU(),
      new Linear(h2, config.classes),
    ));
  }
  /** Logits [N, classes] for images [N, side*side] or [N, 1, side, side]. */
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.features.forward(asImages('LeNet', x, this.config.side)));
  }
}

/** [N, side*side] or [N, 1, side, side] as [N, 1, side, side]. */
export function asImages(who: string, x: Tensor, side: number): Tensor {
  if (x.ndim === 4 && x.shape[1] === 1 && x.shape[2] === side && x.shape[3] === side) return x;
  if (x.ndim === 2 && x.shape[1] === side * side) return reshape(x, [x.shape[0], 1, side, side]);
  throw new Error(`${who}: expected images [N, ${side * side}] or [N, 1, ${side}, ${side}], got ${shapeStr(x.shape)}`);
}
