// Character-level language modelling for the GPT model: a vocabulary from the text, a held-out split that
// never overlaps a training window, seeded random windows as batches, one metric for every loss
// (validation cross-entropy, perplexity and top-1 accuracy beside the loss in its own units), checkpoints
// from which a run resumes bit for bit, and a built-in synthetic task (reversing digit strings).
import { keep, mem, noGrad, tidy, Tensor } from './tensor.js';
import { compile } from './compile.js';
import { fromHost } from './creation.js';
import { manualSeed, Generator, globalGenerator } from './random.js';
import { add } from './ops/binary.js';
import { argmax } from './ops/reduce.js';
import { reshape } from './ops/movement.js';
import { Adam, AdamW, SGD, type Optimizer, type OptimizerState } from './optim/optimizer.js';
import { scheduleFor } from './optim/schedule.js';
import { checkpointBytes, checkpointFrom, lossFor } from './train.js';
import type { StateValue } from './nn/module.js';
import { GPT, type GptConfig } from '../models/gpt.js';
import { checkOptions } from './options.js';

export interface Corpus {
  vocab: string[];
  ids: Int32Array;
}

/** The sorted distinct characters of the texts, and the first text's ids. */
export function buildCorpus(text: string, ...others: string[]): Corpus {
  if (text.length < 2) throw new Error('text: need at least 2 characters to train on');
  const vocab = [...new Set([text, ...others].join(''))].sort();
  if (vocab.length > 4096) throw new Error(`text: ${vocab.length} distinct characters; a character-level model takes at most 4096`);
  const index = new Map(vocab.map((c, i) => [c, i]));
  return { vocab, ids: Int32Array.from(text, (c) => index.get(c)!) };
}

export function encode(vocab: string[], s: string): number[] {
  const index = new Map(vocab.map((c, i) => [c, i]));
  return Array.from(s, (c) => {
    const i = index.get(c);
    if (i === undefined) throw new Error(`the character ${JSON.stringify(c)} is not in the model's vocabulary`);
    return i;
  });
}

export const decode = (vocab: string[], ids: number[]) => ids.map((i) => vocab[i]).join('');

/** The synthetic task: lines "d1..dn>dn..d1;" for random digit strings (the model learns to reverse). */
export function reverseTask(lines: number, digits: number, seed: number): string {
  const g = new Generator(seed);
  let out = '';
  for (let i = 0; i < lines; i++) {
    const s = Array.from({ length: digits }, () => String(g.int(10))).join('');
    out += `${s}>${[...s].reverse().join('')};`;
  }
  return out;
}

/** A language model's data: the vocabulary, the training ids and the held-out ids (disjoint: the training
 * windows are drawn inside `train`, the validation windows inside `val`). */
export interface LmSplit {
  vocab: string[];
  train: Int32Array;
  val: Int32Array;
}

/** The held-out share of a text when no validation text is given. */
export const LM_VAL_FRACTION = 0.1;

/** The shortest text whose held-out share (`fraction`, the tail) holds one whole window of `context`
 * characters and its next-character targets, and whose training part holds more than one. */
export function minTextLength(context: number, fraction = LM_VAL_FRACTION): number {
  const fits = (n: number) => n - Math.floor(n * (1 - fraction)) >= context + 1 && Math.floor(n * (1 - fraction)) > context + 1;
  let n = Math.ceil((context + 1) / fraction);
  while (n > context + 2 && fits(n - 1)) n--;
  while (!fits(n)) n++;
  return n;
}

/** The training and held-out ids of a text: its tail (`fraction`) is held out, or, with `valText`, the whole
 * text trains and `valText` validates (the vocabulary covers both). A text too short for a held-out window
 * of `context` characters is refused with the length it needs. */
