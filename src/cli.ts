// The `rootgrad` command: train and eval (more commands join as later work lands).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasDevice, init, setGpuProvider, shutdown } from './gpu.js';
import { nodeGpu } from './node-gpu.js';
import { loadDataset, builtinDatasets } from './data/files.js';
import { fitStandardizer, standardize, subset, trainTestSplit, type Dataset, type Standardizer } from './data/dataset.js';
import { checkResnet, resnetDefaults } from '../models/resnet.js';
import { lenetDefaults } from '../models/lenet.js';
import { checkpointBytes, checkpointFrom, defaultTrainConfig, evaluate, trainClassifier, type Checkpoint, type EpochLog, type LossName, type TrainConfig } from './train.js';
import { detectAnomaly } from './anomaly.js';
import { fileStore, save, load, writeFileAtomic } from './io/files.js';
import { autotune } from './autotune.js';
import { homedir } from 'node:os';
import { curvesSvg } from './plot.js';
import { buildModel, inputsOf, type ModelConfig } from '../models/index.js';
import { toDevice, type HostTensor } from './io/safetensors.js';
import type { Tensor } from './tensor.js';
import { buildCorpus, decode, encode, reverseTask, trainLM, type LmConfig } from './lm.js';
import { GPT, type GptConfig } from '../models/gpt.js';
import { Generator } from './random.js';
import { runAudit } from './audit.js';
import { bandSvg, runExperiment, summarize, summaryTable } from './experiment.js';
import './ops/methods.js';

setGpuProvider(nodeGpu);

export class UsageError extends Error {}

interface FlagSpec {
  kind: 'int' | 'number' | 'string' | 'list' | 'bool';
  help: string;
  choices?: readonly string[];
  min?: number;
}

const trainFlags: Record<string, FlagSpec> = {
  model: { kind: 'string', help: 'mlp, logistic (binary data), vit, lenet, resnet (square images), gpt (text)', choices: ['mlp', 'logistic', 'vit', 'lenet', 'resnet', 'gpt'] },
  data: { kind: 'string', help: `${builtinDatasets.join(', ')}, a folder of IDX files (DIR/) or FILE.csv (features..., label)` },
  limit: { kind: 'int', help: 'train on this many training examples (a seeded random subset)', min: 1 },
  width: { kind: 'int', help: 'ResNet channels of the first stage (default 16)', min: 1 },
  channels: { kind: 'list', help: 'LeNet channels of its two convolutions (default 6,16)' },
  blocks: { kind: 'list', help: 'ResNet BasicBlocks per stage (default 1,1)' },
  loss: { kind: 'string', help: 'ce, focal, rooted, or bce (logistic model)', choices: ['ce', 'focal', 'rooted', 'bce'] },
  k: { kind: 'number', help: 'rooted loss k (> 0)', min: Number.MIN_VALUE },
  m: { kind: 'number', help: 'rooted loss m (> 0)', min: Number.MIN_VALUE },
  alpha: { kind: 'number', help: 'focal loss alpha', min: Number.MIN_VALUE },
  gamma: { kind: 'number', help: 'focal loss gamma', min: 0 },
  epochs: { kind: 'int', help: 'passes over the training set', min: 1 },
  batch: { kind: 'int', help: 'batch size', min: 1 },
  lr: { kind: 'number', help: 'learning rate', min: Number.MIN_VALUE },
  optimizer: { kind: 'string', help: 'adam, adamw or sgd', choices: ['adam', 'adamw', 'sgd'] },
  momentum: { kind: 'number', help: 'SGD momentum', min: 0 },
  'weight-decay': { kind: 'number', help: 'weight decay', min: 0 },
  schedule: { kind: 'string', help: 'cosine (default) or constant', choices: ['cosine', 'constant'] },
  warmup: { kind: 'int', help: 'linear warm-up steps', min: 0 },
  clip: { kind: 'number', help: 'clip gradients to this global norm (0: off)', min: 0 },
  hidden: { kind: 'list', help: 'hidden layer sizes of the MLP, e.g. 256,256' },
  dropout: { kind: 'number', help: 'dropout probability in the MLP', min: 0 },
  seed: { kind: 'int', help: 'seed for initialisation, split and batches', min: 0 },
  patch: { kind: 'int', help: 'ViT patch side (default 4)', min: 1 },
  dim: { kind: 'int', help: 'ViT / GPT width (default 64 / 32)', min: 1 },
  heads: { kind: 'int', help: 'ViT / GPT attention heads (default 4 / 2)', min: 1 },
  layers: { kind: 'int', help: 'ViT / GPT blocks (default 2)', min: 1 },
  text: { kind: 'string', help: 'GPT: a text file to model, character by character' },
  task: { kind: 'string', help: 'GPT without --text: the built-in synthetic task', choices: ['reverse'] },
  context: { kind: 'int', help: 'GPT context length (default 16 for the task, 32 for text)', min: 2 },
  steps: { kind: 'int', help: 'GPT training steps (default 1000)', min: 1 },
  'eval-every': { kind: 'int', help: 'GPT: steps between validation losses (default 100)', min: 1 },
  'test-fraction': { kind: 'number', help: 'share of the data held out for testing', min: Number.MIN_VALUE },
  out: { kind: 'string', help: 'output folder (weights, log.json, curves.svg)' },
  quiet: { kind: 'bool', help: 'print only the final result' },
  resume: { kind: 'string', help: 'continue the run whose --out folder this is, from its last checkpoint' },
  'detect-anomaly': { kind: 'bool', help: 'check every op for NaN/Inf and name the first one (slower)' },
  autotune: { kind: 'bool', help: 'time the kernel variants on this adapter first and keep the fastest (remembered per adapter in ~/.cache/rootgrad)' },
};

