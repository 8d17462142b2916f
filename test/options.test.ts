// Options objects are checked like PyTorch's keyword arguments (issue #32 item 9): each public function and
// constructor that takes one rejects a misspelt key with an error naming it (and the near match, if any).
import { beforeAll, describe, expect, test } from 'vitest';
import { rg, setup } from './helpers.js';
import { loadOnnx } from '../src/onnx/node.js';

beforeAll(setup);

const x4 = () => rg.randn([1, 2, 4, 4]);
const w = () => rg.randn([2, 2, 3, 3]);
const bad = { typo: 1 } as never;

// [where (the error's prefix), call with a misspelt option]
const sync: [string, () => unknown][] = [
  ['SGD', () => new rg.SGD([rg.randn([2], { requiresGrad: true })], { lr: 0.1, momentun: 0.9 } as never)],
  ['SGD: parameter group 0', () => new rg.SGD([{ params: [rg.randn([2], { requiresGrad: true })], LR: 0.1 } as never], { lr: 0.1 })],
  ['Adam', () => new rg.Adam([rg.randn([2], { requiresGrad: true })], { weight_decay: 0.1 } as never)],
  ['AdamW', () => new rg.AdamW([rg.randn([2], { requiresGrad: true })], { beta: [0.9, 0.99] } as never)],
  ['Adam: parameter group 0', () => new rg.Adam([{ params: [rg.randn([2], { requiresGrad: true })], weightdecay: 0 } as never])],
  ['cosineSchedule', () => rg.cosineSchedule(0.1, { total: 10, warmUp: 2 } as never)],
  ['constantSchedule', () => rg.constantSchedule(0.1, bad)],
  ['Linear', () => new rg.Linear(2, 3, { Bias: false } as never)],
  ['mlp', () => rg.mlp([2, 3, 4], { activations: 'gelu' } as never)],
  ['Embedding', () => new rg.Embedding(4, 2, { sd: 0.02 } as never)],
  ['TransformerBlock', () => new rg.TransformerBlock(8, 2, { casual: true } as never)],
  ['Conv2d', () => new rg.Conv2d(2, 2, 3, { pad: 1 } as never)],
  ['BatchNorm1d', () => new rg.BatchNorm1d(2, { track_running_stats: false } as never)],
  ['BatchNorm2d', () => new rg.BatchNorm2d(2, { epsilon: 1e-3 } as never)],
  ['MaxPool2d', () => new rg.MaxPool2d({ kernel: 2, strides: 2 } as never)],
  ['AvgPool2d', () => new rg.AvgPool2d({ kernel: 2, countIncludePadding: false } as never)],
  ['loadStateDict', () => new rg.Linear(2, 2).loadStateDict({}, { strict: false, Strict: false } as never)],
  ['tensor', () => rg.tensor([1, 2], undefined, { type: 'f32' } as never)],
  ['full', () => rg.full([2], 1, { requires_grad: true } as never)],
  ['zeros', () => rg.zeros([2], bad)],
  ['ones', () => rg.ones([2], { dtype: 'f32', grad: true } as never)],
  ['arange', () => rg.arange(0, 4, 1, { dtyp: 'i32' } as never)],
  ['rand', () => rg.rand([2], { lo: 0 } as never)],
  ['randn', () => rg.randn([2], { stddev: 2 } as never)],
  ['gelu', () => rg.gelu(rg.randn([2]), { approx: 'tanh' } as never)],
  ['hardsigmoid', () => rg.hardsigmoid(rg.randn([2]), { Alpha: 0.1 } as never)],
  ['shrink', () => rg.shrink(rg.randn([2]), { lambda: 0.5 } as never)],
  ['cumsum', () => rg.cumsum(rg.randn([3]), 0, { reversed: true } as never)],
  ['variance', () => rg.variance(rg.randn([3]), 0, { unbiased: false } as never)],
  ['std', () => rg.std(rg.randn([3]), 0, { keepDim: true } as never)],
  ['multinomial', () => rg.multinomial(rg.tensor([0.5, 0.5]), 1, { replace: true } as never)],
  ['attention', () => { const q = rg.randn([1, 2, 4]); return rg.attention(q, q, q, { isCausal: true } as never); }],
  ['scatter', () => rg.scatter(rg.zeros([3]), 0, rg.tensor([0], undefined, { dtype: 'i32' }), rg.ones([1]), { reduction: 'add' } as never)],
  ['scatterNd', () => rg.scatterNd(rg.zeros([3]), rg.tensor([[0]], undefined, { dtype: 'i32' }), rg.ones([1]), { reduce: 'add' } as never)],
  ['conv2d', () => rg.conv2d(x4(), w(), null, { pading: 1 } as never)],
  ['convTranspose2d', () => rg.convTranspose2d(x4(), w(), null, { output_padding: 1 } as never)],
  ['convTranspose1d', () => rg.convTranspose1d(rg.randn([1, 2, 4]), rg.randn([2, 2, 3]), null, { Stride: 2 } as never)],
  ['maxPool2d', () => rg.maxPool2d(x4(), { kernel: 2, kernelSize: 2 } as never)],
  ['maxPool2dWithIndices', () => rg.maxPool2dWithIndices(x4(), { kernel: 2, returnIndices: true } as never)],
  ['avgPool2d', () => rg.avgPool2d(x4(), { kernel: 2, ceil_mode: true } as never)],
  ['batchNorm', () => rg.batchNorm(x4(), null, null, { train: true } as never)],
  ['pad', () => rg.pad(rg.randn([3]), [1, 1], { mode: 'reflect', fill: 0 } as never)],
  ['interpolate', () => rg.interpolate(x4(), { size: [8, 8], align_corners: true } as never)],
  ['resize', () => rg.resize(x4(), { sizes: [1, 2, 8, 8] } as never)],
  ['localResponseNorm', () => rg.localResponseNorm(x4(), 2, 1e-4, 0.75, 1, { after: 1 } as never)],
  ['backward', () => rg.sum(rg.randn([2], { requiresGrad: true })).backward(undefined, { retain_graph: true } as never)],
  ['grad', () => { const a = rg.randn([2], { requiresGrad: true }); return rg.grad(rg.sum(a), a, { allowunused: true } as never); }],
  ['lmSplit', () => rg.lmSplit('abcdefghijklmnop', 4, { frac: 0.5 } as never)],
  ['GPT.loss', () => { const m = new rg.GPT({ kind: 'gpt', vocab: 5, context: 4, dim: 8, heads: 2, layers: 1 }); const ids = rg.tensor([[0, 1, 2, 3]], undefined, { dtype: 'i32' }); return m.loss(ids, ids, { Loss: 'ce' } as never); }],
  ['compile', () => rg.compile(() => rg.zeros([1]), { cachesize: 2 } as never)],
];

