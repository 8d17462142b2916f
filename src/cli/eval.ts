// rootgrad eval: accuracy, loss and confusion matrix of saved weights, no training. The model comes from
// the file's rootgrad metadata, or, for weights written elsewhere (e.g. a PyTorch state_dict with the same
// names), from --config model.json or --model and its flags.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { init } from '../gpu.js';
import { loadDataset } from '../data/files.js';
import { fitStandardizer, standardize, type Dataset, type Standardizer } from '../data/dataset.js';
import { defaultTrainConfig, evaluate, type TrainConfig } from '../train.js';
import { load, writeFileAtomic } from '../io/files.js';
import { confusionSvg } from '../plot.js';
import { buildModel, checkModelConfig, classifierSpec, classifierSpecs, inputsOf, type ModelConfig } from '../../models/index.js';
import { configureModel, modelFlags, modelOptions, parseFlags, usage, UsageError, type Flags, type Parsed } from './flags.js';
import { adapterLine, loadWeights, parseJson, readConfigFile, splitFor } from './common.js';
import { evalGpt } from './lm.js';

export const evalFlags: Flags = {
  weights: { kind: 'string', help: 'a model.safetensors: written by rootgrad train, or any with the model given by --config or --model' },
  data: { kind: 'string', help: 'data to evaluate on (default: the data the model was trained with, from its metadata)' },
  split: { kind: 'string', help: 'rows to evaluate: the test split rootgrad train makes (default for the training data) or all (default for other data)', choices: ['test', 'all'] },
  config: { kind: 'string', help: 'weights without rootgrad metadata: a JSON file of the same schema, {"model": {"kind": "mlp", ...}, "standardizer"?: {"mean": [...], "std": [...]}}' },
  model: { kind: 'string', help: `weights without rootgrad metadata: the model, built from the flags below and the data's shape`, choices: Object.keys(classifierSpecs) },
  ...modelFlags,
  raw: { kind: 'bool', help: 'no standardizer known: feed the features as they are (default: standardise with the training split, as rootgrad train does)' },
  'test-fraction': { kind: 'number', help: 'without metadata: the held-out share of the split (default 0.2, as rootgrad train)', min: Number.MIN_VALUE },
  seed: { kind: 'int', help: 'without metadata: the seed of the split (default 0, as rootgrad train)', min: 0 },
  out: { kind: 'string', help: 'also write confusion.svg (a heatmap) and eval.json to this folder' },
  text: { kind: 'string', help: 'GPT weights: the text to measure validation cross-entropy, perplexity and top-1 accuracy on' },
  tokens: { kind: 'int', help: 'GPT weights: a sample of about this many characters (evenly spaced whole windows; default all)', min: 1 },
};

export const EVAL_HELP = usage('eval', evalFlags, 'Evaluate saved weights: accuracy, loss and confusion matrix, no training (for GPT weights with --text:\ncross-entropy, perplexity and top-1 accuracy of next-character prediction on the text).');

interface Saved {
  model: ModelConfig;
  standardizer?: Standardizer;
  train?: Partial<TrainConfig> & { data?: string; testFraction?: number };
  classNames?: string[];
}

/** The --config file: {model, standardizer?, train?, classNames?} like the metadata (objects, not strings), or a bare model config. */
function readConfig(path: string): Omit<Saved, 'model'> & { model: unknown } {
  const j = readConfigFile(path);
  return ('kind' in j ? { model: j } : j) as Omit<Saved, 'model'> & { model: unknown };
}

function fromMetadata(file: string, metadata: Record<string, string>): Saved | null {
  if (!metadata.model) return null;
  const get = (k: string) => (metadata[k] ? parseJson(`${file}: metadata '${k}'`, metadata[k]) : undefined);
  return { model: get('model') as ModelConfig, standardizer: get('standardizer') as Standardizer | undefined, train: get('train') as Saved['train'], classNames: get('classNames') as string[] | undefined };
}