const generateFlags: Record<string, FlagSpec> = {
  weights: { kind: 'string', help: 'a GPT model.safetensors written by rootgrad train --model gpt' },
  prompt: { kind: 'string', help: 'the text to continue' },
  tokens: { kind: 'int', help: 'characters to generate (default 200)', min: 1 },
  temperature: { kind: 'number', help: 'sampling temperature, 0 for greedy (default 0.8)', min: 0 },
  'top-k': { kind: 'int', help: 'sample among the k most likely (0: all; default 0)', min: 0 },
  seed: { kind: 'int', help: 'sampling seed', min: 0 },
};

const experimentFlags: Record<string, FlagSpec> = {
  model: { kind: 'string', help: 'mlp, vit, lenet, resnet or logistic', choices: ['mlp', 'vit', 'lenet', 'resnet', 'logistic'] },
  data: { kind: 'string', help: 'digits, breast-cancer or FILE.csv' },
  losses: { kind: 'string', help: 'comma-separated arms (default ce,focal,rooted; bce,rooted for logistic)' },
  seeds: { kind: 'int', help: 'seeds per loss (default 5)', min: 1 },
  epochs: { kind: 'int', help: 'epochs per run', min: 1 },
  batch: { kind: 'int', help: 'batch size (default 64)', min: 1 },
  lr: { kind: 'number', help: 'learning rate, the same for every loss', min: Number.MIN_VALUE },
  k: { kind: 'number', help: 'rooted k (default 3; 2 for logistic)', min: Number.MIN_VALUE },
  m: { kind: 'number', help: 'rooted m (default 3)', min: Number.MIN_VALUE },
  'sweep-k': { kind: 'string', help: 'also run rooted with each k of a comma-separated list, e.g. 1,2,3,5,8' },
  target: { kind: 'number', help: 'test accuracy counted as reached (default 0.95)', min: 0 },
  dim: { kind: 'int', help: 'ViT width (default 32)', min: 1 },
  heads: { kind: 'int', help: 'ViT heads (default 2)', min: 1 },
  layers: { kind: 'int', help: 'ViT blocks (default 2)', min: 1 },
  width: { kind: 'int', help: 'ResNet channels of the first stage (default 8)', min: 1 },
  out: { kind: 'string', help: 'output folder (table.md, runs.json, *.svg)' },
};

const auditFlags: Record<string, FlagSpec> = {
  cases: { kind: 'int', help: 'random cases (shapes and values) per op (default 3)', min: 1 },
  seed: { kind: 'int', help: 'seed of the cases (default 0)', min: 0 },
  only: { kind: 'string', help: 'comma-separated name fragments to audit, e.g. rooted,attention' },
  json: { kind: 'string', help: 'also write the table as JSON to this file' },
  example: { kind: 'bool', help: 'include the custom op of examples/label-smoothed-rooted.ts' },
};

const evalFlags: Record<string, FlagSpec> = {
  weights: { kind: 'string', help: 'a model.safetensors written by rootgrad train' },
  data: { kind: 'string', help: 'data to evaluate on (default: the test split the model was trained with)' },
};

function usage(cmd: string, flags: Record<string, FlagSpec>, intro: string): string {
  const lines = Object.entries(flags).map(([k, f]) => `  --${k.padEnd(15)} ${f.help}${f.choices ? ` [${f.choices.join('|')}]` : ''}`);
  return `${intro}\n\nusage: rootgrad ${cmd} [flags]\n\n${lines.join('\n')}\n  --help            this text\n`;
}

const TOP_HELP = `rootgrad: train and evaluate models on WebGPU.

usage: rootgrad <command> [flags]

commands:
  train    train a model (MLP or logistic regression) on digits, breast-cancer or a CSV file
  eval     accuracy and confusion matrix of saved weights, with no training
  generate continue a prompt with a trained GPT
  audit    gradcheck every op, loss and model against float64 finite differences
  experiment  compare losses (ce, focal, rooted) over seeds: tables and plots

rootgrad <command> --help shows its flags.
`;

type Parsed = Record<string, string | number | boolean | number[]>;

