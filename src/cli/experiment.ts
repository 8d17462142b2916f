// rootgrad experiment: one model trained with each loss over several seeds (identical initialisation, data
// order, optimiser and schedule per seed); a markdown table, every curve as JSON, SVG plots of the means.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { init } from '../gpu.js';
import { defaultTrainConfig, type LossName, type TrainConfig } from '../train.js';
import { writeFileAtomic } from '../io/files.js';
import { bandSvg, runExperiment, summarize, summaryTable } from '../experiment.js';
import { classifierSpec, classifierSpecs } from '../../models/index.js';
import { configureModel, modelFlags, parseFlags, usage, UsageError, type Flags } from './flags.js';
import { adapterLine, prepare } from './common.js';
import { experimentGpt, gptTrainFlags } from './lm.js';
import { checkLoss, parseLossOptions } from './train.js';
import { rowLossScalars } from '../ops/linear_losses.js';

export const experimentFlags: Flags = {
  model: { kind: 'string', help: 'the classifier, or gpt (a character-level language model of --text, compared by validation cross-entropy, perplexity and accuracy)', choices: [...Object.keys(classifierSpecs), 'gpt'] },
  data: { kind: 'string', help: 'digits, breast-cancer, fashion-mnist, a folder of IDX files or FILE.csv' },
  losses: { kind: 'string', help: 'comma-separated arms (default ce,focal,rooted; bce,rooted for logistic; ce,rooted for gpt); any registered row loss by name too (e.g. defined by a file given to --import)' },
  'loss-options': { kind: 'string', help: "the registered row losses' scalars, e.g. eps=0.5 (each arm takes the ones it has)" },
  seeds: { kind: 'int', help: 'seeds per loss (default 5; 3 for gpt)', min: 1 },
  epochs: { kind: 'int', help: "epochs per run (default: the model's own)", min: 1 },
  batch: { kind: 'int', help: 'batch size (default 64)', min: 1 },
  lr: { kind: 'number', help: "learning rate, the same for every loss (default: the model's own)", min: Number.MIN_VALUE },
  k: { kind: 'number', help: 'rooted k (default 3; 2 for logistic)', min: Number.MIN_VALUE },
  m: { kind: 'number', help: 'rooted m (default 3)', min: Number.MIN_VALUE },
  'sweep-k': { kind: 'string', help: 'also run rooted with each k of a comma-separated list, e.g. 1,2,3,5,8' },
  target: { kind: 'number', help: 'test accuracy counted as reached (default 0.95)', min: 0 },
  ...modelFlags,
  'no-compile': { kind: 'bool', help: 'run every training step eagerly (steps are compiled by default: recorded once, replayed; the same bits)' },
  out: { kind: 'string', help: 'output folder (table.md, runs.json, *.svg)' },
  ...gptTrainFlags,
};

export const EXPERIMENT_HELP = usage('experiment', experimentFlags, 'Train one model with each loss for several seeds (identical initialisation, data order, optimiser and\nschedule per seed); write a markdown table, every curve as JSON and SVG plots of the mean curves.\nThe architecture and training defaults are the same as rootgrad train\'s (each model\'s own, from models/).\nWith --model gpt the arms are compared by validation cross-entropy, perplexity and accuracy (the GPT flags\nand defaults are rootgrad train --model gpt\'s).');

export async function experimentCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(EXPERIMENT_HELP);
    return 0;
  }
  const f = parseFlags('experiment', argv, experimentFlags);
  const modelKind = (f.model as string) ?? 'mlp';
  if (modelKind === 'gpt') return experimentGpt(f, argv);
  for (const k of Object.keys(gptTrainFlags)) if (k in f) throw new UsageError(`rootgrad experiment: --${k} is for --model gpt`);
  const data = (f.data as string) ?? (modelKind === 'logistic' ? 'breast-cancer' : 'digits');
  const binary = modelKind === 'logistic';
  const arms = ((f.losses as string) ?? (binary ? 'bce,rooted' : 'ce,focal,rooted')).split(',').map((x) => x.trim());
  const lossOptions = f['loss-options'] !== undefined ? parseLossOptions(f['loss-options'] as string) : {};
  const optionsOf = (loss: string) => (['ce', 'focal', 'rooted', 'bce'].includes(loss) ? {} : Object.fromEntries(Object.entries(lossOptions).filter(([k]) => rowLossScalars(loss).scalars.includes(k))));
  for (const a of arms) {
    if (binary && !['bce', 'rooted'].includes(a)) throw new UsageError(`rootgrad experiment: --losses for ${modelKind} are bce, rooted, got '${a}'`);
    checkLoss('experiment', modelKind, a);
  }
  const used = new Set(arms.flatMap((a) => Object.keys(optionsOf(a))));
  const unused = Object.keys(lossOptions).filter((k) => !used.has(k));
  if (unused.length) throw new UsageError(`rootgrad experiment: --loss-options ${unused.join(', ')}: no arm among ${arms.join(', ')} has such a scalar`);
  const { train, test } = prepare(data, 0.2, 0);
  const model = configureModel('experiment', modelKind, { features: train.features, classes: train.classes, name: data }, f);
  const given: Partial<TrainConfig> = {};
  for (const k of ['epochs', 'batch', 'lr', 'k', 'm'] as const) if (k in f) given[k] = f[k] as number;
  if (f['no-compile']) given.compile = false;
  const base: TrainConfig = { ...defaultTrainConfig, ...classifierSpec(modelKind).training(model), ...given };
  const { k, m } = base;
  const sweep = f['sweep-k'] ? (f['sweep-k'] as string).split(',').map(Number) : [];
  if (sweep.some((x) => !(x > 0))) throw new UsageError(`rootgrad experiment: --sweep-k must be positive numbers, got '${f['sweep-k']}'`);
  const armSpecs = [
    ...arms.map((loss) => {
      const own = optionsOf(loss);
      const label = loss === 'rooted' ? `rooted k=${k}${binary ? '' : ` m=${m}`}` : Object.keys(own).length ? `${loss} ${Object.entries(own).map(([a, v]) => `${a}=${v}`).join(' ')}` : loss;
      return { label, loss: loss as LossName, k, m, ...(Object.keys(own).length ? { lossOptions: own } : {}) };
    }),
    ...sweep.filter((x) => !(arms.includes('rooted') && x === k)).map((x) => ({ label: `rooted k=${x}${binary ? '' : ` m=${m}`}`, loss: 'rooted' as LossName, k: x, m })),
  ];
  const seeds = Array.from({ length: (f.seeds as number) ?? 5 }, (_, i) => i);
  const target = (f.target as number) ?? 0.95;
  const out = (f.out as string) ?? join('runs', `experiment-${modelKind}-${data.replace(/[^\w.-]+/g, '_')}`);
  const info = await init();
  console.log(`rootgrad experiment: ${modelKind} on ${data}, arms ${armSpecs.map((a) => a.label).join(' | ')}, ${seeds.length} seeds, ${base.epochs} epochs, lr ${base.lr}, on ${adapterLine(info)}`);
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
