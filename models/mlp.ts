// A multilayer perceptron classifier: Linear -> activation (-> dropout) -> ... -> Linear logits.
import { Module } from '../src/nn/module.js';
import { mlp, type Activation, type Sequential } from '../src/nn/layers.js';
import type { Tensor } from '../src/tensor.js';
import { indexed, positiveInt, type ModelSpec } from './spec.js';

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

export const mlpDefaults = { hidden: [256, 256], activation: 'relu' as Activation, dropout: 0 };

const ACTIVATIONS: readonly Activation[] = ['relu', 'gelu', 'tanh'];

export const mlpSpec: ModelSpec<MlpConfig> = {
  kind: 'mlp',
  about: 'a multilayer perceptron on the features',
  options: ['hidden', 'activation', 'dropout'],
  configure: (data, o) => {
    const c: MlpConfig = { kind: 'mlp', inputs: data.features, hidden: o.hidden ?? mlpDefaults.hidden, classes: data.classes, activation: o.activation ?? mlpDefaults.activation, dropout: o.dropout ?? mlpDefaults.dropout };
    mlpSpec.check(c);
    return c;
  },
  check: (c) => {
    positiveInt('mlp', 'inputs', c.inputs);
    positiveInt('mlp', 'classes', c.classes, 2);
    if (!Array.isArray(c.hidden) || c.hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new Error(`mlp: hidden must be positive layer sizes, got ${JSON.stringify(c.hidden)}`);
    if (c.activation !== undefined && !ACTIVATIONS.includes(c.activation)) throw new Error(`mlp: activation must be one of ${ACTIVATIONS.join(', ')}, got '${c.activation}'`);
    if (c.dropout !== undefined && !(c.dropout >= 0 && c.dropout < 1)) throw new Error(`mlp: dropout must be in [0, 1), got ${c.dropout}`);
  },
  training: () => ({ epochs: 20, lr: 1e-3 }),
  infer: (shapes) => {
    const idx = indexed(shapes, 'net', 'weight');
    if (!idx.length || Object.keys(shapes).some((k) => !k.startsWith('net.'))) return null;
    const w = idx.map((i) => shapes[`net.${i}.weight`]);
    if (w.some((s) => s.length !== 2)) return null;
    // PyTorch's layout: Linear layers at 0, 2, 4... (an activation between), or 0, 3, 6... (and dropout).
    const stride = idx.length > 1 ? idx[1] - idx[0] : 2;
    if (stride !== 2 && stride !== 3) return null;
    return { config: { kind: 'mlp', inputs: w[0][1], hidden: w.slice(0, -1).map((s) => s[0]), classes: w[w.length - 1][0], activation: 'relu', dropout: stride === 3 ? 0.1 : 0 }, assumed: ['activation relu (relu, gelu and tanh fit the same weights)'] };
  },
};
