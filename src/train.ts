// The training loop behind `rootgrad train` (and the browser page): seeded initialisation and batches,
// one tidy() per step, no readback inside an epoch except at its end.
import { keep, noGrad, tidy, Tensor } from './tensor.js';
import type { EpochLog, TrainConfig } from './train-config.js';
import { compile } from './compile.js';
import { fromHost } from './creation.js';
import { manualSeed, Generator, globalGenerator } from './random.js';
import { add, mul } from './ops/binary.js';
import { argmax } from './ops/reduce.js';
import { binaryCrossEntropy, crossEntropy, focalLoss, rootedLogisticLoss, rootedLoss } from './ops/losses.js';
import { rowLoss, rowLossNames, rowLossScalars } from './ops/linear_losses.js';
import { checkOptions } from './options.js';
import { Adam, AdamW, SGD, type Optimizer, type OptimizerState } from './optim/optimizer.js';
import type { StateValue } from './nn/module.js';
import { fromSafetensors, toSafetensors, type HostTensor } from './io/safetensors.js';
import { scheduleFor } from './optim/schedule.js';
import { batchIndices, gatherRows, type Dataset } from './data/dataset.js';
import { buildModel, type Classifier, type ModelConfig } from '../models/index.js';

export type { EpochLog, LossName, TrainConfig } from './train-config.js';

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

/** Throws unless `loss` is one a model can train with: the built-in names, or (multiclass models) any
 * registered row loss. */
export function checkLossName(loss: string, binary: boolean, lossOptions?: Record<string, number>): void {
  const given = Object.keys(lossOptions ?? {});
  if (given.length && ['ce', 'focal', 'rooted', 'bce'].includes(loss)) throw new Error(`lossOptions are the scalars of a registered row loss; the built-in loss '${loss}' takes k, m, alpha, gamma (got ${given.join(', ')})`);
  if (binary) {
    if (loss !== 'rooted' && loss !== 'bce' && loss !== 'ce') throw new Error(`the logistic model trains with loss rooted or bce, got '${loss}'`);
    return;
  }
  if (loss === 'bce') throw new Error(`the loss bce is for the logistic model; a multiclass model uses ce, focal, rooted or a registered row loss (${rowLossNames().join(', ')})`);
  if (!['ce', 'focal', 'rooted'].includes(loss) && !rowLossNames().includes(loss)) throw new Error(`unknown loss '${loss}': ce, focal, rooted, or a registered row loss (${rowLossNames().join(', ')}; add one with defineRowLoss, from the command line with --import FILE)`);
  if (!given.length) return;
  const { scalars } = rowLossScalars(loss);
  checkOptions(`loss ${loss}`, lossOptions, scalars);
  for (const [k, v] of Object.entries(lossOptions!)) if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`loss ${loss}: ${k} must be a finite number, got ${v}`);
}

/** The loss of a model's logits for labels (binary models produce one logit per example). */
export function lossFor(cfg: Pick<TrainConfig, 'loss' | 'k' | 'm' | 'alpha' | 'gamma' | 'lossOptions'>, binary: boolean, logits: Tensor, labels: Tensor, reduction: 'mean' | 'sum' = 'mean'): Tensor {
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
      checkLossName(cfg.loss, false);
      return rowLoss(cfg.loss, logits, labels, { ...cfg.lossOptions, reduction });
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
  /** Mean cross-entropy (binary for the logistic model), whatever cfg.loss. */
  crossEntropy: number;
  accuracy: number;
  predictions: Int32Array;
}

