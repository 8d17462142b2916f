// rootgrad train: a classifier (or the GPT) on built-in, CSV or IDX data; weights, log, curves and a
// checkpoint per epoch to --out; --resume continues a killed run bit for bit.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { init } from '../gpu.js';
import { builtinDatasets } from '../data/files.js';
import { checkLossName, checkpointBytes, checkpointFrom, defaultTrainConfig, trainClassifier, type Checkpoint, type TrainConfig } from '../train.js';
import { detectAnomaly } from '../anomaly.js';
import { save, writeFileAtomic } from '../io/files.js';
import { curvesSvg } from '../plot.js';
import { classifierSpec, classifierSpecs } from '../../models/index.js';
import { lmCheckpointFrom } from '../lm.js';
import { configureModel, flagLines, modelFlags, parseFlags, usage, UsageError, type Flags, type Parsed } from './flags.js';
import { GPT_DEFAULTS_HELP, gptTrainFlags, trainGpt } from './lm.js';
import { adapterLine, autotuneFor, prepare, progress } from './common.js';

export const trainFlags: Flags = {
  model: { kind: 'string', help: `${Object.entries(classifierSpecs).map(([k, s]) => `${k} (${s.about})`).join('; ')}; gpt (a character-level language model)`, choices: [...Object.keys(classifierSpecs), 'gpt'] },
  data: { kind: 'string', help: `${builtinDatasets.join(', ')}, a folder of IDX files (DIR/) or FILE.csv (features..., label)` },
  limit: { kind: 'int', help: 'train on this many training examples (a seeded random subset)', min: 1 },
  ...modelFlags,
  loss: { kind: 'string', help: 'ce, focal, rooted, bce (logistic model), or a registered row loss by name (e.g. one a file given by --import defines with defineRowLoss)' },
  'loss-options': { kind: 'string', help: "a registered row loss's scalars, e.g. eps=0.5,k=2 (its defaults for the rest)" },
  k: { kind: 'number', help: 'rooted loss k (> 0)', min: Number.MIN_VALUE },
  m: { kind: 'number', help: 'rooted loss m (> 0)', min: Number.MIN_VALUE },
  alpha: { kind: 'number', help: 'focal loss alpha', min: Number.MIN_VALUE },
  gamma: { kind: 'number', help: 'focal loss gamma', min: 0 },
  epochs: { kind: 'int', help: 'passes over the training set (default: the model\'s own)', min: 1 },
  batch: { kind: 'int', help: 'batch size', min: 1 },
  lr: { kind: 'number', help: 'learning rate (default: the model\'s own)', min: Number.MIN_VALUE },
  optimizer: { kind: 'string', help: 'adam, adamw or sgd', choices: ['adam', 'adamw', 'sgd'] },
  momentum: { kind: 'number', help: 'SGD momentum', min: 0 },
  'weight-decay': { kind: 'number', help: 'weight decay', min: 0 },
  schedule: { kind: 'string', help: "cosine, constant, or onecycle (PyTorch's OneCycleLR, --lr its peak) (default: the model's own; cosine)", choices: ['cosine', 'constant', 'onecycle'] },
  warmup: { kind: 'int', help: 'linear warm-up steps (cosine, constant)', min: 0 },
  clip: { kind: 'number', help: 'clip gradients to this global norm (0: off)', min: 0 },
  seed: { kind: 'int', help: 'seed for initialisation, split and batches', min: 0 },
  'test-fraction': { kind: 'number', help: 'share of the data held out for testing (GPT: the held-out tail of the text)', min: Number.MIN_VALUE },
  out: { kind: 'string', help: 'output folder (weights, log.json, curves.svg)' },
  quiet: { kind: 'bool', help: 'print only the final result' },
  resume: { kind: 'string', help: 'continue the run whose --out folder this is, from its last checkpoint' },
  'detect-anomaly': { kind: 'bool', help: 'check every op for NaN/Inf and name the first one (slower)' },
  'no-compile': { kind: 'bool', help: 'run every training step eagerly (steps are compiled by default: recorded once, replayed; the same bits)' },
  autotune: { kind: 'bool', help: 'time the kernel variants on this adapter first and keep the fastest (remembered per adapter in ~/.cache/rootgrad)' },
  ...gptTrainFlags,
};

export const TRAIN_HELP =
  usage('train', Object.fromEntries(Object.entries(trainFlags).filter(([k]) => !(k in gptTrainFlags))), 'Train a classifier, or a character-level GPT (--model gpt); writes model.safetensors, log.json, curves.svg and\ncheckpoint.safetensors to --out. Defaults (architecture, epochs, learning rate) are each model\'s own, from models/.') +
  `\nGPT (--model gpt) flags:\n\n${flagLines(gptTrainFlags)}\n\n${GPT_DEFAULTS_HELP}\n`;

