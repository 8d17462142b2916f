// Language-model runs a researcher can compare (issue 36): one metric for every loss (validation
// cross-entropy, perplexity, top-1 accuracy, checked against a float64 reading of the logits), a held-out
// split that training never reads and that a too-short text cannot fake, checkpoints that resume bit for
// bit, every training flag applied or refused, eval and experiment for GPT weights. Tiny texts and models.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runCli } from './cli-run.js';
import { rg, setup } from './helpers.js';
import type { GptConfig, LmConfig, LmCheckpoint, LmLog } from '../src/node.js';

beforeAll(setup);

const run = runCli;

const TEXT = 'the cat sat on the mat; a bat ate the hat.\n'.repeat(14); // 602 characters
const tiny: Omit<GptConfig, 'vocab'> = { kind: 'gpt', context: 8, dim: 16, heads: 2, layers: 1 };
const base: LmConfig = { steps: 12, batch: 4, lr: 5e-3, loss: 'ce', k: 3, m: 3, seed: 1, optimizer: 'adamw', evalEvery: 4 };
const weightsOf = async (m: rg.GPT) => {
  const host = await rg.toHost(m.stateDict());
  return Object.fromEntries(Object.entries(host).map(([k, v]) => [k, Array.from(v.data)]));
};
const steady = (h: LmLog[]) => h.map(({ seconds, tokensPerSecond, peakBytes, ...rest }) => rest);

describe('the held-out split', () => {
  test('a text too short for a held-out window is refused with the length it needs; that length works', () => {
    const need = rg.minTextLength(64);
    expect(() => rg.lmSplit(TEXT, 64)).toThrow(`text: 602 characters are too short for a held-out split with a context of 64: the last 10% must hold 65 characters, so the text needs at least ${need}`);
    const long = 'ab'.repeat(need); // sliced below to exactly `need`
    const s = rg.lmSplit(long.slice(0, need), 64);
    expect(s.val.length).toBeGreaterThanOrEqual(65);
    expect(() => rg.lmSplit(long.slice(0, need - 1), 64)).toThrow(/needs at least/);
    expect(s.train.length + s.val.length).toBe(need);
  });

  test('--val-text validates on another text; the vocabulary covers both', () => {
    const s = rg.lmSplit('abcabcabcabcabc', 4, { valText: 'cabd!' });
    expect(s.vocab).toEqual(['!', 'a', 'b', 'c', 'd']);
    expect(s.train.length).toBe(15);
    expect(Array.from(s.val)).toEqual([3, 1, 2, 4, 0]);
    expect(() => rg.lmSplit('abcabcabcabcabc', 8, { valText: 'ab' })).toThrow('validation text: 2 characters are too few for one window of the context 8 (need at least 9)');
  });

  test('training never reads the held-out ids: two texts that differ only there train to the same bits', async () => {
    const held = TEXT.slice(Math.floor(TEXT.length * 0.9));
    const shuffled = [...held].reverse().join(''); // the same characters in another order
    const a = rg.lmSplit(TEXT, 8);
    const b = rg.lmSplit(TEXT.slice(0, TEXT.length - held.length) + shuffled, 8);
    expect(b.vocab).toEqual(a.vocab);
    expect(Array.from(b.val)).not.toEqual(Array.from(a.val));
    const cfg = { ...tiny, vocab: a.vocab.length };
    const ra = await rg.trainLM(cfg, a, { ...base, steps: 6, evalEvery: 6 });
    const rb = await rg.trainLM(cfg, b, { ...base, steps: 6, evalEvery: 6 });
    expect(await weightsOf(rb.model)).toEqual(await weightsOf(ra.model));
    expect(rb.history[0].trainLoss).toBe(ra.history[0].trainLoss);
    expect(rb.history[0].valCrossEntropy).not.toBe(ra.history[0].valCrossEntropy); // the held-out part differs
    ra.model.dispose();
    rb.model.dispose();
  });
});

