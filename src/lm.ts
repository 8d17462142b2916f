// Character-level language modelling for the GPT model: a vocabulary from the text, seeded random
// windows as batches, a held-out tail for validation, and a built-in synthetic task (reversing digit
// strings) that needs no file.
import { keep, noGrad, tidy, Tensor } from './tensor.js';
import { compile } from './compile.js';
import { fromHost } from './creation.js';
import { manualSeed, Generator } from './random.js';
import { add, mul } from './ops/binary.js';
import { Adam, AdamW } from './optim/optimizer.js';
import { cosineSchedule } from './optim/schedule.js';
import { GPT, type GptConfig } from '../models/gpt.js';

export interface Corpus {
  vocab: string[];
  ids: Int32Array;
}

export function buildCorpus(text: string): Corpus {
  if (text.length < 2) throw new Error('text: need at least 2 characters to train on');
  const vocab = [...new Set(text)].sort();
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
  optimizer: 'adam' | 'adamw';
  evalEvery: number;
  /** Compiled training steps (rg.compile; the same bits as eager). Default true. */
  compile?: boolean;
}

export interface LmLog {
  step: number;
  trainLoss: number;
  valLoss: number;
  seconds: number;
}

function windows(ids: Int32Array, starts: number[], T: number): { x: Int32Array; y: Int32Array } {
  const x = new Int32Array(starts.length * T);
  const y = new Int32Array(starts.length * T);
  starts.forEach((s, b) => {
    x.set(ids.subarray(s, s + T), b * T);
    y.set(ids.subarray(s + 1, s + T + 1), b * T);
  });
  return { x, y };
}

/** The fused head + loss (the logits never written; `fused: false` in cfg materialises them). */
function lmLoss(model: GPT, cfg: Pick<LmConfig, 'loss' | 'k' | 'm' | 'alpha' | 'gamma'> & { fused?: boolean }, x: Tensor, y: Tensor): Tensor {
  return model.loss(x, y, { loss: cfg.loss, k: cfg.k, m: cfg.m, alpha: cfg.alpha, gamma: cfg.gamma, fused: cfg.fused });
}

/** Mean loss over evenly spaced windows of the validation ids. */
export async function lmValidationLoss(model: GPT, ids: Int32Array, cfg: Pick<LmConfig, 'loss' | 'k' | 'm' | 'alpha' | 'gamma'>, batches = 4, batch = 16): Promise<number> {
  const T = model.config.context;
  const n = ids.length - T - 1;
  if (n <= 0) return NaN;
  model.eval();
  let total = 0;
  for (let b = 0; b < batches; b++) {
    const starts = Array.from({ length: batch }, (_, i) => Math.floor(((b * batch + i) * n) / (batches * batch)));
    const { x, y } = windows(ids, starts, T);
    const xt = fromHost(x, [batch, T], 'i32');
    const yt = fromHost(y, [batch * T], 'i32');
    const l = keep(noGrad(() => tidy(() => lmLoss(model, cfg, xt, yt))));
    total += await l.item();
    for (const t of [l, xt, yt]) t.dispose();
  }
  model.train();
  return total / batches;
}

/** Trains a GPT on a corpus (90% train, the last 10% held out). */
export async function trainLM(config: GptConfig, corpus: Corpus, cfg: LmConfig, onLog?: (l: LmLog) => void): Promise<{ model: GPT; history: LmLog[] }> {
  manualSeed(cfg.seed);
  const model = new GPT(config);
  const opt = cfg.optimizer === 'adamw' ? new AdamW(model.parameters(), { lr: cfg.lr }) : new Adam(model.parameters(), { lr: cfg.lr });
  const T = config.context;
  const split = Math.floor(corpus.ids.length * 0.9);
  const train = corpus.ids.subarray(0, split);
  const val = corpus.ids.subarray(split);
  if (train.length <= T + 1) throw new Error(`text: ${corpus.ids.length} characters are too few for a context of ${T} (need more than ${Math.ceil((T + 2) / 0.9)})`);
  const lrAt = cosineSchedule(cfg.lr, { total: cfg.steps, warmup: Math.min(100, Math.floor(cfg.steps / 10)) });
  const g = new Generator(cfg.seed + 1);
  const history: LmLog[] = [];
  const t0 = performance.now();
  let lossSum: Tensor = keep(fromHost([0], [], 'f32'));
  let since = 0;
  const body = (xt: Tensor, yt: Tensor, lossSum: Tensor): Tensor => {
    const loss = lmLoss(model, cfg, xt, yt);
    loss.backward();
    opt.clipGradNorm(1);
    opt.step();
    opt.zeroGrad();
    return noGrad(() => add(lossSum, loss.detach()));
  };
  const compiled = cfg.compile === false ? null : compile(body, { key: () => model.training });
  const trainStep = compiled ?? ((...xs: [Tensor, Tensor, Tensor]) => tidy(() => body(...xs)));
  try {
    for (let step = 1; step <= cfg.steps; step++) {
      const starts = Array.from({ length: cfg.batch }, () => g.int(train.length - T - 1));
      const { x, y } = windows(train, starts, T);
      const xt = fromHost(x, [cfg.batch, T], 'i32');
      const yt = fromHost(y, [cfg.batch * T], 'i32');
      opt.lr = lrAt(step - 1);
      const next = keep(trainStep(xt, yt, lossSum));
      lossSum.dispose();
      lossSum = next;
      since++;
      xt.dispose();
      yt.dispose();
      if (step % cfg.evalEvery === 0 || step === cfg.steps) {
        const trainLoss = (await lossSum.item()) / since;
        lossSum.dispose();
        lossSum = keep(fromHost([0], [], 'f32'));
        since = 0;
        const log = { step, trainLoss, valLoss: await lmValidationLoss(model, val.length > T + 1 ? val : train, cfg), seconds: (performance.now() - t0) / 1000 };
        history.push(log);
        onLog?.(log);
      }
    }
    lossSum.dispose();
  } finally {
    compiled?.reset(); // the plans' pinned buffers go back to the pool, also when a step or a hook throws
  }
  opt.dispose();
  return { model, history };
}
