// The rootgrad command, run in-process: flags, errors and exit codes, train then eval.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runCli } from './cli-run.js';
import { rg, setup } from './helpers.js';

beforeAll(setup);

const run = runCli;

describe('rootgrad command', () => {
  test('train --autotune times the kernel variants first and remembers them per adapter', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'rootgrad-xdg-'));
    const before = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = cache;
    try {
      const args = ['train', '--model', 'logistic', '--data', 'breast-cancer', '--epochs', '1', '--autotune', '--out', join(cache, 'run')];
      const first = await run(...args);
      expect(first.code, first.err).toBe(0);
      expect(first.out).toMatch(/autotune: matmul:small (registers|tiled), matmul:medium/);
      const storePath = join(cache, 'rootgrad', 'autotune.json');
      const stored = readFileSync(storePath, 'utf8');
      expect(JSON.parse(stored).results).toHaveLength(10);
      const again = await run(...args); // reads the stored choices instead of timing again
      expect(again.code).toBe(0);
      expect(again.out.match(/autotune: .*/)![0]).toBe(first.out.match(/autotune: .*/)![0]);
      expect(readFileSync(storePath, 'utf8')).toBe(stored); // not measured (and rewritten) again
    } finally {
      if (before === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = before;
      rg.resetAutotune(); // process-wide: later tests run on the adapter's defaults
    }
  }, 120_000);

  test('help', async () => {
    expect((await run('--help')).out).toMatch(/commands:\n\s+train/);
    const t = await run('train', '--help');
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/--loss\s+ce, focal, rooted/);
    expect((await run('eval', '--help')).out).toMatch(/--weights/);
    expect((await run()).code).toBe(2);
  });

  test.each([
    [['frobnicate'], "rootgrad: unknown command 'frobnicate'"],
    [['train', '--bogus', '1'], 'rootgrad train: unknown flag --bogus'],
    [['train', '--lr', 'abc'], "rootgrad train: --lr must be a number, got 'abc'"],
    [['train', '--epochs', '0'], "rootgrad train: --epochs must be >= 1, got '0'"],
    [['train', '--epochs', '1.5'], "rootgrad train: --epochs must be an integer, got '1.5'"],
    [['train', '--k', '0'], "rootgrad train: --k must be > 0, got '0'"],
    [['train', '--loss', 'mse'], "rootgrad train: unknown loss 'mse': ce, focal, rooted, or a registered row loss (crossEntropy, focalLoss, rootedLoss"],
    [['train', '--loss', 'rootedLoss', '--loss-options', 'kk=2'], "rootgrad train: loss rootedLoss: unknown option 'kk'; valid options: k, m"],
    [['train', '--loss-options', 'eps'], "--loss-options takes name=number pairs separated by commas, e.g. eps=0.5,k=2; got 'eps'"],
    [['train', '--hidden', '12,x'], "rootgrad train: --hidden must be positive integers separated by commas, got '12,x'"],
    [['train', '--epochs'], 'rootgrad train: --epochs needs a value'],
    [['train', '--model', 'logistic', '--data', 'digits'], 'rootgrad train: logistic: needs binary labels; digits has 10 classes'],
    [['eval'], 'rootgrad eval: --weights FILE is required'],
  ])('bad usage %j exits 2 with a clear message', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  test('an unreadable data file exits 1 and names the file', async () => {
    const r = await run('train', '--data', '/nonexistent/file.csv');
    expect(r.code).toBe(1);
    expect(r.err).toContain("cannot read data file '/nonexistent/file.csv': ENOENT");
  });

  test('train writes weights, a JSON log and an SVG plot; eval reproduces the test accuracy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootgrad-cli-'));
    const csv = join(dir, 'tiny.csv');
    // a separable two-class problem in a CSV of the same form as the shipped data
    const rows = Array.from({ length: 120 }, (_, i) => {
      const y = i % 2;
      return `${(y ? 1 : -1) + ((i * 37) % 11) / 20},${((i * 53) % 7) / 7},${y}`;
    });
    writeFileSync(csv, rows.join('\n'));
    const out = join(dir, 'run');
    const t = await run('train', '--model', 'logistic', '--data', csv, '--epochs', '15', '--lr', '0.05', '--out', out, '--seed', '3');
    expect(t.code, t.err).toBe(0);
    expect(t.out).toMatch(/epoch 15\/15 .*test acc/); // plain lines: output is not a terminal
    const acc = Number(/test accuracy ([\d.]+)%/.exec(t.out)![1]);
    expect(acc).toBeGreaterThanOrEqual(95);
    for (const f of ['model.safetensors', 'log.json', 'curves.svg']) expect(existsSync(join(out, f))).toBe(true);
    const log = JSON.parse(readFileSync(join(out, 'log.json'), 'utf8'));
    expect(log.history).toHaveLength(15);
    expect(readFileSync(join(out, 'curves.svg'), 'utf8')).toMatch(/^<svg[^>]*>[\s\S]*<polyline/);
    const e = await run('eval', '--weights', join(out, 'model.safetensors'));
    expect(e.code, e.err).toBe(0);
    expect(e.out).toContain(`accuracy ${acc.toFixed(2)}% on the test split`);
    expect(e.out).toMatch(/confusion matrix/);
  });
});

