// The training loop behind `rootgrad train` (and the browser page): seeded initialisation and batches,
// one tidy() per step, no readback inside an epoch except at its end.
import { keep, noGrad, tidy, Tensor } from './tensor.js';
import { fromHost } from './creation.js';
import { manualSeed, Generator } from './random.js';
import { add, mul } from './ops/binary.js';
import { argmax } from './ops/cast.js';
import { binaryCrossEntropy, crossEntropy, focalLoss, rootedLogisticLoss, rootedLoss } from './ops/losses.js';
import { Adam, AdamW, SGD, type Optimizer } from './optim/optimizer.js';
import { constantSchedule, cosineSchedule } from './optim/schedule.js';
import { batchIndices, gatherRows, type Dataset } from './data/dataset.js';
import { buildModel, type Classifier, type ModelConfig } from '../models/index.js';

export type LossName = 'ce' | 'focal' | 'rooted' | 'bce';

export interface TrainConfig {
  loss: LossName;
  k: number;
  m: number;
  alpha: number;
  gamma: number;
  epochs: number;
  batch: number;
  lr: number;
  optimizer: 'adam' | 'adamw' | 'sgd';
  momentum: number;
  weightDecay: number;
  schedule: 'cosine' | 'constant';
  warmup: number;
  clip: number;
  seed: number;
}

export const defaultTrainConfig: TrainConfig = {
  loss: 'rooted',
  k: 3,
  m: 3,
  alpha: 0.25,
  gamma: 3,
  epochs: 20,
  batch: 64,
  lr: 1e-3,
  optimizer: 'adam',
  momentum: 0.9,
  weightDecay: 0,
  schedule: 'cosine',
  warmup: 0,
  clip: 0,
  seed: 0,
};

export interface EpochLog {
  epoch: number;
  lr: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  seconds: number;
  examplesPerSecond: number;
}

/** The loss of a model's logits for labels (binary models produce one logit per example). */
export function lossFor(cfg: Pick<TrainConfig, 'loss' | 'k' | 'm' | 'alpha' | 'gamma'>, binary: boolean, logits: Tensor, labels: Tensor, reduction: 'mean' | 'sum' = 'mean'): Tensor {
  if (binary) {
    if (cfg.loss === 'rooted') return rootedLogisticLoss(logits, labels, { k: cfg.k, reduction });
    if (cfg.loss === 'bce' || cfg.loss === 'ce') return binaryCrossEntropy(logits, labels, { reduction });
    throw new Error(`the logistic model trains with --loss rooted or bce, not ${cfg.loss}`);
  }
  switch (cfg.loss) {
    case 'ce':
      return crossEntropy(logits, labels, { reduction });
    case 'focal':
      return focalLoss(logits, labels, { alpha: cfg.alpha, gamma: cfg.gamma, reduction });
    case 'rooted':
      return rootedLoss(logits, labels, { k: cfg.k, m: cfg.m, reduction });
    default:
      throw new Error(`the loss ${cfg.loss} is for binary models; use ce, focal or rooted`);
  }
}

/** What predictions are read from: argmax indices, or a binary model's logits (class 1 when positive). */
function predictionTensor(z: Tensor): Tensor {
  return noGrad(() => (z.ndim === 1 ? z.detach() : argmax(z, -1)));
}

async function readPredictions(p: Tensor): Promise<Int32Array> {
  const d = await p.data();
  return p.dtype === 'i32' ? (d as Int32Array) : Int32Array.from(d, (v) => (v > 0 ? 1 : 0));
}

export interface EvalResult {
  loss: number;
  accuracy: number;
  predictions: Int32Array;
}

/** Loss and accuracy over a whole data set, in batches, without gradients. */
export async function evaluate(model: Classifier, ds: Dataset, cfg: Pick<TrainConfig, 'loss' | 'k' | 'm' | 'alpha' | 'gamma'>, batch = 512): Promise<EvalResult> {
  const wasTraining = model.training;
  model.eval();
  const binary = ds.classes === 2 && model.config.kind === 'logistic';
  let lossSum: Tensor = keep(fromHost([0], [], 'f32'));
  const preds = new Int32Array(ds.n);
  for (const idx of batchIndices(ds.n, batch, null)) {
    const { x, y } = gatherRows(ds, idx);
    const xt = fromHost(x, [idx.length, ds.features], 'f32');
    const yt = fromHost(y, [idx.length], 'i32');
    const [next, p] = noGrad(() =>
      tidy(() => {
        const z = model.forward(xt);
        return [add(lossSum, lossFor(cfg, binary, z, yt, 'sum')), predictionTensor(z)] as const;
      }),
    );
    keep(next);
    keep(p);
    lossSum.dispose();
    lossSum = next;
    preds.set(await readPredictions(p), idx[0]);
    p.dispose();
    xt.dispose();
    yt.dispose();
  }
  const loss = (await lossSum.item()) / ds.n;
  lossSum.dispose();
  let correct = 0;
  for (let i = 0; i < ds.n; i++) if (preds[i] === ds.y[i]) correct++;
  model.train(wasTraining);
  return { loss, accuracy: correct / ds.n, predictions: preds };
}