/** The training settings given by flags, by TrainConfig's names. */
export function trainSettings(f: Parsed): Partial<TrainConfig> {
  const names: Record<string, keyof TrainConfig> = { loss: 'loss', k: 'k', m: 'm', alpha: 'alpha', gamma: 'gamma', epochs: 'epochs', batch: 'batch', lr: 'lr', optimizer: 'optimizer', momentum: 'momentum', 'weight-decay': 'weightDecay', schedule: 'schedule', warmup: 'warmup', clip: 'clip', seed: 'seed' };
  const out: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(names)) if (flag in f) out[key] = f[flag];
  if (f['no-compile']) out.compile = false;
  if (f['loss-options'] !== undefined) out.lossOptions = parseLossOptions(f['loss-options'] as string);
  return out as Partial<TrainConfig>;
}

/** --loss-options eps=0.5,k=2: name=number pairs. */
export function parseLossOptions(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([A-Za-z_]\w*)=(.+)$/.exec(part);
    const v = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(v)) throw new UsageError(`--loss-options takes name=number pairs separated by commas, e.g. eps=0.5,k=2; got '${part}'`);
    out[m[1]] = v;
  }
  return out;
}

/** Which losses a model trains with: the built-in ones, or any registered row loss (multiclass models). */
export function checkLoss(cmd: string, kind: string, loss: string, lossOptions?: Record<string, number>): void {
  if (kind === 'logistic' && !['rooted', 'bce'].includes(loss)) throw new UsageError(`rootgrad ${cmd}: the logistic model trains with --loss rooted or bce, got '${loss}'`);
  if (kind !== 'logistic' && loss === 'bce') throw new UsageError(`rootgrad ${cmd}: --loss bce is for the logistic model; the ${kind} uses ce, focal, rooted or a registered row loss`);
  try {
    checkLossName(loss, kind === 'logistic', lossOptions);
  } catch (e) {
    throw new UsageError(`rootgrad ${cmd}: ${(e as Error).message.replace(/^lossOptions/, '--loss-options')}`);
  }
}

export async function trainCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(TRAIN_HELP);
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
    const flags = { ...JSON.parse(c.metadata.flags), out: f.resume as string, quiet: !!f.quiet };
    if (c.metadata.lm) return trainGpt(flags, { ...lmCheckpointFrom(bytes, path), path });
    resume = c.checkpoint;
    f = flags;
  }
  const flagsToSave = { ...f };
  const modelKind = (f.model as string) ?? 'mlp';
  if (modelKind === 'gpt') return trainGpt(f);
  for (const k of Object.keys(gptTrainFlags)) if (k in f) throw new UsageError(`rootgrad train: --${k} is for --model gpt`);
  // the loss first: a wrong name is a usage error before any data is read
  if (f.loss !== undefined) checkLoss('train', modelKind, f.loss as string, f['loss-options'] !== undefined ? parseLossOptions(f['loss-options'] as string) : undefined);
  const data = (f.data as string) ?? 'digits';
  const testFraction = (f['test-fraction'] as number) ?? 0.2;
  if (testFraction >= 1) throw new UsageError(`rootgrad train: --test-fraction must be below 1, got ${testFraction}`);
  const seed = (f.seed as number) ?? defaultTrainConfig.seed;
  const { train, test, stats } = prepare(data, testFraction, seed, f.limit as number | undefined);
  const modelConfig = configureModel('train', modelKind, { features: train.features, classes: train.classes, name: data }, f);
  const cfg: TrainConfig = { ...defaultTrainConfig, ...classifierSpec(modelKind).training(modelConfig), ...trainSettings(f) };
  checkLoss('train', modelKind, cfg.loss, cfg.lossOptions);
  if (cfg.schedule === 'onecycle' && cfg.warmup > 0) throw new UsageError(`rootgrad train: --warmup is for --schedule cosine or constant; onecycle rises over its first 30% of the steps itself (got --warmup ${cfg.warmup})`);
  const out = (f.out as string) ?? join('runs', `${modelKind}-${data.replace(/[^\w.-]+/g, '_')}-${cfg.loss}`);
  const quiet = !!f.quiet;

  const info = await init();
  await autotuneFor(!!f.autotune, quiet);
  if (!quiet) console.log(`rootgrad: ${modelKind} on ${data} (${train.n} train / ${test.n} test, ${train.features} features, ${train.classes} classes), loss ${cfg.loss}${cfg.loss === 'rooted' ? ` k=${cfg.k}${modelKind !== 'logistic' ? ` m=${cfg.m}` : ''}` : ''}, ${cfg.optimizer} lr ${cfg.lr} (${cfg.schedule}), ${cfg.epochs} epochs of batch ${cfg.batch}, on ${adapterLine(info)}`);
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
