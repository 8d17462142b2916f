// A multilayer perceptron classifier: Linear -> activation (-> dropout) -> ... -> Linear logits.
import { Module } from '../src/nn/module.js';
import { mlp, type Activation, type Sequential } from '../src/nn/layers.js';
import type { Tensor } from '../src/tensor.js';

export interface MlpConfig {
  kind: 'mlp';
  inputs: number;
  hidden: number[];
  classes: number;
  activation?: Activation;
  dropout?: number;
}

export class MLPClassifier extends Module {
  readonly net: Sequential;
  constructor(readonly config: MlpConfig) {
    super();
    this.net = this.module('net', mlp([config.inputs, ...config.hidden, config.classes], { activation: config.activation, dropout: config.dropout }));
  }
  /** Logits [N, classes] for features [N, inputs]. */
  forward(x: Tensor): Tensor {
    return this.net.forward(x);
  }
}