export function makeOptimizer(model: Classifier, cfg: TrainConfig): Optimizer {
  const params = model.parameters();
  switch (cfg.optimizer) {
    case 'sgd':
      return new SGD(params, { lr: cfg.lr, momentum: cfg.momentum, weightDecay: cfg.weightDecay });
    case 'adamw':
      return new AdamW(params, { lr: cfg.lr, weightDecay: cfg.weightDecay });
    default:
      return new Adam(params, { lr: cfg.lr, weightDecay: cfg.weightDecay });
  }
}

export interface TrainResult {
  model: Classifier;
  optimizer: Optimizer;
  history: EpochLog[];
}

/** Builds the model from the seed and trains it, calling onEpoch after every epoch (and onStep after every step). */
export async function trainClassifier(
  modelConfig: ModelConfig,
  train: Dataset,
  test: Dataset,
  cfg: TrainConfig,
  hooks: { onEpoch?: (log: EpochLog) => void; onStep?: (epoch: number, step: number, steps: number) => void } = {},
): Promise<TrainResult> {
  manualSeed(cfg.seed);
  const model = buildModel(modelConfig);
  const optimizer = makeOptimizer(model, cfg);
  const binary = modelConfig.kind === 'logistic';
  const stepsPerEpoch = Math.ceil(train.n / cfg.batch);
  const total = stepsPerEpoch * cfg.epochs;
  const lrAt = cfg.schedule === 'cosine' ? cosineSchedule(cfg.lr, { total, warmup: cfg.warmup }) : constantSchedule(cfg.lr, { warmup: cfg.warmup });
  const shuffler = new Generator(cfg.seed + 1);
  const history: EpochLog[] = [];
  for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
    const t0 = performance.now();
    model.train();
    let lossSum: Tensor = keep(fromHost([0], [], 'f32'));
    const batches = batchIndices(train.n, cfg.batch, shuffler);
    const predTensors: [Int32Array, Tensor][] = [];
    batches.forEach((idx, b) => {
      const { x, y } = gatherRows(train, idx);
      const xt = fromHost(x, [idx.length, train.features], 'f32');
      const yt = fromHost(y, [idx.length], 'i32');
      optimizer.lr = lrAt(optimizer.steps);
      const [nextSum, pred] = tidy(() => {
        const z = model.forward(xt);
        const loss = lossFor(cfg, binary, z, yt);
        loss.backward();
        if (cfg.clip > 0) optimizer.clipGradNorm(cfg.clip);
        optimizer.step();
        optimizer.zeroGrad();
        return [noGrad(() => add(lossSum, mul(loss.detach(), idx.length))), predictionTensor(z)] as const;
      });
      keep(nextSum);
      keep(pred);
      lossSum.dispose();
      lossSum = nextSum;
      predTensors.push([y, pred]);
      xt.dispose();
      yt.dispose();
      hooks.onStep?.(epoch, b + 1, batches.length);
    });
    const trainLoss = (await lossSum.item()) / train.n;
    lossSum.dispose();
    let correct = 0;
    for (const [y, p] of predTensors) {
      const pd = await readPredictions(p);
      for (let i = 0; i < y.length; i++) if (pd[i] === y[i]) correct++;
      p.dispose();
    }
    const seconds = (performance.now() - t0) / 1000;
    const ev = await evaluate(model, test, cfg);
    const log: EpochLog = {
      epoch,
      lr: optimizer.lr,
      trainLoss,
      trainAccuracy: correct / train.n,
      testLoss: ev.loss,
      testAccuracy: ev.accuracy,
      seconds,
      examplesPerSecond: train.n / seconds,
    };
    history.push(log);
    hooks.onEpoch?.(log);
  }
  return { model, optimizer, history };
}
