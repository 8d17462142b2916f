// A LeNet-5 style CNN for small square one-channel images: conv -> ReLU -> 2x2 max pool, twice, then three
// fully connected layers. For 28x28 (Fashion-MNIST) it is LeNet-5's layout (5x5 convolutions, the first
// padded: 28 -> 14 -> 10 -> 5); below 20 pixels (the 8x8 digits) the second convolution is 3x3 padded so
// the feature maps do not vanish (8 -> 4 -> 4 -> 2).
import { Module } from '../src/nn/module.js';
import { Linear, ReLU, Sequential } from '../src/nn/layers.js';
import { Conv2d, Flatten, MaxPool2d } from '../src/nn/conv.js';
import { reshape } from '../src/ops/movement.js';
import type { Tensor } from '../src/tensor.js';
import { shapeStr } from '../src/shape.js';

export interface LenetConfig {
  kind: 'lenet';
  /** Image side (one channel, side x side; given flattened [N, side*side] or as [N, 1, side, side]). */
  side: number;
  classes: number;
  /** Channels of the two convolutions (default 6, 16). */
  channels?: [number, number];
  /** Widths of the two hidden fully connected layers (default 120, 84). */
  hidden?: [number, number];
}

export const lenetDefaults = { channels: [6, 16] as [number, number], hidden: [120, 84] as [number, number] };

/** Checks a config, throwing what is wrong with it. */
export function checkLenet(c: LenetConfig): void {
  if (!Number.isInteger(c.side) || c.side < 4) throw new Error(`lenet: image side must be an integer >= 4, got ${c.side}`);
  if (!Number.isInteger(c.classes) || c.classes < 2) throw new Error(`lenet: classes must be an integer >= 2, got ${c.classes}`);
}

export class LeNet extends Module {
  readonly features: Sequential;
  readonly classifier: Sequential;
  constructor(readonly config: LenetConfig) {
    super();
    checkLenet(config);
    const [c1, c2] = config.channels ?? lenetDefaults.channels;
    const [h1, h2] = config.hidden ?? lenetDefaults.hidden;
    const side1 = Math.floor(config.side / 2);
    const small = config.side < 20;
    const side2 = small ? Math.floor(side1 / 2) : Math.floor((side1 - 4) / 2);
    this.features = this.module('features', new Sequential(
      new Conv2d(1, c1, 5, { padding: 2 }), new ReLU(), new MaxPool2d({ kernel: 2 }),
      small ? new Conv2d(c1, c2, 3, { padding: 1 }) : new Conv2d(c1, c2, 5), new ReLU(), new MaxPool2d({ kernel: 2 }),
      new Flatten(),
    ));
    this.classifier = this.module('classifier', new Sequential(
      // ReLU as layers of their own, not fused into Linear: PyTorch's indices (classifier.0, .2, .4)
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
