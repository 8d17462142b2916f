// The GPT's side of the command: `train --model gpt` (checkpoints at every evaluation and on SIGINT/SIGTERM,
// --resume), `eval --weights GPT --text FILE` and `experiment --model gpt`. Every evaluation reports the
// common metric (validation cross-entropy, perplexity, top-1 accuracy) whatever the training loss.
import { accessSync, constants, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { init } from '../gpu.js';
import { save, writeFileAtomic } from '../io/files.js';
import { mem } from '../tensor.js';
import { Generator } from '../random.js';
import { decode, encode, lmCheckpointBytes, lmDefaults, lmEvaluate, lmSplit, LM_VAL_FRACTION, reverseTask, trainLM, type LmCheckpoint, type LmConfig, type LmLog, type LmSplit } from '../lm.js';
import { lmBandSvg, lmCurvesSvg, lmSummaryTable, runLmExperiment, summarizeLm } from '../lm-experiment.js';
import { gptDefaults, GPT, checkGpt, type GptConfig } from '../../models/index.js';
import { UsageError, type Flags, type Parsed } from './flags.js';
import { adapterLine, autotuneFor, loadWeights } from './common.js';
import type { HostTensor } from '../io/safetensors.js';

const d = gptDefaults;

/** The flags only the GPT takes (train's table has them; its help lists them under their own heading). */
export const gptTrainFlags: Flags = {
  text: { kind: 'string', help: 'a text file to model, character by character (its last 10% held out for validation)' },
  'val-text': { kind: 'string', help: 'validate on this text instead (the whole --text trains)' },
  'val-tokens': { kind: 'int', help: 'validation targets per evaluation: evenly spaced whole windows (default: every one of the held-out split)', min: 1 },
  task: { kind: 'string', help: 'without --text: the built-in synthetic task (the default)', choices: ['reverse'] },
  context: { kind: 'int', help: `context length (default ${d.context.task} for the task, ${d.context.text} for text)`, min: 2 },
  steps: { kind: 'int', help: `training steps (default ${d.steps})`, min: 1 },
  'eval-every': { kind: 'int', help: `steps between evaluations and checkpoints (default ${d.evalEvery})`, min: 1 },
  head: { kind: 'string', help: 'the tied head and the loss: fused (linear + loss in one op, the logits never written; default) or plain (logits, then the loss)', choices: ['fused', 'plain'] },
};

/** What the GPT's shared flags default to (printed in train --help). */
export const GPT_DEFAULTS_HELP = `GPT defaults for the shared flags: --loss ce, --dim ${d.dim}, --heads ${d.heads}, --layers ${d.layers}, --dropout ${d.dropout}, --batch ${d.batch},
--lr ${d.lr}, --optimizer adamw (--weight-decay 0.01 on every parameter; 0 for adam and sgd), --momentum 0.9 (sgd),
--schedule cosine, --warmup min(100, steps/10), --clip 1, --k 3 --m 3, --seed 0, --test-fraction ${LM_VAL_FRACTION} (the held-out tail).
Every evaluation prints and logs validation cross-entropy, perplexity and top-1 accuracy whatever --loss,
beside the loss in its own units; a checkpoint is written at each evaluation and on Ctrl-C / SIGTERM.`;

/** Flags a GPT run refuses, and why. */
const NOT_FOR_GPT: Record<string, string> = {
  data: 'give the text with --text FILE',
  limit: 'the GPT trains on random windows of the whole text',
  epochs: 'a GPT trains for --steps',
  hidden: 'not an option of the GPT (it takes --dim, --heads, --layers, --dropout)',
  activation: 'not an option of the GPT (it takes --dim, --heads, --layers, --dropout)',
  patch: 'not an option of the GPT (it takes --dim, --heads, --layers, --dropout)',
  channels: 'not an option of the GPT (it takes --dim, --heads, --layers, --dropout)',
  width: 'not an option of the GPT (it takes --dim, --heads, --layers, --dropout)',
  blocks: 'not an option of the GPT (it takes --dim, --heads, --layers, --dropout)',
  'loss-options': 'the GPT trains with --loss ce, focal or rooted, whose scalars are --k, --m, --alpha, --gamma',
};

export function readText(path: string, what = 'text file'): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${what} '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** An output folder that exists and is writable, made before any training (a bad --out fails at once). */
export function prepareOut(cmd: string, out: string): void {
  try {
    mkdirSync(out, { recursive: true });
    accessSync(out, constants.W_OK);
  } catch (e) {
    throw new UsageError(`rootgrad ${cmd}: --out ${out}: cannot write there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

interface GptSetup {
  config: GptConfig;
  data: LmSplit;
  cfg: Required<LmConfig>;
  source: string;
  /** What identifies the data (checked on --resume). */
  fingerprint: string;
}

/** FNV-1a over the vocabulary and the ids: a changed text is caught on --resume. */
function fingerprint(data: LmSplit): string {
  let h = 0x811c9dc5;
  for (const ids of [Int32Array.from(data.vocab, (c) => c.codePointAt(0)!), data.train, data.val]) for (const v of ids) h = Math.imul(h ^ v, 0x01000193) >>> 0;
  return JSON.stringify({ vocab: data.vocab.length, train: data.train.length, val: data.val.length, fnv1a: h.toString(16) });
}

/** The model, data and settings of a GPT run from the flags (`cmd` names the command in errors). */
export function gptSetup(cmd: string, f: Parsed, loss: LmConfig['loss']): GptSetup {
  for (const [k, why] of Object.entries(NOT_FOR_GPT)) if (k in f) throw new UsageError(`rootgrad ${cmd}: --${k} is not used by --model gpt: ${why}`);
  if (f.text && f.task) throw new UsageError(`rootgrad ${cmd}: give --text FILE or --task, not both`);
  if (f['val-text'] && !f.text) throw new UsageError(`rootgrad ${cmd}: --val-text goes with --text`);
  if (f['val-text'] && 'test-fraction' in f) throw new UsageError(`rootgrad ${cmd}: --val-text replaces the held-out split: drop --test-fraction`);
  const optimizer = ((f.optimizer as string) ?? 'adamw') as LmConfig['optimizer'];
  if (!['adam', 'adamw', 'sgd'].includes(optimizer)) throw new UsageError(`rootgrad ${cmd}: --model gpt uses --optimizer adam, adamw or sgd, got '${optimizer}'`);
  if ('momentum' in f && optimizer !== 'sgd') throw new UsageError(`rootgrad ${cmd}: --momentum is for --optimizer sgd, not ${optimizer}`);
  const fraction = (f['test-fraction'] as number) ?? LM_VAL_FRACTION;
  if (fraction >= 1) throw new UsageError(`rootgrad ${cmd}: --test-fraction must be below 1, got ${fraction}`);
  let text: string;
  let source: string;
  if (f.text) {
    text = readText(f.text as string);
    source = f.text as string;
  } else {
    text = reverseTask(3000, 6, (f.seed as number) ?? 0);
    source = 'the built-in task: reverse 6-digit strings (lines like 123456>654321;)';
  }
  const context = (f.context as number) ?? (f.text ? d.context.text : d.context.task);
  const valText = f['val-text'] ? readText(f['val-text'] as string, 'validation text') : undefined;
  let data: LmSplit;
  try {
    data = lmSplit(text, context, { valText, fraction });
  } catch (e) {
    throw new UsageError(`rootgrad ${cmd}: ${source}: ${(e as Error).message}`);
  }
  const config: GptConfig = { kind: 'gpt', vocab: data.vocab.length, context, dim: (f.dim as number) ?? d.dim, heads: (f.heads as number) ?? d.heads, layers: (f.layers as number) ?? d.layers, dropout: (f.dropout as number) ?? d.dropout };
  try {
    checkGpt(config);
  } catch (e) {
    throw new UsageError(`rootgrad ${cmd}: ${(e as Error).message}`);
  }
  const given = <T>(flag: string): T | undefined => f[flag] as T | undefined;
  const cfg = lmDefaults({
    steps: given<number>('steps') ?? d.steps,
    batch: given<number>('batch') ?? d.batch,
    lr: given<number>('lr') ?? d.lr,
    loss,
    k: given<number>('k') ?? 3,
    m: given<number>('m') ?? 3,
    alpha: given('alpha'),
    gamma: given('gamma'),
    seed: given<number>('seed') ?? 0,
    optimizer,
    evalEvery: given<number>('eval-every') ?? d.evalEvery,
    weightDecay: given('weight-decay'),
    momentum: given('momentum'),
    schedule: given('schedule'),
    warmup: given('warmup'),
    clip: given('clip'),
    valTokens: given('val-tokens'),
    head: given('head'),
    compile: !f['no-compile'],
  });
  if (cfg.warmup > cfg.steps) throw new UsageError(`rootgrad ${cmd}: --warmup ${cfg.warmup} is longer than --steps ${cfg.steps}`);
  if (valText) source += ` (validated on ${f['val-text']})`;
  return { config, data, cfg, source, fingerprint: fingerprint(data) };
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** One evaluation as stdout prints it: the training window's loss in its own units, then the common metric. */
export function lmLogLine(l: LmLog, steps: number, loss: string): string {
  return `step ${l.step}/${steps}  train ${loss} (mean of steps ${l.trainFrom}-${l.step}) ${l.trainLoss.toFixed(4)}  val cross-entropy ${l.valCrossEntropy.toFixed(4)}  perplexity ${l.valPerplexity.toFixed(2)}  accuracy ${(100 * l.valAccuracy).toFixed(2)}%${loss === 'ce' ? '' : `  val ${loss} ${l.valLoss.toFixed(4)}`}  ${Math.round(l.tokensPerSecond)} tok/s  ${l.seconds.toFixed(1)} s`;
}

/** rootgrad train --model gpt (flagsToSave: what a checkpoint records for --resume). */
export async function trainGpt(f: Parsed, resume?: { checkpoint: LmCheckpoint; metadata: Record<string, string>; path: string }): Promise<number> {
  const loss = ((f.loss as string) ?? 'ce') as LmConfig['loss'];
  if (!['ce', 'focal', 'rooted'].includes(loss)) throw new UsageError(`rootgrad train: --model gpt trains with --loss ce, focal or rooted, got '${loss}'`);
  const { config, data, cfg, source, fingerprint: fp } = gptSetup('train', f, loss);
  if (resume && resume.metadata.data !== fp) throw new Error(`cannot resume: the text is not the one the checkpoint was trained on (now ${fp}, then ${resume.metadata.data})`);
  const out = (f.out as string) ?? join('runs', `gpt-${f.text ? 'text' : 'reverse'}-${loss}`);
  prepareOut('train', out);
  const quiet = !!f.quiet;
  const flagsToSave = { ...f };
  delete flagsToSave.out;
  delete flagsToSave.quiet;
  const info = await init();
  await autotuneFor(!!f.autotune, quiet);
  const validation = cfg.valTokens && cfg.valTokens < data.val.length - 1 ? `a sample of about ${cfg.valTokens} of its ${data.val.length - 1} targets` : `all ${data.val.length - 1} targets`;
  if (!quiet) {
    console.log(`rootgrad: gpt (${config.layers} blocks, width ${config.dim}, ${config.heads} heads, context ${config.context}, vocabulary ${config.vocab}) on ${source} (${data.train.length} training / ${data.val.length} held-out characters; validation on ${validation}), loss ${loss}${loss === 'rooted' ? ` k=${cfg.k} m=${cfg.m}` : ''}, ${cfg.steps} steps of batch ${cfg.batch}, ${cfg.optimizer} lr ${cfg.lr} (${cfg.schedule}, warm-up ${cfg.warmup}, weight decay ${cfg.weightDecay}, clip ${cfg.clip || 'off'}), ${cfg.head} head, on ${adapterLine(info)}`);
    if (resume) console.log(`resuming after step ${resume.checkpoint.step} from ${resume.path}`);
  }
  const ckptPath = join(out, 'checkpoint.safetensors');
  let signal: NodeJS.Signals | null = null;
  const onSignal = (s: NodeJS.Signals) => {
    if (signal) process.exit(s === 'SIGINT' ? 130 : 143); // a second signal: stop without waiting
    signal = s;
    if (!quiet) console.log(`${s}: stopping after this step; writing ${ckptPath}`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  mem.peakBytes = mem.liveBytes;
  let result;
  try {
    result = await trainLM(
      config,
      data,
      cfg,
      {
        onLog: (l) => {
          if (!quiet) console.log(lmLogLine(l, cfg.steps, loss));
        },
        onCheckpoint: async (c) => writeFileAtomic(ckptPath, await lmCheckpointBytes(c, { flags: JSON.stringify(flagsToSave), data: fp })),
        shouldStop: () => signal !== null,
      },
      resume?.checkpoint,
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const { model, history, step, stopped } = result;
  try {
    if (stopped) {
      console.log(`stopped by ${signal} after step ${step} of ${cfg.steps}; wrote ${ckptPath}; continue with: rootgrad train --resume ${out}`);
      return signal === 'SIGTERM' ? 143 : 130;
    }
    const last = history[history.length - 1];
    const meta = { model: JSON.stringify(config), vocab: JSON.stringify(data.vocab), train: JSON.stringify({ ...cfg, source, text: f.text ?? null, valText: f['val-text'] ?? null, testFraction: f['val-text'] ? null : ((f['test-fraction'] as number) ?? LM_VAL_FRACTION) }) };
    await save(model, join(out, 'model.safetensors'), meta);
    writeFileAtomic(join(out, 'log.json'), JSON.stringify({ model: config, config: { ...cfg, source, text: f.text ?? null, valText: f['val-text'] ?? null, testFraction: f['val-text'] ? null : ((f['test-fraction'] as number) ?? LM_VAL_FRACTION), trainCharacters: data.train.length, heldOutCharacters: data.val.length }, adapter: info, seconds: last.seconds, peakBytes: mem.peakBytes, history }, null, 2) + '\n');
    writeFileAtomic(join(out, 'curves.svg'), lmCurvesSvg(history, loss, `gpt on ${f.text ?? 'the reverse task'}, ${loss} loss`));
    if (!f.text) console.log(`reverse task: ${await reverseScore(model, data.vocab)}`);
    console.log(
      `after ${cfg.steps} steps: validation cross-entropy ${last.valCrossEntropy.toFixed(4)} (perplexity ${last.valPerplexity.toFixed(2)}, accuracy ${(100 * last.valAccuracy).toFixed(2)}%, ${last.valTokens} targets)${loss === 'ce' ? '' : `, validation ${loss} loss ${last.valLoss.toFixed(4)}`}; train ${loss} ${last.trainLoss.toFixed(4)} (mean of steps ${last.trainFrom}-${last.step}); ${Math.round(last.tokensPerSecond)} tokens/s, peak memory ${mib(mem.peakBytes)}, ${last.seconds.toFixed(1)} s; wrote ${join(out, 'model.safetensors')}, log.json, curves.svg`,
    );
    return 0;
  } finally {
    model.dispose();
  }
}

/** The reverse task's own check: greedy completions of fresh prompts, exact matches counted. */
async function reverseScore(model: GPT, vocab: string[]): Promise<string> {
  const g = new Generator(12345);
  let correct = 0;
  let example = '';
  const trials = 20;
  for (let i = 0; i < trials; i++) {
    const digits = Array.from({ length: 6 }, () => String(g.int(10))).join('');
    const got = decode(vocab, await model.generate(encode(vocab, `${digits}>`), 6, { temperature: 0 }));
    if (got === [...digits].reverse().join('')) correct++;
    if (i === 0) example = `${digits}>${got}`;
  }
  return `${correct}/${trials} fresh strings reversed exactly (e.g. ${example})`;
}

/** rootgrad eval on GPT weights: the common metric on --text (every character predicted from the ones
 * before it, in non-overlapping windows of the context), and the loss the model was trained with. */
export async function evalGpt(f: Parsed, file: string, tensors: Record<string, HostTensor>, metadata: Record<string, string>): Promise<number> {
  for (const k of ['data', 'split', 'config', 'model', 'raw', 'test-fraction', 'seed']) if (k in f) throw new UsageError(`rootgrad eval: --${k} is for classifiers; ${file} is a GPT (give --text FILE)`);
  if (!f.text) throw new UsageError(`rootgrad eval: ${file} is a GPT: give --text FILE to measure it on (rootgrad generate continues a prompt)`);
  const config = JSON.parse(metadata.model) as GptConfig;
  const vocab = JSON.parse(metadata.vocab ?? 'null') as string[] | null;
  if (!vocab) throw new UsageError(`rootgrad eval: ${file} has no vocabulary in its metadata`);
  const train = JSON.parse(metadata.train ?? '{}') as Partial<LmConfig>;
  const text = readText(f.text as string);
  let ids: Int32Array;
  try {
    ids = Int32Array.from(encode(vocab, text));
  } catch (e) {
    throw new Error(`${f.text}: ${(e as Error).message}`);
  }
  if (ids.length < 2) throw new UsageError(`rootgrad eval: ${f.text} needs at least 2 characters`);
  const info = await init();
  const model = new GPT(config);
  try {
    loadWeights(model, tensors, file);
    const loss = train.loss ?? 'ce';
    const r = await lmEvaluate(model, ids, { loss, k: train.k ?? 3, m: train.m ?? 3, alpha: train.alpha, gamma: train.gamma }, { tokens: f.tokens as number | undefined });
    console.log(`${f.text}: cross-entropy ${r.crossEntropy.toFixed(4)} nats/char, perplexity ${r.perplexity.toFixed(2)}, accuracy ${(100 * r.accuracy).toFixed(2)}% over ${r.tokens} characters${loss === 'ce' ? '' : `; ${loss} loss ${r.loss.toFixed(4)} (the training loss's units)`}; on ${adapterLine(info)}`);
    if (f.out) {
      prepareOut('eval', f.out as string);
      writeFileAtomic(join(f.out as string, 'eval.json'), JSON.stringify({ file, text: f.text, ...r, loss: { name: loss, value: r.loss } }, null, 2) + '\n');
      console.log(`wrote ${join(f.out as string, 'eval.json')}`);
    }
  } finally {
    model.dispose();
  }
  return 0;
}

/** rootgrad experiment --model gpt: each loss over seeds, compared by the common metric. */
export async function experimentGpt(f: Parsed, argv: string[]): Promise<number> {
  const arms = ((f.losses as string) ?? 'ce,rooted').split(',').map((x) => x.trim());
  for (const a of arms) if (!['ce', 'focal', 'rooted'].includes(a)) throw new UsageError(`rootgrad experiment: --losses for gpt are ce, focal, rooted, got '${a}'`);
  if ('sweep-k' in f || 'target' in f) throw new UsageError(`rootgrad experiment: --${'sweep-k' in f ? 'sweep-k' : 'target'} is for classifiers`);
  const { config, data, cfg, source } = gptSetup('experiment', f, 'ce');
  const seeds = Array.from({ length: (f.seeds as number) ?? 3 }, (_, i) => i);
  const out = (f.out as string) ?? join('runs', `experiment-gpt-${f.text ? 'text' : 'reverse'}`);
  prepareOut('experiment', out);
  const armSpecs = arms.map((loss) => ({ label: loss === 'rooted' ? `rooted k=${cfg.k} m=${cfg.m}` : loss, loss: loss as LmConfig['loss'] }));
  const info = await init();
  console.log(`rootgrad experiment: gpt (${config.layers} blocks, width ${config.dim}, ${config.heads} heads, context ${config.context}, vocabulary ${config.vocab}) on ${source} (${data.train.length} training / ${data.val.length} held-out characters), arms ${armSpecs.map((a) => a.label).join(' | ')}, ${seeds.length} seeds, ${cfg.steps} steps of batch ${cfg.batch}, ${cfg.optimizer} lr ${cfg.lr}, on ${adapterLine(info)}`);
  const runs = await runLmExperiment({ model: config, data, base: cfg, arms: armSpecs, seeds }, (r) => {
    const l = r.history[r.history.length - 1];
    console.log(`  seed ${r.seed} ${r.label}: val cross-entropy ${l.valCrossEntropy.toFixed(4)}, perplexity ${l.valPerplexity.toFixed(2)}, accuracy ${(100 * l.valAccuracy).toFixed(2)}% (${l.seconds.toFixed(0)} s)`);
  });
  const table = lmSummaryTable(summarizeLm(runs));
  const cmd = `rootgrad experiment ${argv.join(' ')}`.trim();
  const what = `gpt (${config.layers} blocks, width ${config.dim}, ${config.heads} heads, context ${config.context}) on ${source}, ${seeds.length} seeds, ${cfg.steps} steps of batch ${cfg.batch}, ${cfg.optimizer} lr ${cfg.lr} (${cfg.schedule}, warm-up ${cfg.warmup}, weight decay ${cfg.weightDecay}, clip ${cfg.clip || 'off'}), ${cfg.head} head; validation on ${data.val.length - 1} held-out targets${cfg.valTokens ? ` (sampled: about ${cfg.valTokens})` : ''}; adapter ${info.description || info.vendor}.`;
  writeFileAtomic(join(out, 'table.md'), `${what}\nCommand: \`${cmd}\`\n\n${table}`);
  writeFileAtomic(join(out, 'runs.json'), JSON.stringify({ command: cmd, model: config, base: cfg, source, runs }, null, 2) + '\n');
  writeFileAtomic(join(out, 'val-cross-entropy.svg'), lmBandSvg(runs, 'valCrossEntropy', `gpt on ${f.text ?? 'the reverse task'}: validation cross-entropy`));
  writeFileAtomic(join(out, 'val-accuracy.svg'), lmBandSvg(runs, 'valAccuracy', `gpt on ${f.text ?? 'the reverse task'}: validation accuracy`));
  writeFileAtomic(join(out, 'train-loss.svg'), lmBandSvg(runs, 'trainLoss', `gpt on ${f.text ?? 'the reverse task'}: training loss (each its own units)`));
  console.log(`\n${table}\nwrote ${join(out, 'table.md')}, runs.json, val-cross-entropy.svg, val-accuracy.svg, train-loss.svg`);
  return 0;
}