/** Loss and accuracy over a whole data set, in batches, without gradients. */
export async function evaluate(model: Classifier, ds: Dataset, cfg: Pick<TrainConfig, 'loss' | 'k' | 'm' | 'alpha' | 'gamma' | 'lossOptions'>, batch = 512): Promise<EvalResult> {
  const wasTraining = model.training;
  model.eval();
  const binary = ds.classes === 2 && model.config.kind === 'logistic';
  const ceCfg = { ...cfg, loss: binary ? 'bce' : 'ce' } as const;
  const same = cfg.loss === ceCfg.loss || (binary && cfg.loss === 'ce');
  let lossSum: Tensor = keep(fromHost([0], [], 'f32'));
  let ceSum: Tensor = keep(fromHost([0], [], 'f32'));
  const preds = new Int32Array(ds.n);
  for (const idx of batchIndices(ds.n, batch, null)) {
    const { x, y } = gatherRows(ds, idx);
    const xt = fromHost(x, [idx.length, ds.features], 'f32');
    const yt = fromHost(y, [idx.length], 'i32');
    const [next, nextCe, p] = noGrad(() =>
      tidy(() => {
        const z = model.forward(xt);
        const l = lossFor(cfg, binary, z, yt, 'sum');
        return [add(lossSum, l), add(ceSum, same ? l : lossFor(ceCfg, binary, z, yt, 'sum')), predictionTensor(z)] as const;
      }),
    );
    keep(next);
    keep(nextCe);
    keep(p);
    lossSum.dispose();
    lossSum = next;
    ceSum.dispose();
    ceSum = nextCe;
    preds.set(await readPredictions(p), idx[0]);
    p.dispose();
    xt.dispose();
    yt.dispose();
  }
  const loss = (await lossSum.item()) / ds.n;
  const crossEntropy = (await ceSum.item()) / ds.n;
  lossSum.dispose();
  ceSum.dispose();
  let correct = 0;
  for (let i = 0; i < ds.n; i++) if (preds[i] === ds.y[i]) correct++;
  model.train(wasTraining);
  return { loss, crossEntropy, accuracy: correct / ds.n, predictions: preds };
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
  hooks: {
    onEpoch?: (log: EpochLog) => void;
    /** After every step; a returned promise is awaited before the next (a page yields to the browser here). */
    onStep?: (epoch: number, step: number, steps: number) => void | Promise<void>;
    /** After every epoch: everything needed to resume (write it with saveCheckpoint). */
    onCheckpoint?: (c: Checkpoint) => Promise<void> | void;
  } = {},
  resume?: Checkpoint,
): Promise<TrainResult> {
  checkOptions('trainClassifier', cfg, [...Object.keys(defaultTrainConfig), 'compile', 'lossOptions']);
  const binary = modelConfig.kind === 'logistic';
  checkLossName(cfg.loss, binary, cfg.lossOptions);
  manualSeed(cfg.seed);
  const model = buildModel(modelConfig);
  const optimizer = makeOptimizer(model, cfg);
  const stepsPerEpoch = Math.ceil(train.n / cfg.batch);
  const total = stepsPerEpoch * cfg.epochs;
  const lrAt = scheduleFor(cfg, total);
  const shuffler = new Generator(cfg.seed + 1);
  const history: EpochLog[] = [];
  if (resume) {
    // Weights, optimiser state, schedule position (the optimiser's step count) and both generators.
    model.loadStateDict(resume.model);
    optimizer.loadState(resume.optimizer);
    shuffler.setState(resume.shuffler);
    globalGenerator.setState(resume.global);
    history.push(...resume.history);
  }
  // One step: the running loss sum and the batch's predictions come back as tensors (no readback).
  const body = (xt: Tensor, yt: Tensor, lossSum: Tensor): Tensor[] => {
    const z = model.forward(xt);
    const loss = lossFor(cfg, binary, z, yt);
    loss.backward();
    if (cfg.clip > 0) optimizer.clipGradNorm(cfg.clip);
    optimizer.step();
    optimizer.zeroGrad();
    return [noGrad(() => add(lossSum, mul(loss.detach(), xt.shape[0]))), predictionTensor(z)];
  };
  const compiled = cfg.compile === false ? null : compile(body, { key: () => model.training });
  const step = compiled ?? ((...xs: [Tensor, Tensor, Tensor]) => tidy(() => body(...xs)));
  try {
    for (let epoch = history.length + 1; epoch <= cfg.epochs; epoch++) {
      const t0 = performance.now();
      model.train();
      let lossSum: Tensor = keep(fromHost([0], [], 'f32'));
      const batches = batchIndices(train.n, cfg.batch, shuffler);
      const predTensors: [Int32Array, Tensor][] = [];
      for (let b = 0; b < batches.length; b++) {
        const idx = batches[b];
        const { x, y } = gatherRows(train, idx);
        const xt = fromHost(x, [idx.length, train.features], 'f32');
        const yt = fromHost(y, [idx.length], 'i32');
        optimizer.lr = lrAt(optimizer.steps);
        const [nextSum, pred] = step(xt, yt, lossSum);
        keep(nextSum);
        keep(pred);
        lossSum.dispose();
        lossSum = nextSum;
        predTensors.push([y, pred]);
        xt.dispose();
        yt.dispose();
        await hooks.onStep?.(epoch, b + 1, batches.length);
      }
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
        testCrossEntropy: ev.crossEntropy,
        testAccuracy: ev.accuracy,
        seconds,
        examplesPerSecond: train.n / seconds,
      };
      history.push(log);
      hooks.onEpoch?.(log);
      if (hooks.onCheckpoint) {
        const st = optimizer.state();
        await hooks.onCheckpoint({ model: model.stateDict(), optimizer: st, shuffler: shuffler.getState(), global: globalGenerator.getState(), history: [...history] });
      }
    }
  } finally {
    compiled?.reset(); // the plans' pinned buffers go back to the pool, also when a step or a hook throws
  }
  return { model, optimizer, history };
}