describe('one metric for every loss', () => {
  test('evaluation windows count every target once; a sample is evenly spaced whole windows', () => {
    const w = rg.evaluationWindows(50, 8);
    expect(w.map((x) => x.length).reduce((a, b) => a + b, 0)).toBe(49);
    expect(w.at(-1)).toEqual({ start: 48, length: 1 });
    expect(rg.evaluationWindows(50, 8, 16)).toEqual([{ start: 0, length: 8 }, { start: 24, length: 8 }]);
    expect(rg.evaluationWindows(50, 8, 1000)).toEqual(w); // more than the split: all of it
  });

  test('validation cross-entropy, perplexity and accuracy match a float64 reading of the logits, whatever the loss', async () => {
    const { vocab, ids } = rg.buildCorpus(TEXT.slice(0, 61)); // 60 targets: 7 windows of 8 and one of 4
    rg.manualSeed(3);
    const model = new rg.GPT({ ...tiny, vocab: vocab.length });
    const V = vocab.length;
    let ce = 0;
    let correct = 0;
    for (const { start, length } of rg.evaluationWindows(ids.length, 8)) {
      const x = rg.tensor(Array.from(ids.subarray(start, start + length)), [1, length], { dtype: 'i32' });
      const logits = rg.noGrad(() => model.forward(x));
      const z = await logits.data();
      for (let t = 0; t < length; t++) {
        const row = Array.from(z.subarray(t * V, (t + 1) * V));
        const mx = Math.max(...row);
        const lse = mx + Math.log(row.reduce((a, v) => a + Math.exp(v - mx), 0));
        const y = ids[start + t + 1];
        ce += lse - row[y];
        if (row.indexOf(mx) === y) correct++;
      }
      x.dispose();
      logits.dispose();
    }
    const m = await rg.lmEvaluate(model, ids, { loss: 'ce', k: 3, m: 3 });
    expect(m.tokens).toBe(60);
    expect(m.crossEntropy).toBeCloseTo(ce / 60, 5);
    expect(m.perplexity).toBeCloseTo(Math.exp(ce / 60), 4);
    expect(m.accuracy).toBe(correct / 60);
    expect(m.loss).toBe(m.crossEntropy);
    const r = await rg.lmEvaluate(model, ids, { loss: 'rooted', k: 3, m: 3 });
    expect(r.crossEntropy).toBe(m.crossEntropy); // the common metric does not depend on the training loss
    expect(r.accuracy).toBe(m.accuracy);
    expect(r.loss).not.toBeCloseTo(m.crossEntropy, 2);
    const sample = await rg.lmEvaluate(model, ids, { loss: 'ce', k: 3, m: 3 }, { tokens: 20 });
    expect(sample.tokens).toBe(24);
    model.dispose();
  });

  test('a rooted run logs cross-entropy, perplexity and accuracy beside its own loss', async () => {
    const data = rg.lmSplit(TEXT, 8);
    const r = await rg.trainLM({ ...tiny, vocab: data.vocab.length }, data, { ...base, loss: 'rooted' });
    expect(r.history.map((h) => h.step)).toEqual([4, 8, 12]);
    const last = r.history[2];
    expect(last.valTokens).toBe(data.val.length - 1);
    const again = await rg.lmEvaluate(r.model, data.val, { loss: 'rooted', k: 3, m: 3 });
    expect(last.valCrossEntropy).toBe(again.crossEntropy);
    expect(last.valLoss).toBe(again.loss);
    expect(last.valLoss).not.toBeCloseTo(last.valCrossEntropy, 2);
    expect(last.valPerplexity).toBeCloseTo(Math.exp(last.valCrossEntropy), 10);
    expect(r.history.map((h) => h.trainFrom)).toEqual([1, 5, 9]);
    r.model.dispose();
  });
});

test('classifiers: test cross-entropy beside the loss, whatever the loss (binary cross-entropy for the logistic model)', async () => {
  const ds = rg.loadDataset('digits');
  const { test } = rg.trainTestSplit(ds, 0.2, 0);
  rg.manualSeed(0);
  const mlp = rg.buildModel({ kind: 'mlp', inputs: 64, hidden: [16], classes: 10, activation: 'relu' });
  const rooted = await rg.evaluate(mlp, test, { ...rg.defaultTrainConfig, loss: 'rooted' });
  const ce = await rg.evaluate(mlp, test, { ...rg.defaultTrainConfig, loss: 'ce' });
  expect(rooted.crossEntropy).toBe(ce.loss);
  expect(ce.crossEntropy).toBe(ce.loss);
  expect(rooted.loss).not.toBeCloseTo(ce.loss, 2);
  const bc = rg.trainTestSplit(rg.loadDataset('breast-cancer'), 0.2, 0).test;
  const logistic = rg.buildModel({ kind: 'logistic', inputs: 30 });
  const r = await rg.evaluate(logistic, bc, { ...rg.defaultTrainConfig, loss: 'rooted', k: 2 });
  expect(r.crossEntropy).toBe((await rg.evaluate(logistic, bc, { ...rg.defaultTrainConfig, loss: 'bce' })).loss);
  mlp.dispose();
  logistic.dispose();
  const out = mkdtempSync(join(tmpdir(), 'rootgrad-ce-'));
  const t = await run('train', '--model', 'logistic', '--data', 'breast-cancer', '--epochs', '1', '--loss', 'rooted', '--k', '2', '--out', out);
  expect(t.code, t.err).toBe(0);
  expect(t.out).toMatch(/test loss [\d.]+ {2}test cross-entropy [\d.]+ {2}test acc/);
  expect(JSON.parse(readFileSync(join(out, 'log.json'), 'utf8')).history[0].testCrossEntropy).toBeGreaterThan(0);
  const e = await run('eval', '--weights', join(out, 'model.safetensors'));
  expect(e.out).toMatch(/accuracy [\d.]+% on the test split of breast-cancer, cross-entropy [\d.]+, loss [\d.]+ \(rooted\)/);
});