export function parseFlags(cmd: string, argv: string[], flags: Record<string, FlagSpec>): Parsed {
  const out: Parsed = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new UsageError(`rootgrad ${cmd}: unexpected argument '${a}'`);
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
    const spec = flags[name];
    if (!spec) throw new UsageError(`rootgrad ${cmd}: unknown flag --${name} (see rootgrad ${cmd} --help)`);
    if (spec.kind === 'bool') {
      out[name] = true;
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UsageError(`rootgrad ${cmd}: --${name} needs a value`);
    if (spec.kind === 'string') {
      if (spec.choices && !spec.choices.includes(v)) throw new UsageError(`rootgrad ${cmd}: --${name} must be one of ${spec.choices.join(', ')}, got '${v}'`);
      out[name] = v;
    } else if (spec.kind === 'list') {
      const xs = v.split(',').map(Number);
      if (!xs.length || xs.some((x) => !Number.isInteger(x) || x < 1)) throw new UsageError(`rootgrad ${cmd}: --${name} must be positive integers separated by commas, got '${v}'`);
      out[name] = xs;
    } else {
      const x = Number(v);
      if (v.trim() === '' || !Number.isFinite(x)) throw new UsageError(`rootgrad ${cmd}: --${name} must be a number, got '${v}'`);
      if (spec.kind === 'int' && !Number.isInteger(x)) throw new UsageError(`rootgrad ${cmd}: --${name} must be an integer, got '${v}'`);
      if (spec.min !== undefined && x < spec.min) throw new UsageError(`rootgrad ${cmd}: --${name} must be ${spec.min === Number.MIN_VALUE ? '> 0' : `>= ${spec.min}`}, got '${v}'`);
      out[name] = x;
    }
  }
  return out;
}

function progress(enabled: boolean) {
  const tty = !!process.stdout.isTTY;
  return {
    step(epoch: number, epochs: number, step: number, steps: number) {
      if (!enabled || !tty) return;
      const width = 30;
      const done = Math.round((step / steps) * width);
      process.stdout.write(`\repoch ${epoch}/${epochs} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${step}/${steps}`);
    },
    epoch(log: EpochLog, epochs: number) {
      if (!enabled) return;
      const line = `epoch ${log.epoch}/${epochs}  loss ${log.trainLoss.toFixed(4)}  acc ${(100 * log.trainAccuracy).toFixed(2)}%  test loss ${log.testLoss.toFixed(4)}  test acc ${(100 * log.testAccuracy).toFixed(2)}%  ${Math.round(log.examplesPerSecond)} ex/s`;
      process.stdout.write(tty ? `\r${line}\x1b[K\n` : `${line}\n`);
    },
  };
}

interface Prepared {
  train: Dataset;
  test: Dataset;
  stats: Standardizer;
}

/** The data's own test split when it has one (IDX folders), else a seeded random split; `limit` keeps a
 * seeded random subset of the training examples. */
export function splitFor(ds: Dataset, testFraction: number, seed: number, limit?: number): { train: Dataset; test: Dataset } {
  let { train, test } = ds.test ? { train: { ...ds, test: undefined }, test: ds.test } : trainTestSplit(ds, testFraction, seed);
  if (limit !== undefined && limit < train.n) {
    const order = Array.from({ length: train.n }, (_, i) => i);
    new Generator(seed + 1).shuffle(order);
    train = subset(train, order.slice(0, limit));
  }
  return { train, test };
}

function prepare(data: string, testFraction: number, seed: number, limit?: number): Prepared {
  const { train, test } = splitFor(loadDataset(data), testFraction, seed, limit);
  const stats = fitStandardizer(train);
  return { train: standardize(train, stats), test: standardize(test, stats), stats };
}

