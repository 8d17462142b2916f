// The LeNet's BatchNorm option and the one-cycle schedule, against PyTorch (test/fixtures/lenet-onecycle.json,
// made once by scripts/fixtures/lenet_onecycle_fixture.py): OneCycleLR's rates step by step, and a LeNet
// with BatchNorm2d after each convolution whose state_dict loads strictly and gives PyTorch's logits,
// gradients and running statistics.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { expectClose, rg, setup } from './helpers.js';
import { lenetSpec } from '../models/lenet.js';
import { scheduleFor } from '../src/optim/schedule.js';
import { lmDefaults, type LmConfig } from '../src/lm.js';

beforeAll(setup);

interface Fixture {
  schedules: { maxLr: number; total: number; opts: Partial<rg.OneCycleOptions>; rates: number[] }[];
  lenet: {
    state: Record<string, { shape: number[]; data: number[] }>;
    x: number[];
    y: number[];
    trainLogits: number[];
    'grad.features.0.weight': number[];
    'grad.features.5.weight': number[];
    runningAfter: Record<string, number[]>;
    evalLogits: number[];
  };
}
const fixture = JSON.parse(readFileSync('test/fixtures/lenet-onecycle.json', 'utf8')) as Fixture;

describe('oneCycleSchedule (torch.optim.lr_scheduler.OneCycleLR)', () => {
  test('the rate at every step 0..total matches PyTorch: two and three phases, cos and linear', () => {
    for (const c of fixture.schedules) {
      const f = rg.oneCycleSchedule(c.maxLr, { total: c.total, ...c.opts });
      const got = c.rates.map((_, s) => f(s));
      expectClose(got, c.rates, { atol: 1e-15, rtol: 1e-12 }, `${JSON.stringify(c.opts)} total ${c.total}`);
    }
  });

  test('bad options and steps past the end are refused, naming the value', () => {
    expect(() => rg.oneCycleSchedule(0.1, { total: 0 })).toThrow('oneCycleSchedule: total must be a positive integer, got 0');
    expect(() => rg.oneCycleSchedule(0.1, { total: 10, pctStart: 1.5 })).toThrow('oneCycleSchedule: pctStart must be in [0, 1], got 1.5');
    expect(() => rg.oneCycleSchedule(0.1, { total: 10, annealStrategy: 'exp' as 'cos' })).toThrow("annealStrategy must be 'cos' or 'linear', got 'exp'");
    expect(() => rg.oneCycleSchedule(0.1, { total: 10, divFactor: 0 })).toThrow('divFactor must be a positive finite number, got 0');
    expect(() => rg.oneCycleSchedule(0.1, { total: 10, warmup: 3 } as never)).toThrow('warmup');
    const f = rg.oneCycleSchedule(0.1, { total: 10 });
    expect(() => f(11)).toThrow('oneCycleSchedule: step must be an integer in [0, 10] (total 10), got 11');
  });

  test("the training loop's schedule: onecycle peaks at lr, and refuses a warm-up of its own", () => {
    const f = scheduleFor({ schedule: 'onecycle', lr: 0.01, warmup: 0 }, 100);
    expect(f(0)).toBeCloseTo(0.01 / 25, 15);
    expect(f(29)).toBeCloseTo(0.01, 15);
    expect(f(99)).toBeCloseTo(0.01 / 25 / 1e4, 15);
    expect(() => scheduleFor({ schedule: 'onecycle', lr: 0.01, warmup: 5 }, 100)).toThrow('warmup (5) is for schedule cosine or constant');
    // the GPT's default warm-up (min(100, steps / 10)) is 0 under onecycle, which has its own
    const lm: LmConfig = { steps: 200, batch: 8, lr: 0.01, loss: 'ce', k: 3, m: 3, seed: 0, optimizer: 'adam', evalEvery: 50 };
    expect(lmDefaults(lm).warmup).toBe(20);
    expect(lmDefaults({ ...lm, schedule: 'onecycle' }).warmup).toBe(0);
  });
});