test('train --model gpt on a text file, then generate from the saved weights', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rootgrad-gpt-'));
  const text = join(dir, 'abc.txt');
  writeFileSync(text, 'abcabcabcabc abcab cabcabc\n'.repeat(20));
  const out = join(dir, 'run');
  const t = await run('train', '--model', 'gpt', '--text', text, '--steps', '30', '--eval-every', '15', '--context', '8', '--dim', '16', '--heads', '2', '--layers', '1', '--batch', '8', '--out', out);
  expect(t.code, t.err).toBe(0);
  const losses = [...t.out.matchAll(/step \d+\/30 {2}train ce \(mean of steps \d+-\d+\) ([\d.]+)/g)].map((m) => Number(m[1]));
  expect(losses).toHaveLength(2);
  expect(losses[1]).toBeLessThan(losses[0]);
  const g = await run('generate', '--weights', join(out, 'model.safetensors'), '--prompt', 'abc', '--tokens', '12', '--temperature', '0');
  expect(g.code, g.err).toBe(0);
  expect(g.out.trim()).toMatch(/^abc[abc \n]{12}$/);
  // the same weights without metadata: the vocabulary from the training text, the heads from the flags
  const bare = join(dir, 'bare.safetensors');
  writeFileSync(bare, rg.toSafetensors(rg.load(join(out, 'model.safetensors')).tensors));
  const noMeta = await run('generate', '--weights', bare, '--prompt', 'abc', '--tokens', '12', '--temperature', '0');
  expect(noMeta.code).toBe(2);
  expect(noMeta.err).toContain('has no rootgrad GPT metadata: give --config FILE, or --text');
  const viaText = await run('generate', '--weights', bare, '--text', text, '--heads', '2', '--prompt', 'abc', '--tokens', '12', '--temperature', '0');
  expect(viaText.code, viaText.err).toBe(0);
  expect(viaText.out).toBe(g.out);
  const bad = await run('generate', '--weights', join(out, 'model.safetensors'), '--prompt', 'xyz');
  expect(bad.code).toBe(1);
  expect(bad.err).toContain('the character "x" is not in the model\'s vocabulary');
  expect((await run('train', '--model', 'gpt', '--hidden', '3')).err).toContain('--hidden is not used by --model gpt: not an option of the GPT');
});

test('train --model vit checks its shapes', async () => {
  expect((await run('train', '--model', 'vit', '--data', 'breast-cancer')).err).toContain('rootgrad train: vit: needs square images; breast-cancer has 30 features');
  expect((await run('train', '--model', 'vit', '--patch', '3')).err).toContain('rootgrad train: vit: the patch size 3 does not divide the image side 8');
});