async function trainCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(usage('train', trainFlags, 'Train a classifier; writes model.safetensors, log.json and curves.svg to --out.'));
    return 0;
  }
  let f = parseFlags('train', argv, trainFlags);
  if (f['detect-anomaly']) detectAnomaly(true);
  let resume: Checkpoint | undefined;
  if (f.resume) {
    const others = Object.keys(f).filter((k) => !['resume', 'quiet', 'detect-anomaly'].includes(k));
    if (others.length) throw new UsageError(`rootgrad train: --resume continues the saved run as it was; drop --${others.join(', --')}`);
    const path = join(f.resume as string, 'checkpoint.safetensors');
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new Error(`cannot resume: cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const c = checkpointFrom(bytes, path);
    resume = c.checkpoint;
    f = { ...JSON.parse(c.metadata.flags), out: f.resume as string, quiet: !!f.quiet };
  }
  const flagsToSave = { ...f };
  const modelKind = (f.model as string) ?? 'mlp';
  if (modelKind === 'gpt') {
    if (resume) throw new UsageError('rootgrad train: --resume is for the classifiers (mlp, logistic, vit)');
    return trainGptCommand(f);
  }
  for (const k of ['text', 'task', 'context', 'steps', 'eval-every']) if (k in f) throw new UsageError(`rootgrad train: --${k} is for --model gpt`);
  const data = (f.data as string) ?? 'digits';
  const cfg: TrainConfig = {
    ...defaultTrainConfig,
    loss: ((f.loss as string) ?? 'rooted') as TrainConfig['loss'],
    k: (f.k as number) ?? (modelKind === 'logistic' ? 2 : 3),
    m: (f.m as number) ?? 3,
    alpha: (f.alpha as number) ?? 0.25,
    gamma: (f.gamma as number) ?? 3,
    epochs: (f.epochs as number) ?? 20,
    batch: (f.batch as number) ?? 64,
    lr: (f.lr as number) ?? (modelKind === 'logistic' ? 0.01 : 1e-3),
    optimizer: ((f.optimizer as string) ?? 'adam') as TrainConfig['optimizer'],
    momentum: (f.momentum as number) ?? 0.9,
    weightDecay: (f['weight-decay'] as number) ?? 0,
    schedule: ((f.schedule as string) ?? 'cosine') as TrainConfig['schedule'],
    warmup: (f.warmup as number) ?? 0,
    clip: (f.clip as number) ?? 0,
    seed: (f.seed as number) ?? 0,
  };
  const testFraction = (f['test-fraction'] as number) ?? 0.2;
  if (testFraction >= 1) throw new UsageError(`rootgrad train: --test-fraction must be below 1, got ${testFraction}`);
  if (modelKind === 'logistic' && !['rooted', 'bce', 'ce'].includes(cfg.loss)) throw new UsageError(`rootgrad train: the logistic model trains with --loss rooted or bce, got '${cfg.loss}'`);
  if (modelKind === 'mlp' && cfg.loss === 'bce') throw new UsageError("rootgrad train: --loss bce is for the logistic model; the MLP uses ce, focal or rooted");
  const out = (f.out as string) ?? join('runs', `${modelKind}-${data.replace(/[^\w.-]+/g, '_')}-${cfg.loss}`);
  const quiet = !!f.quiet;

  const { train, test, stats } = prepare(data, testFraction, cfg.seed, f.limit as number | undefined);
  if (modelKind === 'vit' && f.epochs === undefined) cfg.epochs = 15;
  const side = Math.round(Math.sqrt(train.features));
  if ((modelKind === 'lenet' || modelKind === 'resnet') && side * side !== train.features) throw new UsageError(`rootgrad train: the ${modelKind} needs square one-channel images; ${data} has ${train.features} features`);
  if (modelKind === 'logistic' && train.classes !== 2) throw new UsageError(`rootgrad train: the logistic model needs binary labels; ${data} has ${train.classes} classes`);
  let modelConfig: ModelConfig;
  if (modelKind === 'logistic') modelConfig = { kind: 'logistic', inputs: train.features };
  else if (modelKind === 'vit') {
    const side = Math.round(Math.sqrt(train.features));
    const patch = (f.patch as number) ?? 4;
    if (side * side !== train.features) throw new UsageError(`rootgrad train: the ViT needs square images; ${data} has ${train.features} features`);
    if (side % patch) throw new UsageError(`rootgrad train: --patch ${patch} does not divide the image side ${side}`);
    const dim = (f.dim as number) ?? 64;
    const heads = (f.heads as number) ?? 4;
    if (dim % heads) throw new UsageError(`rootgrad train: --dim ${dim} is not divisible by --heads ${heads}`);
    modelConfig = { kind: 'vit', side, patch, dim, heads, layers: (f.layers as number) ?? 2, classes: train.classes, dropout: (f.dropout as number) ?? 0 };
    if (f.lr === undefined) cfg.lr = 3e-3;
    if (f.warmup === undefined) cfg.warmup = 20;
  } else if (modelKind === 'lenet') {
    const channels = (f.channels as number[]) ?? lenetDefaults.channels;
    if (channels.length !== 2 || channels.some((c) => !Number.isInteger(c) || c < 1)) throw new UsageError(`rootgrad train: --channels takes two positive integers (the LeNet's two convolutions), got ${channels.join(',')}`);
    modelConfig = { kind: 'lenet', side, classes: train.classes, channels: [channels[0], channels[1]] };
    if (f.epochs === undefined) cfg.epochs = 15;
    if (f.lr === undefined && side < 20) cfg.lr = 3e-3; // the 8x8 digits: 1e-3 underfits in 15 epochs (~90%)
  } else if (modelKind === 'resnet') {
    const blocks = (f.blocks as number[]) ?? resnetDefaults.blocks;
    modelConfig = { kind: 'resnet', side, classes: train.classes, width: (f.width as number) ?? resnetDefaults.width, blocks };
    try {
      checkResnet(modelConfig);
    } catch (e) {
      throw new UsageError(`rootgrad train: ${(e as Error).message}`);
    }
    if (f.epochs === undefined) cfg.epochs = 15;
    if (f.lr === undefined) cfg.lr = 3e-3;
  } else modelConfig = { kind: 'mlp', inputs: train.features, hidden: (f.hidden as number[]) ?? [256, 256], classes: train.classes, activation: 'relu', dropout: (f.dropout as number) ?? 0 };

  const info = await init();
  await autotuneFor(!!f.autotune, quiet);
  if (!quiet) console.log(`rootgrad: ${modelKind} on ${data} (${train.n} train / ${test.n} test, ${train.features} features, ${train.classes} classes), loss ${cfg.loss}${cfg.loss === 'rooted' ? ` k=${cfg.k}${modelKind === 'mlp' ? ` m=${cfg.m}` : ''}` : ''}, ${cfg.optimizer} lr ${cfg.lr}, ${cfg.epochs} epochs of batch ${cfg.batch}, on ${info.description || info.vendor}`);
  if (resume && !quiet) console.log(`resuming after epoch ${resume.history.length} from ${join(out, 'checkpoint.safetensors')}`);
  const bar = progress(!quiet);
  const t0 = performance.now();
  mkdirSync(out, { recursive: true });
  const { model, history } = await trainClassifier(
    modelConfig,
    train,
    test,
    cfg,
    {
      onStep: (e, s, n) => bar.step(e, cfg.epochs, s, n),
      onEpoch: (log) => bar.epoch(log, cfg.epochs),
      // Written atomically after every epoch: a run killed at any moment resumes from the last whole epoch.
      onCheckpoint: async (c) => writeFileAtomic(join(out, 'checkpoint.safetensors'), await checkpointBytes(c, { flags: JSON.stringify(flagsToSave) })),
    },
    resume,
  );
  const seconds = (performance.now() - t0) / 1000;
  const final = history[history.length - 1];
  const meta = { model: JSON.stringify(modelConfig), standardizer: JSON.stringify(stats), train: JSON.stringify({ ...cfg, data, testFraction }), classNames: JSON.stringify(train.classNames ?? []) };
  await save(model, join(out, 'model.safetensors'), meta);
  writeFileAtomic(join(out, 'log.json'), JSON.stringify({ model: modelConfig, config: { ...cfg, data, testFraction }, adapter: info, seconds, history }, null, 2) + '\n');
  writeFileAtomic(join(out, 'curves.svg'), curvesSvg(history, `${modelKind} on ${data}, ${cfg.loss} loss`));
  console.log(`test accuracy ${(100 * final.testAccuracy).toFixed(2)}% (${test.n} examples) after ${cfg.epochs} epochs in ${seconds.toFixed(1)} s; wrote ${join(out, 'model.safetensors')}, log.json, curves.svg`);
  model.dispose();
  return 0;
}

async function evalCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(usage('eval', evalFlags, 'Evaluate saved weights: accuracy and confusion matrix, no training.'));
    return 0;
  }
  const f = parseFlags('eval', argv, evalFlags);
  if (!f.weights) throw new UsageError('rootgrad eval: --weights FILE is required');
  const { tensors, metadata } = load(f.weights as string);
  if (!metadata.model || !metadata.standardizer || !metadata.train) throw new Error(`${f.weights}: no rootgrad model metadata (was it written by rootgrad train?)`);
  const modelConfig = JSON.parse(metadata.model) as ModelConfig;
  const stats = JSON.parse(metadata.standardizer) as Standardizer;
  const trainCfg = JSON.parse(metadata.train) as TrainConfig & { data: string; testFraction: number };
  let ds: Dataset;
  let what: string;
  if (!f.data || f.data === trainCfg.data) {
    ds = splitFor(loadDataset(trainCfg.data), trainCfg.testFraction, trainCfg.seed).test;
    what = `the test split of ${trainCfg.data}`;
  } else {
    ds = loadDataset(f.data as string);
    what = `all ${ds.n} rows of ${f.data}`;
  }
  if (ds.features !== inputsOf(modelConfig)) throw new Error(`rootgrad eval: the model takes ${inputsOf(modelConfig)} features, ${f.data ?? trainCfg.data} has ${ds.features}`);
  ds = standardize(ds, stats);
  await init();
  const model = buildModel(modelConfig);
  loadWeights(model, tensors);
  const r = await evaluate(model, ds, trainCfg);
  const k = modelConfig.kind === 'logistic' ? 2 : modelConfig.classes;
  const cm = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < ds.n; i++) cm[ds.y[i]][r.predictions[i]]++;
  console.log(`accuracy ${(100 * r.accuracy).toFixed(2)}% on ${what}, loss ${r.loss.toFixed(4)}`);
  console.log('confusion matrix (rows: true class, columns: predicted):');
  const w = Math.max(4, ...cm.flat().map((v) => String(v).length + 1));
  console.log('     ' + Array.from({ length: k }, (_, j) => String(j).padStart(w)).join(''));
  cm.forEach((row, i) => console.log(String(i).padStart(4) + ' ' + row.map((v) => String(v).padStart(w)).join('')));
  model.dispose();
  return 0;
}