export async function evalCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(EVAL_HELP);
    return 0;
  }
  const f = parseFlags('eval', argv, evalFlags);
  if (!f.weights) throw new UsageError('rootgrad eval: --weights FILE is required');
  if (f.config && f.model) throw new UsageError('rootgrad eval: give the model by --config or by --model, not both');
  const given = Object.keys(modelOptions(f));
  if (given.length && !f.model) throw new UsageError(`rootgrad eval: --${given[0]} describes the model: give --model too`);
  const file = f.weights as string;
  const { tensors, metadata } = load(file);
  const saved = fromMetadata(file, metadata);
  if ((saved?.model as { kind: string } | undefined)?.kind === 'gpt') return evalGpt(f, file, tensors, metadata);
  for (const k of ['text', 'tokens']) if (k in f) throw new UsageError(`rootgrad eval: --${k} is for GPT weights`);
  const data = (f.data as string) ?? saved?.train?.data;
  if (!data) throw new UsageError(`rootgrad eval: ${file} has no rootgrad metadata naming its data: give --data`);
  const trainedOn = saved?.train?.data;
  const split = (f.split as string) ?? (trainedOn === undefined || data === trainedOn ? 'test' : 'all');
  const testFraction = (f['test-fraction'] as number) ?? saved?.train?.testFraction ?? 0.2;
  const seed = (f.seed as number) ?? saved?.train?.seed ?? 0;
  const full = loadDataset(data);
  const parts = splitFor(full, testFraction, seed);
  let ds: Dataset = split === 'test' ? parts.test : full;
  const what = split === 'test' ? `the test split of ${data}` : `all ${ds.n} rows of ${data}`;

  let model: ModelConfig;
  let standardizer = saved?.standardizer;
  let source: string;
  if (f.config) {
    const c = readConfig(f.config as string);
    try {
      model = checkModelConfig(c.model);
    } catch (e) {
      throw new UsageError(`rootgrad eval: --config ${f.config}: ${(e as Error).message}`);
    }
    standardizer = c.standardizer ?? saved?.standardizer;
    source = `the model of ${f.config}`;
  } else if (f.model) {
    model = configureModel('eval', f.model as string, { features: full.features, classes: full.classes, name: data }, f);
    source = `--model ${f.model} from the flags`;
  } else if (saved) {
    model = checkModelConfig(saved.model);
    source = 'the metadata';
  } else {
    throw new UsageError(`rootgrad eval: ${file} has no rootgrad model metadata: give the model with --config model.json or --model and its flags (rootgrad inspect ${file} shows which built-in model the weights fit)`);
  }
  if (ds.features !== inputsOf(model)) throw new Error(`rootgrad eval: the model takes ${inputsOf(model)} features, ${data} has ${ds.features}`);
  let prep: string;
  if (standardizer) prep = 'standardised as saved';
  else if (f.raw) prep = 'raw features';
  else {
    standardizer = fitStandardizer(parts.train);
    prep = `standardised with the training split's statistics (test fraction ${testFraction}, seed ${seed})`;
  }
  if (standardizer) ds = standardize(ds, standardizer);
  const info = await init();
  const net = buildModel(model);
  try {
    loadWeights(net, tensors, file);
    const cfg: TrainConfig = { ...defaultTrainConfig, ...classifierSpec(model.kind).training(model), ...(saved?.train ?? {}) };
    const r = await evaluate(net, ds, cfg);
    const k = model.kind === 'logistic' ? 2 : model.classes;
    const cm = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    for (let i = 0; i < ds.n; i++) cm[ds.y[i]][r.predictions[i]]++;
    if (source !== 'the metadata') console.log(`model: ${model.kind} ${JSON.stringify(model)} (${source}); ${prep}; on ${adapterLine(info)}`);
    console.log(`accuracy ${(100 * r.accuracy).toFixed(2)}% on ${what}, cross-entropy ${r.crossEntropy.toFixed(4)}, loss ${r.loss.toFixed(4)} (${cfg.loss})`);
    console.log('confusion matrix (rows: true class, columns: predicted):');
    const w = Math.max(4, ...cm.flat().map((v) => String(v).length + 1));
    console.log('     ' + Array.from({ length: k }, (_, j) => String(j).padStart(w)).join(''));
    cm.forEach((row, i) => console.log(String(i).padStart(4) + ' ' + row.map((v) => String(v).padStart(w)).join('')));
    if (f.out) writeReport(f, cm, ds, saved?.classNames, { file, data, what, accuracy: r.accuracy, crossEntropy: r.crossEntropy, loss: r.loss, model });
  } finally {
    net.dispose();
  }
  return 0;
}

function writeReport(f: Parsed, cm: number[][], ds: Dataset, classNames: string[] | undefined, r: Record<string, unknown>): void {
  const out = f.out as string;
  mkdirSync(out, { recursive: true });
  const names = classNames?.length === cm.length ? classNames : ds.classNames?.length === cm.length ? ds.classNames : undefined;
  writeFileAtomic(join(out, 'confusion.svg'), confusionSvg(cm, names, `confusion matrix: ${r.what}`));
  writeFileAtomic(join(out, 'eval.json'), JSON.stringify({ ...r, confusion: cm, classNames: names ?? null }, null, 2) + '\n');
  console.log(`wrote ${join(out, 'confusion.svg')}, eval.json`);
}