describe("LeNet's norm option", () => {
  const L = fixture.lenet;
  const config: rg.LenetConfig = { kind: 'lenet', side: 8, classes: 10, channels: [2, 3], hidden: [5, 4], norm: 'batch' };

  test('norm batch: PyTorch nn.Sequential names load strictly; training and eval logits, gradients and running statistics match', async () => {
    const model = new rg.LeNet(config);
    expect(Object.keys(model.stateDict()).sort()).toEqual(Object.keys(L.state).sort());
    const state = Object.fromEntries(Object.entries(L.state).map(([k, v]) => [k, k.endsWith('num_batches_tracked') ? rg.tensor(v.data, v.shape, { dtype: 'i32' }) : rg.tensor(v.data, v.shape)]));
    model.loadStateDict(state);
    const x = rg.tensor(L.x, [4, 64]);
    model.train();
    const logits = model.forward(x);
    expectClose(await logits.data(), L.trainLogits, { atol: 1e-5, rtol: 1e-5 }, 'training logits');
    rg.crossEntropy(logits, rg.tensor(L.y, [4], { dtype: 'i32' })).backward();
    const sd = model.stateDict() as Record<string, rg.Tensor>;
    const params = Object.fromEntries(model.namedParameters());
    expectClose(await params['features.0.weight'].grad!.data(), L['grad.features.0.weight'], { atol: 1e-5, rtol: 1e-4 }, 'conv weight gradient');
    expectClose(await params['features.5.weight'].grad!.data(), L['grad.features.5.weight'], { atol: 1e-5, rtol: 1e-4 }, 'BN weight gradient');
    for (const [k, want] of Object.entries(L.runningAfter)) expectClose(await sd[k].data(), want, { atol: 1e-6, rtol: 1e-5 }, k);
    expect(await sd['features.1.num_batches_tracked'].item()).toBe(1);
    model.eval();
    const e = rg.noGrad(() => model.forward(x));
    expectClose(await e.data(), L.evalLogits, { atol: 1e-5, rtol: 1e-5 }, 'eval logits');
    model.dispose();
  });

  test("the command's default is norm batch; norm none is the plain LeNet-5; a saved config without norm stays plain; weights tell which", () => {
    expect(lenetSpec.configure({ features: 784, classes: 10 }, {}).norm).toBe('batch');
    expect(lenetSpec.configure({ features: 64, classes: 10 }, {}).norm).toBe('none'); // the 8x8 digits: as measured before
    expect(lenetSpec.configure({ features: 784, classes: 10 }, {}).channels).toEqual([8, 16]); // 90% on Fashion-MNIST in 3 epochs
    expect(lenetSpec.configure({ features: 64, classes: 10 }, {}).channels).toEqual([6, 16]);
    expect(lenetSpec.configure({ features: 784, classes: 10 }, { channels: [6, 16] }).channels).toEqual([6, 16]);
    expect(lenetSpec.training(lenetSpec.configure({ features: 784, classes: 10 }, {}))).toEqual({ epochs: 15, lr: 5e-3, schedule: 'onecycle' });
    expect(lenetSpec.training(lenetSpec.configure({ features: 784, classes: 10 }, { norm: 'none' }))).toEqual({ epochs: 15, lr: 1e-3 });
    const plain = new rg.LeNet({ ...config, norm: 'none' });
    const old = new rg.LeNet({ kind: 'lenet', side: 8, classes: 10, channels: [2, 3], hidden: [5, 4] });
    expect(Object.keys(old.stateDict())).toEqual(Object.keys(plain.stateDict()));
    expect(Object.keys(plain.stateDict())).toContain('features.3.bias');
    const shapes = (m: rg.LeNet) => Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, v.shape]));
    const bn = new rg.LeNet(config);
    expect(lenetSpec.infer(shapes(bn))?.config).toEqual({ ...config });
    expect(lenetSpec.infer(shapes(plain))?.config).toEqual({ ...config, norm: 'none' });
    expect(() => new rg.LeNet({ ...config, norm: 'layer' as 'batch' })).toThrow('lenet: norm must be batch or none, got "layer"');
    for (const m of [plain, old, bn]) m.dispose();
  });
});