test('a run stopped between evaluations and resumed from its checkpoint ends bit-identical to a straight run', async () => {
  const data = rg.lmSplit(TEXT, 8);
  const config = { ...tiny, vocab: data.vocab.length, dropout: 0.1 }; // dropout: the global generator matters
  const straight = await rg.trainLM(config, data, base);
  let saved: Uint8Array | null = null;
  let steps = 0;
  const stopped = await rg.trainLM(config, data, base, {
    onCheckpoint: async (c) => void (saved = await rg.lmCheckpointBytes(c)),
    shouldStop: () => ++steps === 6, // after step 6: mid-window (evaluations at 4, 8, 12)
  });
  expect(stopped.stopped).toBe(true);
  expect(stopped.step).toBe(6);
  stopped.model.dispose();
  const { checkpoint } = rg.lmCheckpointFrom(saved!, 'memory');
  expect(checkpoint.step).toBe(6);
  expect(checkpoint.trainSteps).toBe(2);
  const resumed = await rg.trainLM(config, data, base, {}, checkpoint as LmCheckpoint);
  expect(resumed.stopped).toBe(false);
  expect(await weightsOf(resumed.model)).toEqual(await weightsOf(straight.model));
  expect(steady(resumed.history)).toEqual(steady(straight.history)); // the training-loss window spans the stop
  straight.model.dispose();
  resumed.model.dispose();
});

