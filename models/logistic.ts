// Logistic regression for binary data: one logit per example, trained with rootedLogisticLoss or
// binaryCrossEntropy; class 1 when the logit is positive.
import { Module } from '../src/nn/module.js';
import { Linear } from '../src/nn/layers.js';
import { reshape } from '../src/ops/movement.js';
import type { Tensor } from '../src/tensor.js';
import { positiveInt, type ModelSpec } from './spec.js';

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

export const logisticSpec: ModelSpec<LogisticConfig> = {
  kind: 'logistic',
  about: 'logistic regression (binary labels)',
  options: [],
  configure: (data) => {
    if (data.classes !== 2) throw new Error(`logistic: needs binary labels; ${data.name ?? 'the data'} has ${data.classes} classes`);
    const c: LogisticConfig = { kind: 'logistic', inputs: data.features };
    logisticSpec.check(c);
    return c;
  },
  check: (c) => positiveInt('logistic', 'inputs', c.inputs),
  training: () => ({ epochs: 20, lr: 0.01, k: 2 }),
  infer: (shapes) => {
    const w = shapes['linear.weight'];
    if (!w || w.length !== 2 || w[0] !== 1 || Object.keys(shapes).some((k) => k !== 'linear.weight' && k !== 'linear.bias')) return null;
    return { config: { kind: 'logistic', inputs: w[1] }, assumed: [] };
  },
};