test('train --model lenet|resnet on a folder of IDX files (its own test split, --limit), then eval', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rootgrad-idx-'));
  const idx = (dims: number[], values: number[]) => {
    const b = new Uint8Array(4 + 4 * dims.length + values.length);
    b.set([0, 0, 8, dims.length]);
    dims.forEach((d, i) => new DataView(b.buffer).setUint32(4 + 4 * i, d, false));
    b.set(values, 4 + 4 * dims.length);
    return b;
  };
  // two classes of 8x8 images: a bright left half or a bright right half, with a little noise
  const images = (n: number, seed: number) => {
    const px: number[] = [];
    for (let i = 0; i < n; i++) for (let p = 0; p < 64; p++) px.push(((p % 8 < 4) === (i % 2 === 0) ? 200 : 30) + ((i * 31 + p * 17 + seed) % 40));
    return idx([n, 8, 8], px);
  };
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), images(64, 1));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([64], Array.from({ length: 64 }, (_, i) => i % 2)));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), images(20, 2));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx([20], Array.from({ length: 20 }, (_, i) => i % 2)));
  const out = join(dir, 'run');
  const t = await run('train', '--model', 'lenet', '--data', dir, '--limit', '48', '--epochs', '3', '--batch', '16', '--lr', '0.01', '--out', out);
  expect(t.code, t.err).toBe(0);
  expect(t.out).toContain('(48 train / 20 test, 64 features, 2 classes)');
  const acc = Number(/test accuracy ([\d.]+)%/.exec(t.out)![1]);
  expect(acc).toBe(100);
  const e = await run('eval', '--weights', join(out, 'model.safetensors'));
  expect(e.code, e.err).toBe(0);
  expect(e.out).toContain(`accuracy ${acc.toFixed(2)}% on the test split of ${dir}`);
  const log = JSON.parse(readFileSync(join(out, 'log.json'), 'utf8'));
  expect([log.model.norm, log.config.schedule]).toEqual(['none', 'cosine']); // the 8x8 LeNet's defaults
  // the batch norm and the one-cycle schedule by flag
  const bn = await run('train', '--model', 'lenet', '--data', dir, '--limit', '16', '--epochs', '1', '--batch', '16', '--norm', 'batch', '--schedule', 'onecycle', '--quiet', '--out', join(dir, 'bn'));
  expect(bn.code, bn.err).toBe(0);
  const bnLog = JSON.parse(readFileSync(join(dir, 'bn', 'log.json'), 'utf8'));
  expect([bnLog.model.norm, bnLog.config.schedule]).toEqual(['batch', 'onecycle']);
  expect((await run('eval', '--weights', join(dir, 'bn', 'model.safetensors'))).code).toBe(0);
  expect((await run('train', '--model', 'lenet', '--data', dir, '--schedule', 'onecycle', '--warmup', '2')).err).toContain('rootgrad train: --warmup is for --schedule cosine or constant; onecycle rises over its first 30% of the steps itself (got --warmup 2)');
  expect((await run('train', '--model', 'lenet', '--data', dir, '--norm', 'layer')).err).toContain("rootgrad train: --norm must be one of batch, none, got 'layer'");
  expect((await run('train', '--model', 'resnet', '--data', dir, '--norm', 'none')).err).toContain('rootgrad train: --norm is not an option of --model resnet');
  const r = await run('train', '--model', 'resnet', '--width', '8', '--data', dir, '--epochs', '1', '--batch', '32', '--out', join(dir, 'resnet'));
  expect(r.code, r.err).toBe(0);
  expect(r.out).toMatch(/epoch 1\/1 .*test acc/);
  expect((await run('train', '--model', 'lenet', '--data', 'breast-cancer')).err).toContain('rootgrad train: lenet: needs square one-channel images; breast-cancer has 30 features');
  expect((await run('train', '--model', 'resnet', '--blocks', '1,0')).err).toContain('rootgrad train: --blocks must be positive');
});