describe('rootgrad train --model gpt', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rootgrad-lm-'));
  const text = join(dir, 'text.txt');
  writeFileSync(text, TEXT);
  const small = ['--model', 'gpt', '--text', text, '--context', '8', '--dim', '16', '--heads', '2', '--layers', '1', '--batch', '4'];

  test('stdout and log.json report the common metric; curves.svg draws it; every default is in the config', async () => {
    const out = join(dir, 'rooted');
    const r = await run('train', ...small, '--steps', '8', '--eval-every', '4', '--loss', 'rooted', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/step 4\/8 {2}train rooted \(mean of steps 1-4\) [\d.]+ {2}val cross-entropy [\d.]+ {2}perplexity [\d.]+ {2}accuracy [\d.]+% {2}val rooted [\d.]+ {2}\d+ tok\/s/);
    expect(r.out).toMatch(/step 8\/8 {2}train rooted \(mean of steps 5-8\)/);
    expect(r.out).toMatch(/after 8 steps: validation cross-entropy [\d.]+ \(perplexity [\d.]+, accuracy [\d.]+%, 60 targets\), validation rooted loss [\d.]+; .* \d+ tokens\/s, peak memory [\d.]+ MiB/);
    const log = JSON.parse(readFileSync(join(out, 'log.json'), 'utf8'));
    for (const k of ['valLoss', 'valCrossEntropy', 'valPerplexity', 'valAccuracy', 'valTokens', 'tokensPerSecond', 'trainFrom']) expect(log.history[1]).toHaveProperty(k);
    expect(log.config).toMatchObject({ weightDecay: 0.01, warmup: 0, clip: 1, schedule: 'cosine', head: 'fused', valTokens: 0, testFraction: 0.1, optimizer: 'adamw', trainCharacters: 541, heldOutCharacters: 61 });
    expect(readFileSync(join(out, 'curves.svg'), 'utf8')).toContain('val cross-entropy');
    // eval on the held-out tail gives the validation metric again
    const tail = join(dir, 'tail.txt');
    writeFileSync(tail, TEXT.slice(541));
    const e = await run('eval', '--weights', join(out, 'model.safetensors'), '--text', tail);
    expect(e.code, e.err).toBe(0);
    expect(e.out).toContain(`cross-entropy ${log.history[1].valCrossEntropy.toFixed(4)} nats/char, perplexity ${log.history[1].valPerplexity.toFixed(2)}, accuracy ${(100 * log.history[1].valAccuracy).toFixed(2)}% over 60 characters; rooted loss ${log.history[1].valLoss.toFixed(4)}`);
    expect((await run('eval', '--weights', join(out, 'model.safetensors'))).err).toContain('is a GPT: give --text FILE');
    expect((await run('eval', '--weights', join(out, 'model.safetensors'), '--text', join(dir, 'nope.txt'))).err).toContain("cannot read text file '");
  });

  test('the training flags apply (and are recorded) or are refused with a reason', async () => {
    const out = join(dir, 'flags');
    const r = await run('train', ...small, '--steps', '4', '--eval-every', '4', '--weight-decay', '0', '--warmup', '2', '--clip', '0', '--schedule', 'constant', '--head', 'plain', '--val-tokens', '16', '--optimizer', 'sgd', '--momentum', '0.5', '--quiet', '--out', out);
    expect(r.code, r.err).toBe(0);
    const log = JSON.parse(readFileSync(join(out, 'log.json'), 'utf8'));
    expect(log.config).toMatchObject({ weightDecay: 0, warmup: 2, clip: 0, schedule: 'constant', head: 'plain', valTokens: 16, optimizer: 'sgd', momentum: 0.5 });
    expect(log.history[0].valTokens).toBe(16);
    expect(log.history[0].lr).toBe(5e-3); // constant after a warm-up of 2
    // weight decay changes the weights
    const wd = await run('train', ...small, '--steps', '4', '--eval-every', '4', '--weight-decay', '0.5', '--quiet', '--out', join(dir, 'wd'));
    const nowd = await run('train', ...small, '--steps', '4', '--eval-every', '4', '--weight-decay', '0', '--quiet', '--out', join(dir, 'nowd'));
    expect(wd.code + nowd.code).toBe(0);
    expect(readFileSync(join(dir, 'wd', 'model.safetensors')).equals(readFileSync(join(dir, 'nowd', 'model.safetensors')))).toBe(false);
    for (const [args, message] of [
      [['--epochs', '3'], '--epochs is not used by --model gpt: a GPT trains for --steps'],
      [['--data', 'digits'], '--data is not used by --model gpt: give the text with --text FILE'],
      [['--momentum', '0.9'], '--momentum is for --optimizer sgd, not adamw'],
      [['--warmup', '5000'], '--warmup 5000 is longer than --steps 1000'],
      [['--context', '64'], `the last 10% must hold 65 characters, so the text needs at least ${rg.minTextLength(64)}`],
    ] as const) {
      const bad = await run('train', ...small, ...args); // a repeated flag: the last one counts
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.err).toContain(message);
    }
  });

  test('--out is checked before training; help has a GPT heading with the defaults', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const r = await run('train', ...small, '--steps', '1000', '--out', join(file, 'run'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--out ${join(file, 'run')}: cannot write there (ENOTDIR)`);
    expect(r.out).not.toMatch(/step \d/);
    const h = await run('train', '--help');
    expect(h.out).toMatch(/^Train a classifier, or a character-level GPT/);
    expect(h.out).toMatch(/\nGPT \(--model gpt\) flags:\n\n {2}--text/);
    expect(h.out).toContain('--schedule cosine, --warmup min(100, steps/10), --clip 1');
    expect(h.out).toMatch(/--head\s+the tied head and the loss/);
  });

  test('rootgrad experiment --model gpt compares the losses by the common metric', async () => {
    const out = join(dir, 'exp');
    const r = await run('experiment', ...small, '--steps', '4', '--eval-every', '2', '--seeds', '2', '--out', out);
    expect(r.code, r.err).toBe(0);
    const table = readFileSync(join(out, 'table.md'), 'utf8');
    expect(table).toContain('| loss | seeds | val cross-entropy (nats/char) | val perplexity | val accuracy % | val loss (own units) | tokens/s |');
    expect(table).toMatch(/\| ce \| 2 \| [\d.]+ ± [\d.]+ \|/);
    expect(table).toMatch(/\| rooted k=3 m=3 \| 2 \|/);
    for (const f of ['val-cross-entropy.svg', 'val-accuracy.svg', 'train-loss.svg']) expect(readFileSync(join(out, f), 'utf8')).toMatch(/<polygon[\s\S]*<polyline/);
    const runs = JSON.parse(readFileSync(join(out, 'runs.json'), 'utf8')).runs;
    expect(runs).toHaveLength(4);
    expect(runs[0].history).toHaveLength(2);
    expect(existsSync(join(out, 'runs.json'))).toBe(true);
    expect((await run('experiment', '--model', 'gpt', '--text', text, '--losses', 'bce')).err).toContain("--losses for gpt are ce, focal, rooted, got 'bce'");
  });
});