/** The state of a training run after a whole epoch. */
export interface Checkpoint {
  model: Record<string, StateValue>;
  optimizer: OptimizerState;
  shuffler: number[];
  global: number[];
  history: EpochLog[];
}

/** A checkpoint as safetensors bytes (tensors model.*, optim.<i>.<slot>; the rest in the metadata). */
export async function checkpointBytes(c: Checkpoint, extra: Record<string, string> = {}): Promise<Uint8Array> {
  const tensors: Record<string, HostTensor> = {};
  const host = async (v: StateValue): Promise<HostTensor> => (v instanceof Tensor ? { dtype: v.dtype === 'bool' ? 'i32' : v.dtype, shape: [...v.shape], data: await v.data() } : { dtype: 'f32', shape: [...v.shape], data: Float32Array.from(v.data) });
  for (const [k, v] of Object.entries(c.model)) tensors[`model.${k}`] = await host(v);
  for (const [i, slots] of c.optimizer.slots.entries()) for (const [k, v] of Object.entries(slots)) tensors[`optim.${i}.${k}`] = await host(v);
  const meta = { kind: c.optimizer.kind, steps: c.optimizer.steps, paramSteps: c.optimizer.paramSteps, lr: c.optimizer.lr, params: c.optimizer.slots.length, shuffler: c.shuffler, global: c.global, history: c.history };
  return toSafetensors(tensors, { ...extra, checkpoint: JSON.stringify(meta) });
}

export function checkpointFrom(bytes: Uint8Array, source: string): { checkpoint: Checkpoint; metadata: Record<string, string> } {
  const { tensors, metadata } = fromSafetensors(bytes, source);
  if (!metadata.checkpoint) throw new Error(`${source}: not a rootgrad checkpoint`);
  const meta = JSON.parse(metadata.checkpoint);
  const model: Record<string, StateValue> = {};
  const slots: Record<string, StateValue>[] = Array.from({ length: meta.params }, () => ({}));
  for (const [k, v] of Object.entries(tensors)) {
    if (k.startsWith('model.')) model[k.slice(6)] = v;
    else {
      const m = /^optim\.(\d+)\.(.+)$/.exec(k);
      if (!m || Number(m[1]) >= slots.length) throw new Error(`${source}: unexpected tensor '${k}' in a checkpoint`);
      slots[Number(m[1])][m[2]] = v;
    }
  }
  return { checkpoint: { model, optimizer: { kind: meta.kind, steps: meta.steps, ...(meta.paramSteps ? { paramSteps: meta.paramSteps } : {}), lr: meta.lr, slots }, shuffler: meta.shuffler, global: meta.global, history: meta.history }, metadata };
}