const async: [string, () => Promise<unknown>][] = [
  ['init', () => rg.init({ adaptor: 'x' } as never)],
  ['isSupported', () => rg.isSupported(bad)],
  ['autotune', () => rg.autotune({ iterations: 2 } as never)],
  ['loadOnnx', () => loadOnnx(new Uint8Array(0), { Trainable: false } as never)],
  ['trainLM', () => rg.trainLM({} as never, {} as never, { steps: 1, evalevery: 1 } as never)],
  ['trainLM hooks', () => rg.trainLM({} as never, {} as never, { steps: 1 } as never, { onlog: () => {} } as never)],
  ['lmEvaluate', () => rg.lmEvaluate({} as never, new Int32Array(0), {} as never, { token: 2 } as never)],
  ['checkValue', () => rg.checkValue((a) => a, null, [rg.randn([2])], { rtol: 1 } as never)],
];

describe('unknown option keys are errors', () => {
  test.each(sync)('%s', (where, call) => {
    expect(call).toThrow(`${where}: unknown option '`);
  });
  test.each(async)('%s', async (where, call) => {
    await expect(call()).rejects.toThrow(`${where}: unknown option '`);
  });
  test('the error names the key, the near match and the valid keys', () => {
    expect(() => rg.conv2d(x4(), w(), null, { Padding: 1 } as never)).toThrow("conv2d: unknown option 'Padding' (did you mean 'padding'?); valid options: stride, padding, dilation, groups");
  });
  test('the right keys still run', () => {
    const y = rg.conv2d(x4(), w(), null, { padding: 1, stride: 1 });
    expect(y.shape).toEqual([1, 2, 4, 4]);
    expect(new rg.SGD([{ params: [rg.randn([2], { requiresGrad: true })], lr: 0.2 }], { lr: 0.1, momentum: 0.9 }).paramGroups[0].lr).toBe(0.2);
  });
});
