// Logistic regression for binary data: one logit per example, trained with rootedLogisticLoss or
// binaryCrossEntropy; class 1 when the logit is positive.
import { Module } from '../src/nn/module.js';
import { Linear } from '../src/nn/layers.js';
import { reshape } from '../src/ops/movement.js';
import type { Tensor } from '../src/tensor.js';

export interface LogisticConfig {
  kind: 'logistic';
  inputs: number;
}

export class LogisticRegression extends Module {
  readonly linear: Linear;
  constructor(readonly config: LogisticConfig) {
    super();
    this.linear = this.module('linear', new Linear(config.inputs, 1));
  }
  /** Logits [N] for features [N, inputs]. */
  forward(x: Tensor): Tensor {
    const z = this.linear.forward(x);
    const out = reshape(z, [x.shape[0]]);
    z.dispose();
    return out;
  }
}