describe('weights written elsewhere (a PyTorch state_dict, no rootgrad metadata)', () => {
  // scripts/fixtures/torch_mlp_fixture.py: nn.Sequential(Linear(64, 32), Tanh(), Linear(32, 10)) trained by
  // PyTorch on the digits; the JSON holds the model, the standardizer and PyTorch's accuracy on all rows.
  const weights = 'test/fixtures/torch-mlp.safetensors';
  const config = 'test/fixtures/torch-mlp.json';
  const torchAccuracy = JSON.parse(readFileSync(config, 'utf8')).torch.accuracy_all_rows as number;

  test('inspect lists the tensors and says which built-in model they fit', async () => {
    const r = await run('inspect', weights);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/4 tensors, 2,410 values/);
    expect(r.out).toMatch(/net\.0\.weight\s+F32\s+\[32, 64\]\s+8192/);
    expect(r.out).toContain('metadata: none');
    expect(r.out).toContain('fits: mlp {"kind":"mlp","inputs":64,"hidden":[32],"classes":10');
    expect(r.out).toContain('flags: --model mlp --hidden 32 --activation relu');
    const j = await run('inspect', weights, '--json');
    expect(JSON.parse(j.out).fits.map((f: { kind: string }) => f.kind)).toEqual(['mlp']);
    expect((await run('inspect')).err).toContain('rootgrad inspect: give one safetensors file, got none');
    expect((await run('inspect', '/nonexistent.safetensors')).err).toContain("cannot read '/nonexistent.safetensors': ENOENT");
  });

  test('eval with --config gives PyTorch\'s accuracy; with --model and flags it runs too; mismatches name the tensor', async () => {
    const bare = await run('eval', '--weights', weights, '--data', 'digits');
    expect(bare.code).toBe(2);
    expect(bare.err).toContain('has no rootgrad model metadata: give the model with --config model.json or --model and its flags');
    const dir = mkdtempSync(join(tmpdir(), 'rootgrad-eval-'));
    const c = await run('eval', '--weights', weights, '--config', config, '--data', 'digits', '--split', 'all', '--out', dir);
    expect(c.code, c.err).toBe(0);
    expect(c.out).toContain(`accuracy ${(100 * torchAccuracy).toFixed(2)}% on all 1797 rows of digits`);
    const svg = readFileSync(join(dir, 'confusion.svg'), 'utf8');
    expect(svg).toMatch(/^<svg/);
    for (const label of ['true class', 'predicted class', '<rect']) expect(svg).toContain(label);
    expect(JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')).confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(1797);
    // flags: standardised with rootgrad's training split, evaluated on its test split
    const f = await run('eval', '--weights', weights, '--data', 'digits', '--model', 'mlp', '--hidden', '32', '--activation', 'tanh');
    expect(f.code, f.err).toBe(0);
    expect(Number(/accuracy ([\d.]+)% on the test split of digits/.exec(f.out)![1])).toBeGreaterThan(95);
    const wrong = await run('eval', '--weights', weights, '--data', 'digits', '--model', 'mlp', '--hidden', '16');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain("parameter 'net.0.weight' has shape [32, 64] in the state, [16, 64] in the model");
    expect((await run('eval', '--weights', weights, '--data', 'digits', '--model', 'mlp', '--patch', '2')).err).toContain('--patch is not an option of --model mlp');
    expect((await run('eval', '--weights', weights, '--data', 'digits', '--hidden', '32')).err).toContain('--hidden describes the model: give --model too');
  });
});

test('every model owns its defaults: train and experiment agree', () => {
  for (const [kind, spec] of Object.entries(rg.classifierSpecs)) {
    const data = kind === 'logistic' ? { features: 30, classes: 2 } : { features: 64, classes: 10 };
    const c = spec.configure(data, {});
    expect(() => spec.check(c as never)).not.toThrow();
    const t = spec.training(c as never);
    expect(t.epochs, kind).toBeGreaterThan(0);
    expect(t.lr, kind).toBeGreaterThan(0);
  }
  expect(() => rg.classifierSpecs.vit.configure({ features: 64, classes: 10 }, { patch: 3 })).toThrow('vit: the patch size 3 does not divide the image side 8');
  expect(() => rg.classifierSpecs.vit.configure({ features: 64, classes: 10 }, { dim: 30, heads: 4 })).toThrow('vit: the width 30 is not divisible by the heads 4');
});