export function lmSplit(text: string, context: number, opts: { valText?: string; fraction?: number } = {}): LmSplit {
  checkOptions('lmSplit', opts, ['valText', 'fraction']);
  const fraction = opts.fraction ?? LM_VAL_FRACTION;
  if (!(fraction > 0 && fraction < 1)) throw new Error(`text: the held-out fraction must be in (0, 1), got ${fraction}`);
  if (opts.valText !== undefined) {
    const { vocab, ids } = buildCorpus(text, opts.valText);
    if (ids.length <= context + 1) throw new Error(`text: ${ids.length} characters are too few to train a context of ${context} (need at least ${context + 2})`);
    if (opts.valText.length < context + 1) throw new Error(`validation text: ${opts.valText.length} characters are too few for one window of the context ${context} (need at least ${context + 1})`);
    return { vocab, train: ids, val: Int32Array.from(encode(vocab, opts.valText)) };
  }
  const { vocab, ids } = buildCorpus(text);
  const need = minTextLength(context, fraction);
  if (ids.length < need)
    throw new Error(`text: ${ids.length} characters are too short for a held-out split with a context of ${context}: the last ${fraction * 100}% must hold ${context + 1} characters, so the text needs at least ${need} (or give a validation text, or a shorter context)`);
  const split = Math.floor(ids.length * (1 - fraction));
  return { vocab, train: ids.subarray(0, split), val: ids.subarray(split) };
}

export interface LmConfig {
  steps: number;
  batch: number;
  lr: number;
  loss: 'ce' | 'focal' | 'rooted';
  k: number;
  m: number;
  /** Focal loss alpha and gamma (defaults 0.25 and 3). */
  alpha?: number;
  gamma?: number;
  seed: number;
  optimizer: 'adam' | 'adamw' | 'sgd';
  evalEvery: number;
  /** Weight decay on every parameter (default 0.01 for AdamW, decoupled; 0 for Adam and SGD). */
  weightDecay?: number;
  /** SGD momentum (default 0.9). */
  momentum?: number;
  /** Learning-rate schedule after the warm-up (default cosine to 0 at the last step); onecycle: PyTorch's
   * OneCycleLR peaking at lr (no separate warm-up). */
  schedule?: 'cosine' | 'constant' | 'onecycle';
  /** Linear warm-up steps (default min(100, steps / 10)). */
  warmup?: number;
  /** Clip gradients to this global norm (default 1; 0: off). */
  clip?: number;
  /** Validation targets per evaluation (default: every one of the held-out split). */
  valTokens?: number;
  /** The tied head and the loss fused (linear + loss, the logits never written; default) or plain. */
  head?: 'fused' | 'plain';
  /** Compiled training steps (rg.compile; the same bits as eager). Default true. */
  compile?: boolean;
}

/** The keys of LmConfig, for checkOptions. */
const LM_CONFIG_KEYS = ['steps', 'batch', 'lr', 'loss', 'k', 'm', 'alpha', 'gamma', 'seed', 'optimizer', 'evalEvery', 'weightDecay', 'momentum', 'schedule', 'warmup', 'clip', 'valTokens', 'head', 'compile'];

/** The settings a run uses: `cfg` with every default filled in (what log.json records). */
export function lmDefaults(cfg: LmConfig): Required<LmConfig> {
  return {
    alpha: 0.25,
    gamma: 3,
    weightDecay: cfg.optimizer === 'adamw' ? 0.01 : 0,
    momentum: 0.9,
    schedule: 'cosine',
    warmup: cfg.schedule === 'onecycle' ? 0 : Math.min(100, Math.floor(cfg.steps / 10)),
    clip: 1,
    valTokens: 0,
    head: 'fused',
    compile: true,
    ...Object.fromEntries(Object.entries(cfg).filter(([, v]) => v !== undefined)),
  } as Required<LmConfig>;
}

/** The common metric of a model on some ids, and the loss in the run's own units. */
export interface LmMetrics {
  /** Mean loss per target in the run's own loss (ce, focal or rooted). */
  loss: number;
  /** Mean cross-entropy per target, nats. */
  crossEntropy: number;
  /** exp(crossEntropy). */
  perplexity: number;
  /** Share of targets that are the model's most likely next character. */
  accuracy: number;
  /** Targets counted. */
  tokens: number;
}

type LossSettings = Pick<LmConfig, 'loss' | 'k' | 'm' | 'alpha' | 'gamma'>;

/** The windows evaluated on `ids`: non-overlapping whole windows of the context, each target (every id but
 * the first) counted once, the remainder as one shorter window. With `tokens` below the split's size,
 * ceil(tokens / context) whole windows evenly spaced over the split (a documented sample). */