async function trainGptCommand(f: Parsed): Promise<number> {
  for (const k of ['data', 'hidden', 'patch', 'test-fraction', 'epochs', 'momentum', 'schedule', 'clip', 'alpha', 'gamma']) if (k in f) throw new UsageError(`rootgrad train: --${k} is not used by --model gpt`);
  if (f.text && f.task) throw new UsageError('rootgrad train: give --text FILE or --task, not both');
  const loss = ((f.loss as string) ?? 'ce') as 'ce' | 'rooted';
  if (loss !== 'ce' && loss !== 'rooted') throw new UsageError(`rootgrad train: --model gpt trains with --loss ce or rooted, got '${loss}'`);
  const optimizer = ((f.optimizer as string) ?? 'adamw') as 'adam' | 'adamw';
  if (optimizer !== 'adam' && optimizer !== 'adamw') throw new UsageError(`rootgrad train: --model gpt uses --optimizer adam or adamw, got '${optimizer}'`);
  let text: string;
  let source: string;
  if (f.text) {
    try {
      text = readFileSync(f.text as string, 'utf8');
    } catch (e) {
      throw new Error(`cannot read text file '${f.text}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    source = f.text as string;
  } else {
    text = reverseTask(3000, 6, (f.seed as number) ?? 0);
    source = 'the built-in task: reverse 6-digit strings (lines like 123456>654321;)';
  }
  const corpus = buildCorpus(text);
  const dim = (f.dim as number) ?? 32;
  const heads = (f.heads as number) ?? 2;
  if (dim % heads) throw new UsageError(`rootgrad train: --dim ${dim} is not divisible by --heads ${heads}`);
  // The task's lines are 14 characters: a context of 16 sees a whole line; text gets 32 by default.
  const config: GptConfig = { kind: 'gpt', vocab: corpus.vocab.length, context: (f.context as number) ?? (f.text ? 32 : 16), dim, heads, layers: (f.layers as number) ?? 2, dropout: (f.dropout as number) ?? 0 };
  const cfg: LmConfig = {
    steps: (f.steps as number) ?? 1000,
    batch: (f.batch as number) ?? 32,
    lr: (f.lr as number) ?? 5e-3,
    loss,
    k: (f.k as number) ?? 3,
    m: (f.m as number) ?? 3,
    seed: (f.seed as number) ?? 0,
    optimizer,
    evalEvery: (f['eval-every'] as number) ?? 100,
  };
  const out = (f.out as string) ?? join('runs', `gpt-${f.text ? 'text' : 'reverse'}-${loss}`);
  const quiet = !!f.quiet;
  const info = await init();
  await autotuneFor(!!f.autotune, quiet);
  if (!quiet) console.log(`rootgrad: gpt (${config.layers} blocks, width ${dim}, ${heads} heads, context ${config.context}, vocabulary ${config.vocab}) on ${source} (${corpus.ids.length} characters), loss ${loss}, ${cfg.steps} steps of batch ${cfg.batch}, on ${info.description || info.vendor}`);
  const { model, history } = await trainLM(config, corpus, cfg, (l) => {
    if (!quiet) console.log(`step ${l.step}/${cfg.steps}  loss ${l.trainLoss.toFixed(4)}  val loss ${l.valLoss.toFixed(4)}  ${l.seconds.toFixed(1)} s`);
  });
  mkdirSync(out, { recursive: true });
  await save(model, join(out, 'model.safetensors'), { model: JSON.stringify(config), vocab: JSON.stringify(corpus.vocab), train: JSON.stringify({ ...cfg, source }) });
  writeFileAtomic(join(out, 'log.json'), JSON.stringify({ model: config, config: cfg, source, adapter: info, history }, null, 2) + '\n');
  const last = history[history.length - 1];
  let sampleText = '';
  if (!f.text) {
    // The reverse task's own check: greedy completions of fresh prompts, exact matches counted.
    const g = new Generator(12345);
    let correct = 0;
    const trials = 20;
    for (let i = 0; i < trials; i++) {
      const digits = Array.from({ length: 6 }, () => String(g.int(10))).join('');
      const got = decode(corpus.vocab, await model.generate(encode(corpus.vocab, `${digits}>`), 6, { temperature: 0 }));
      if (got === [...digits].reverse().join('')) correct++;
      if (i === 0) sampleText = `${digits}>${got}`;
    }
    console.log(`reverse task: ${correct}/${trials} fresh strings reversed exactly (e.g. ${sampleText})`);
  }
  console.log(`final loss ${last.trainLoss.toFixed(4)}, validation loss ${last.valLoss.toFixed(4)} after ${cfg.steps} steps in ${last.seconds.toFixed(1)} s; wrote ${join(out, 'model.safetensors')}, log.json`);
  model.dispose();
  return 0;
}

async function generateCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(usage('generate', generateFlags, 'Continue a prompt with a GPT trained by rootgrad train --model gpt.'));
    return 0;
  }
  const f = parseFlags('generate', argv, generateFlags);
  if (!f.weights) throw new UsageError('rootgrad generate: --weights FILE is required');
  const { tensors, metadata } = load(f.weights as string);
  if (!metadata.model || !metadata.vocab) throw new Error(`${f.weights}: no GPT metadata (was it written by rootgrad train --model gpt?)`);
  const config = JSON.parse(metadata.model) as GptConfig;
  if (config.kind !== 'gpt') throw new Error(`${f.weights}: a ${config.kind} model, not a GPT`);
  const vocab = JSON.parse(metadata.vocab) as string[];
  const prompt = (f.prompt as string) ?? vocab[0];
  const ids = encode(vocab, prompt);
  await init();
  const model = new GPT(config);
  loadWeights(model, tensors);
  const out = await model.generate(ids, (f.tokens as number) ?? 200, { temperature: (f.temperature as number) ?? 0.8, topK: (f['top-k'] as number) ?? 0, seed: (f.seed as number) ?? 0 });
  console.log(prompt + decode(vocab, out));
  model.dispose();
  return 0;
}

async function experimentCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(usage('experiment', experimentFlags, 'Train one model with each loss for several seeds (identical initialisation, data order, optimiser and\nschedule per seed); write a markdown table, every curve as JSON and SVG plots of the mean curves.'));
    return 0;
  }
  const f = parseFlags('experiment', argv, experimentFlags);
  const modelKind = (f.model as string) ?? 'mlp';
  const data = (f.data as string) ?? (modelKind === 'logistic' ? 'breast-cancer' : 'digits');
  const binary = modelKind === 'logistic';
  const arms = ((f.losses as string) ?? (binary ? 'bce,rooted' : 'ce,focal,rooted')).split(',').map((x) => x.trim());
  for (const a of arms) {
    const ok = binary ? ['bce', 'rooted'] : ['ce', 'focal', 'rooted'];
    if (!ok.includes(a)) throw new UsageError(`rootgrad experiment: --losses for ${modelKind} are ${ok.join(', ')}, got '${a}'`);
  }
  const k = (f.k as number) ?? (binary ? 2 : 3);
  const m = (f.m as number) ?? 3;
  const sweep = f['sweep-k'] ? (f['sweep-k'] as string).split(',').map(Number) : [];
  if (sweep.some((x) => !(x > 0))) throw new UsageError(`rootgrad experiment: --sweep-k must be positive numbers, got '${f['sweep-k']}'`);
  const armSpecs = [
    ...arms.map((loss) => ({ label: loss === 'rooted' ? `rooted k=${k}${binary ? '' : ` m=${m}`}` : loss, loss: loss as LossName, k, m })),
    ...sweep.filter((x) => !(arms.includes('rooted') && x === k)).map((x) => ({ label: `rooted k=${x}${binary ? '' : ` m=${m}`}`, loss: 'rooted' as LossName, k: x, m })),
  ];
  const seeds = Array.from({ length: (f.seeds as number) ?? 5 }, (_, i) => i);
  const target = (f.target as number) ?? 0.95;
  const out = (f.out as string) ?? join('runs', `experiment-${modelKind}-${data.replace(/[^\w.-]+/g, '_')}`);
  const { train, test } = prepare(data, 0.2, 0);
  let model: ModelConfig;
  if (modelKind === 'logistic') model = { kind: 'logistic', inputs: train.features };
  else if (modelKind === 'vit') {
    const [dim, heads] = [(f.dim as number) ?? 32, (f.heads as number) ?? 2];
    if (dim % heads) throw new UsageError(`rootgrad experiment: --dim ${dim} is not divisible by --heads ${heads}`);
    model = { kind: 'vit', side: Math.round(Math.sqrt(train.features)), patch: 4, dim, heads, layers: (f.layers as number) ?? 2, classes: train.classes };
  } else if (modelKind === 'lenet' || modelKind === 'resnet') {
    const side = Math.round(Math.sqrt(train.features));
    if (side * side !== train.features) throw new UsageError(`rootgrad experiment: the ${modelKind} needs square one-channel images; ${data} has ${train.features} features`);
    model = modelKind === 'lenet' ? { kind: 'lenet', side, classes: train.classes } : { kind: 'resnet', side, classes: train.classes, width: (f.width as number) ?? 8 };
  } else model = { kind: 'mlp', inputs: train.features, hidden: [256, 256], classes: train.classes, activation: 'relu' };
  const base: TrainConfig = {
    ...defaultTrainConfig,
    epochs: (f.epochs as number) ?? ({ vit: 12, logistic: 30, lenet: 15, resnet: 8 } as Record<string, number>)[modelKind] ?? 20,
    batch: (f.batch as number) ?? 64,
    lr: (f.lr as number) ?? ({ vit: 3e-3, logistic: 0.01, lenet: 3e-3, resnet: 3e-3 } as Record<string, number>)[modelKind] ?? 1e-3,
    warmup: modelKind === 'vit' ? 20 : 0,
    k,
    m,
  };
  const info = await init();
  console.log(`rootgrad experiment: ${modelKind} on ${data}, arms ${armSpecs.map((a) => a.label).join(' | ')}, ${seeds.length} seeds, ${base.epochs} epochs, lr ${base.lr}, on ${info.description || info.vendor}`);
  const runs = await runExperiment({ model, train, test, base, arms: armSpecs, seeds, target }, (r) => {
    const last = r.history[r.history.length - 1];
    console.log(`  seed ${r.seed} ${r.label}: test acc ${(100 * last.testAccuracy).toFixed(2)}%, best ${(100 * Math.max(...r.history.map((h) => h.testAccuracy))).toFixed(2)}%`);
  });
  const table = summaryTable(summarize(runs, target), target);
  mkdirSync(out, { recursive: true });
  const cmd = `rootgrad experiment ${argv.join(' ')}`.trim();
  writeFileAtomic(join(out, 'table.md'), `${modelKind} on ${data}, ${seeds.length} seeds, ${base.epochs} epochs, ${base.optimizer} lr ${base.lr} (cosine), batch ${base.batch}; adapter ${info.description || info.vendor}.\nCommand: \`${cmd}\`\n\n${table}`);
  writeFileAtomic(join(out, 'runs.json'), JSON.stringify({ command: cmd, model, base, target, runs }, null, 2) + '\n');
  writeFileAtomic(join(out, 'test-accuracy.svg'), bandSvg(runs, 'testAccuracy', `${modelKind} on ${data}: test accuracy`));
  writeFileAtomic(join(out, 'test-loss.svg'), bandSvg(runs, 'testLoss', `${modelKind} on ${data}: test loss (each its own loss)`));
  writeFileAtomic(join(out, 'train-loss.svg'), bandSvg(runs, 'trainLoss', `${modelKind} on ${data}: training loss`));
  console.log(`\n${table}\nwrote ${join(out, 'table.md')}, runs.json, test-accuracy.svg, test-loss.svg, train-loss.svg`);
  return 0;
}

async function auditCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(usage('audit', auditFlags, 'Gradient audit: every registered op, loss and model (and ops made with defineOp), autograd on the GPU against\ncentral finite differences of the float64 reference backend, at seeded random shapes. Exit code 1 on any failure.'));
    return 0;
  }
  const f = parseFlags('audit', argv, auditFlags);
  await init();
  const t0 = performance.now();
  const header = `${'op'.padEnd(28)} ${'cases'.padStart(5)} ${'max abs error'.padStart(14)} ${'max rel error'.padStart(14)}  status`;
  console.log(header);
  console.log('-'.repeat(header.length));
  const rows = await runAudit({
    cases: (f.cases as number) ?? 3,
    seed: (f.seed as number) ?? 0,
    only: f.only ? (f.only as string).split(',').map((x) => x.trim()).filter(Boolean) : undefined,
    onRow: (r) => console.log(`${r.name.padEnd(28)} ${String(r.cases).padStart(5)} ${r.maxAbsError.toExponential(2).padStart(14)} ${r.maxRelError.toExponential(2).padStart(14)}  ${r.pass ? 'pass' : 'FAIL'}`),
  });
  const failed = rows.filter((r) => !r.pass);
  for (const r of failed) for (const msg of r.failures) console.log(`  ${r.name}: ${msg}`);
  if (!rows.length) throw new UsageError(`rootgrad audit: --only ${f.only} matches nothing`);
  console.log(`${rows.length - failed.length}/${rows.length} passed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (f.json) writeFileAtomic(f.json as string, JSON.stringify({ rows }, null, 2) + '\n');
  return failed.length ? 1 : 0;
}

/** Copies saved host tensors into a freshly built model's parameters. */
function loadWeights(model: { loadStateDict(s: Record<string, Tensor>): void }, tensors: Record<string, HostTensor>): void {
  const dev = toDevice(tensors);
  try {
    model.loadStateDict(dev);
  } finally {
    for (const t of Object.values(dev)) t.dispose();
  }
}

/** --autotune: times the kernel variants before training (before, not during: a switch mid-run would change
 * the bits). The result is kept per adapter in $XDG_CACHE_HOME/rootgrad (~/.cache/rootgrad) and reused. */
async function autotuneFor(on: boolean, quiet: boolean): Promise<void> {
  if (!on) return;
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'rootgrad');
  mkdirSync(dir, { recursive: true });
  const results = await autotune({ store: fileStore(join(dir, 'autotune.json')) });
  if (!quiet) console.log(`autotune: ${results.map((r) => `${r.kernel}:${r.shapeClass} ${r.chosen}`).join(', ')}`);
}

/** Runs the command line; returns the exit code (0 ok, 1 failure, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const ownsDevice = !hasDevice(); // a device made here is destroyed at the end, so that Node can exit
  try {
    if (!cmd || cmd === '--help' || cmd === 'help') {
      process.stdout.write(TOP_HELP);
      return cmd ? 0 : 2;
    }
    if (cmd === 'train') return await trainCommand(rest);
    if (cmd === 'eval') return await evalCommand(rest);
    if (cmd === 'generate') return await generateCommand(rest);
    if (cmd === 'experiment') return await experimentCommand(rest);
    if (cmd === 'audit') {
      if (rest.includes('--example')) await import('../examples/label-smoothed-rooted.js');
      return await auditCommand(rest);
    }
    throw new UsageError(`rootgrad: unknown command '${cmd}' (try rootgrad --help)`);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    process.stderr.write(`rootgrad: ${(e as Error).message}\n`);
    if (process.env.ROOTGRAD_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return 1;
  } finally {
    if (ownsDevice) shutdown();
  }
}