export function evaluationWindows(n: number, context: number, tokens = 0): { start: number; length: number }[] {
  const targets = n - 1;
  if (targets < 1) return [];
  const whole = Math.floor(targets / context);
  if (tokens > 0 && tokens < targets && whole > 0) {
    const w = Math.min(whole, Math.ceil(tokens / context));
    return Array.from({ length: w }, (_, i) => ({ start: Math.floor((i * whole) / w) * context, length: context }));
  }
  const out = Array.from({ length: whole }, (_, i) => ({ start: i * context, length: context }));
  if (targets > whole * context) out.push({ start: whole * context, length: targets - whole * context });
  return out;
}

/** Validation cross-entropy, perplexity and top-1 accuracy of next-character prediction over `ids` (and the
 * loss in `cfg`'s units), from the logits of non-overlapping windows (evaluationWindows), without dropout. */
export async function lmEvaluate(model: GPT, ids: Int32Array, cfg: LossSettings, opts: { tokens?: number } = {}): Promise<LmMetrics> {
  checkOptions('lmEvaluate', opts, ['tokens']);
  const T = model.config.context;
  const V = model.config.vocab;
  const wins = evaluationWindows(ids.length, T, opts.tokens);
  if (!wins.length) throw new Error(`lmEvaluate: ${ids.length} ids hold no next-character target`);
  const perBatch = Math.max(1, Math.min(32, Math.floor(2 ** 22 / (T * V)))); // logits of at most 16 MiB
  const wasTraining = model.training;
  model.eval();
  let ce = 0;
  let own = 0;
  let correct = 0;
  let count = 0;
  try {
    for (let i = 0; i < wins.length; ) {
      const L = wins[i].length;
      const group: number[] = [];
      while (i < wins.length && wins[i].length === L && group.length < perBatch) group.push(wins[i++].start);
      const B = group.length;
      const x = new Int32Array(B * L);
      const y = new Int32Array(B * L);
      group.forEach((s, b) => {
        x.set(ids.subarray(s, s + L), b * L);
        y.set(ids.subarray(s + 1, s + L + 1), b * L);
      });
      const xt = fromHost(x, [B, L], 'i32');
      const yt = fromHost(y, [B * L], 'i32');
      const outs = noGrad(() =>
        tidy(() => {
          const logits = reshape(model.forward(xt), [B * L, V]);
          const sums = [lossFor({ ...cfg, alpha: cfg.alpha ?? 0.25, gamma: cfg.gamma ?? 3, loss: 'ce' }, false, logits, yt, 'sum')];
          if (cfg.loss !== 'ce') sums.push(lossFor({ ...cfg, alpha: cfg.alpha ?? 0.25, gamma: cfg.gamma ?? 3 }, false, logits, yt, 'sum'));
          return [...sums, argmax(logits, -1)];
        }),
      );
      outs.forEach((t) => keep(t));
      const ceSum = await outs[0].item();
      ce += ceSum;
      own += cfg.loss === 'ce' ? ceSum : await outs[1].item();
      const pred = (await outs[outs.length - 1].data()) as Int32Array;
      for (let j = 0; j < y.length; j++) if (pred[j] === y[j]) correct++;
      count += y.length;
      for (const t of [...outs, xt, yt]) t.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
  return { loss: own / count, crossEntropy: ce / count, perplexity: Math.exp(ce / count), accuracy: correct / count, tokens: count };
}

export interface LmLog {
  step: number;
  lr: number;
  /** Mean training loss (the run's own loss) over steps trainFrom..step. */
  trainLoss: number;
  trainFrom: number;
  /** Validation loss in the run's own units, and the common metric (cross-entropy in nats per token). */
  valLoss: number;
  valCrossEntropy: number;
  valPerplexity: number;
  valAccuracy: number;
  valTokens: number;
  /** Seconds since the run began (training and validation), and training tokens per second of training. */
  seconds: number;
  tokensPerSecond: number;
  /** Peak bytes of live tensors so far. */
  peakBytes: number;
}

/** Everything a GPT run needs to go on from a step: weights, optimiser state (and step count), the batch
 * generator and the global one (dropout), the running training-loss sum since the last evaluation. */
export interface LmCheckpoint {
  step: number;
  model: Record<string, StateValue>;
  optimizer: OptimizerState;
  batches: number[];
  global: number[];
  trainLossSum: number;
  trainSteps: number;
  seconds: number;
  trainSeconds: number;
  history: LmLog[];
}

/** An LM checkpoint as safetensors bytes: the classifier checkpoint's layout (model.*, optim.<i>.<slot>),
 * the LM's position in the metadata entry 'lm'. */
export async function lmCheckpointBytes(c: LmCheckpoint, extra: Record<string, string> = {}): Promise<Uint8Array> {
  const { step, trainLossSum, trainSteps, seconds, trainSeconds, history } = c;
  return checkpointBytes({ model: c.model, optimizer: c.optimizer, shuffler: c.batches, global: c.global, history: [] }, { ...extra, lm: JSON.stringify({ step, trainLossSum, trainSteps, seconds, trainSeconds, history }) });
}

export function lmCheckpointFrom(bytes: Uint8Array, source: string): { checkpoint: LmCheckpoint; metadata: Record<string, string> } {
  const { checkpoint: c, metadata } = checkpointFrom(bytes, source);
  if (!metadata.lm) throw new Error(`${source}: not a language-model checkpoint`);
  const lm = JSON.parse(metadata.lm);
  return { checkpoint: { ...lm, model: c.model, optimizer: c.optimizer, batches: c.shuffler, global: c.global }, metadata };
}

export function lmOptimizer(model: GPT, cfg: Required<LmConfig>): Optimizer {
  const params = model.parameters();
  if (cfg.optimizer === 'sgd') return new SGD(params, { lr: cfg.lr, momentum: cfg.momentum, weightDecay: cfg.weightDecay });
  if (cfg.optimizer === 'adamw') return new AdamW(params, { lr: cfg.lr, weightDecay: cfg.weightDecay });
  return new Adam(params, { lr: cfg.lr, weightDecay: cfg.weightDecay });
}

export interface LmHooks {
  /** After every evaluation. */
  onLog?: (l: LmLog) => void;
  /** After every evaluation, and when shouldStop() stops the run. */
  onCheckpoint?: (c: LmCheckpoint) => Promise<void> | void;
  /** Asked after every step: true ends the run there (with a checkpoint), e.g. on SIGINT. */
  shouldStop?: () => boolean;
}

export interface LmResult {
  model: GPT;
  history: LmLog[];
  /** The last step run; below cfg.steps when shouldStop() ended the run. */
  step: number;
  stopped: boolean;
}

/** Trains a GPT on a split's training ids (seeded random windows), evaluating on its held-out ids every
 * cfg.evalEvery steps and at the end; `resume` continues a checkpoint of the same run bit for bit. */
export async function trainLM(config: GptConfig, data: LmSplit, settings: LmConfig, hooks: LmHooks = {}, resume?: LmCheckpoint): Promise<LmResult> {
  checkOptions('trainLM', settings, LM_CONFIG_KEYS);
  checkOptions('trainLM hooks', hooks, ['onLog', 'onCheckpoint', 'shouldStop']);
  const cfg = lmDefaults(settings);
  const T = config.context;
  const { train, val } = data;
  if (train.length <= T + 1) throw new Error(`text: ${train.length} training characters are too few for a context of ${T} (need at least ${T + 2})`);
  if (val.length < 2) throw new Error('text: the held-out split has no next-character target');
  if (data.vocab.length !== config.vocab) throw new Error(`trainLM: the data has ${data.vocab.length} characters, the model a vocabulary of ${config.vocab}`);
  manualSeed(cfg.seed);
  const model = new GPT(config);
  const opt = lmOptimizer(model, cfg);
  const lrAt = scheduleFor(cfg, cfg.steps);
  const g = new Generator(cfg.seed + 1);
  const history: LmLog[] = [];
  let first = 1;
  let since = 0;
  let sumBefore = 0;
  let secondsBefore = 0;
  let trainSeconds = 0;
  if (resume) {
    model.loadStateDict(resume.model);
    opt.loadState(resume.optimizer);
    g.setState(resume.batches);
    globalGenerator.setState(resume.global);
    history.push(...resume.history);
    first = resume.step + 1;
    since = resume.trainSteps;
    sumBefore = resume.trainLossSum;
    secondsBefore = resume.seconds;
    trainSeconds = resume.trainSeconds;
  }
  const t0 = performance.now() - secondsBefore * 1000;
  let lossSum: Tensor = keep(fromHost([sumBefore], [], 'f32'));
  const body = (xt: Tensor, yt: Tensor, lossSum: Tensor): Tensor => {
    const loss = model.loss(xt, yt, { loss: cfg.loss, k: cfg.k, m: cfg.m, alpha: cfg.alpha, gamma: cfg.gamma, fused: cfg.head === 'fused' });
    loss.backward();
    if (cfg.clip > 0) opt.clipGradNorm(cfg.clip);
    opt.step();
    opt.zeroGrad();
    return noGrad(() => add(lossSum, loss.detach()));
  };
  const compiled = cfg.compile === false ? null : compile(body, { key: () => model.training });
  const trainStep = compiled ?? ((...xs: [Tensor, Tensor, Tensor]) => tidy(() => body(...xs)));
  const checkpoint = async (step: number): Promise<void> => {
    if (!hooks.onCheckpoint) return;
    const trainLossSum = since ? await lossSum.item() : 0;
    await hooks.onCheckpoint({ step, model: model.stateDict(), optimizer: opt.state(), batches: g.getState(), global: globalGenerator.getState(), trainLossSum, trainSteps: since, seconds: (performance.now() - t0) / 1000, trainSeconds, history: [...history] });
  };
  let step = first - 1;
  let stopped = false;
  let windowStart = performance.now();
  try {
    while (step < cfg.steps) {
      step++;
      const starts = Array.from({ length: cfg.batch }, () => g.int(train.length - T - 1));
      const x = new Int32Array(cfg.batch * T);
      const y = new Int32Array(cfg.batch * T);
      starts.forEach((s, b) => {
        x.set(train.subarray(s, s + T), b * T);
        y.set(train.subarray(s + 1, s + T + 1), b * T);
      });
      const xt = fromHost(x, [cfg.batch, T], 'i32');
      const yt = fromHost(y, [cfg.batch * T], 'i32');
      opt.lr = lrAt(step - 1);
      const next = keep(trainStep(xt, yt, lossSum));
      lossSum.dispose();
      lossSum = next;
      since++;
      xt.dispose();
      yt.dispose();
      const evaluate = step % cfg.evalEvery === 0 || step === cfg.steps;
      if (evaluate) {
        const trainLoss = (await lossSum.item()) / since; // waits for the steps: the window's time is theirs
        trainSeconds += (performance.now() - windowStart) / 1000;
        const m = await lmEvaluate(model, val, cfg, { tokens: cfg.valTokens });
        const log: LmLog = {
          step,
          lr: opt.lr,
          trainLoss,
          trainFrom: step - since + 1,
          valLoss: m.loss,
          valCrossEntropy: m.crossEntropy,
          valPerplexity: m.perplexity,
          valAccuracy: m.accuracy,
          valTokens: m.tokens,
          seconds: (performance.now() - t0) / 1000,
          tokensPerSecond: (step * cfg.batch * T) / Math.max(trainSeconds, 1e-9),
          peakBytes: mem.peakBytes,
        };
        lossSum.dispose();
        lossSum = keep(fromHost([0], [], 'f32'));
        since = 0;
        history.push(log);
        hooks.onLog?.(log);
        await checkpoint(step);
        windowStart = performance.now();
      }
      if (step < cfg.steps && hooks.shouldStop?.()) {
        if (!evaluate) {
          await lossSum.item();
          trainSeconds += (performance.now() - windowStart) / 1000;
          await checkpoint(step);
        }
        stopped = true;
        break;
      }
    }
  } finally {
    lossSum.dispose();
    compiled?.reset(); // the plans' pinned buffers go back to the pool
    opt.dispose();
  }
  return { model, history, step, stopped };
}
