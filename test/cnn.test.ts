// Convolutional networks: conv2d (every kernel path), pooling, batch/group/RMS norm against their float64
// references and finite differences (checkOp) over random geometries; PyTorch's semantics at awkward settings
// and a LeNet and a ResNet state_dict against PyTorch (test/fixtures/cnn.safetensors, made once by
// scripts/fixtures/cnn_fixture.py); running statistics; errors; determinism; the IDX reader.
import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, test } from 'vitest';
import { checkOp, property, rg, setup, valuesArb, accounted } from './helpers.js';
import { parseIdx, idxDataset } from '../src/data/idx.js';
import { loadDataset } from '../src/data/files.js';

const T = rg.opTable();
beforeAll(setup);

const values = (n: number, lo = -2, hi = 2) => valuesArb(n, lo, hi);
const sizeOf = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** A random convolution geometry; `wide` gives multiples of 8 channels per group (the 8x8 register blocks). */
const convArb = (wide: boolean) =>
  fc
    .record({
      N: fc.constantFrom(1, 2),
      groups: fc.constantFrom(1, 1, 2),
      cg: wide ? fc.constantFrom(4, 8) : fc.constantFrom(1, 2, 3),
      og: wide ? fc.constant(8) : fc.constantFrom(1, 2, 3),
      kh: fc.constantFrom(1, 2, 3),
      kw: fc.constantFrom(1, 2, 3, 5),
      stride: fc.constantFrom<[number, number]>([1, 1], [2, 1], [1, 2], [2, 2]),
      padding: fc.constantFrom<[number, number]>([0, 0], [1, 1], [0, 1], [2, 1]),
      dilation: fc.constantFrom<[number, number]>([1, 1], [2, 1], [1, 2]),
      H: fc.integer({ min: 3, max: 9 }),
      W: fc.integer({ min: 3, max: 11 }),
      bias: fc.boolean(),
    })
    .filter((g) => g.H + 2 * g.padding[0] >= g.dilation[0] * (g.kh - 1) + 1 && g.W + 2 * g.padding[1] >= g.dilation[1] * (g.kw - 1) + 1)
    .chain((g) => {
      const xs = [g.N, g.groups * g.cg, g.H, g.W];
      const ws = [g.groups * g.og, g.cg, g.kh, g.kw];
      return fc.tuple(fc.constant(g), values(sizeOf(xs)), values(sizeOf(ws), -1, 1), values(ws[0]));
    });

async function checkConv([g, x, w, b]: [any, number[], number[], number[]]) {
  const xs = [g.N, g.groups * g.cg, g.H, g.W];
  const ws = [g.groups * g.og, g.cg, g.kh, g.kw];
  const attrs = { stride: g.stride, padding: g.padding, dilation: g.dilation, groups: g.groups };
  const inputs = [{ shape: xs, data: x }, { shape: ws, data: w }, ...(g.bias ? [{ shape: [ws[0]], data: b }] : [])];
  await checkOp({ name: `conv2d ${JSON.stringify(g)}`, inputs, gpu: ([a, k, c]) => rg.conv2d(a, k, c, attrs), ref: (ins) => T.conv2d.reference(ins, attrs) });
}

describe('conv2d', () => {
  for (const variant of ['blocked', 'tiled'] as const) {
    test(`${variant}: any geometry (groups, stride, padding, dilation, bias) against the reference`, async () => {
      rg.setKernelVariant('conv', variant);
      try {
        await property(convArb(false), checkConv, 12);
      } finally {
        rg.setKernelVariant('conv', 'auto');
      }
    });
  }
  test('8 channels per group: the register-blocked fast paths (3-wide rows, flipped-weight input gradient, sliding-window weight gradient)', () => property(convArb(true), checkConv, 10));

  test("padding 'same' and 'valid', depthwise and 1x1", async () => {
    const x = rg.randn([2, 4, 5, 6]);
    expect(rg.conv2d(x, rg.randn([3, 4, 3, 3]), null, { padding: 'same' }).shape).toEqual([2, 3, 5, 6]);
    expect(rg.conv2d(x, rg.randn([3, 4, 3, 3]), null, { padding: 'valid' }).shape).toEqual([2, 3, 3, 4]);
    expect(rg.conv2d(x, rg.randn([4, 1, 3, 3]), null, { groups: 4, padding: 1 }).shape).toEqual([2, 4, 5, 6]);
    expect(rg.conv2d(x, rg.randn([8, 4, 1, 1])).shape).toEqual([2, 8, 5, 6]);
  });

  test('errors name the op and the values, and leave nothing behind', () => {
    const before = accounted().tensors;
    const x = rg.zeros([1, 4, 5, 5]);
    const cases: [() => unknown, string][] = [
      [() => rg.conv2d(rg.zeros([4, 5, 5]), rg.zeros([2, 4, 3, 3])), 'conv2d: input must be 4-D [N, C, H, W], got [4, 5, 5]'],
      [() => rg.conv2d(x, rg.zeros([2, 3, 3, 3])), 'conv2d: weight [2, 3, 3, 3] expects 3 input channels (3 per group x 1 groups), got input [1, 4, 5, 5] with 4'],
      [() => rg.conv2d(x, rg.zeros([2, 4, 7, 3])), 'conv2d: kernel 7x3 (dilation 1x1) is larger than the padded input 5x5 (input [1, 4, 5, 5], padding 0x0)'],
      [() => rg.conv2d(x, rg.zeros([2, 1, 3, 3]), null, { groups: 3 }), 'conv2d: groups (3) must divide the input channels (4)'],
      [() => rg.conv2d(x, rg.zeros([3, 2, 3, 3]), null, { groups: 2 }), 'conv2d: groups (2) must divide the output channels (3)'],
      [() => rg.conv2d(x, rg.zeros([2, 4, 3, 3]), rg.zeros([3])), 'conv2d: bias must be [2] for weight [2, 4, 3, 3], got [3]'],
      [() => rg.conv2d(x, rg.zeros([2, 4, 3, 3]), null, { stride: 0 }), 'conv2d: stride must be an integer >= 1 or a pair [h, w] of them, got 0'],
      [() => rg.conv2d(x, rg.zeros([2, 4, 2, 2]), null, { padding: 'same' }), "conv2d: padding 'same' with an even kernel [2, 2] would pad unevenly; pad explicitly"],
      [() => new rg.Conv2d(4, 2, 3).forward(rg.zeros([1, 3, 5, 5])), 'Conv2d(4, 2): expected input [N, 4, H, W], got [1, 3, 5, 5]'],
    ];
    for (const [f, msg] of cases) expect(f).toThrow(msg);
    expect(accounted().tensors - before).toBe(14); // the inputs above (x and the weights and biases), nothing else
  });

  test('backward is deterministic: the same bits twice', async () => {
    const run = async () => {
      rg.manualSeed(3);
      const x = rg.randn([2, 8, 9, 9], { requiresGrad: true });
      const w = rg.randn([8, 8, 3, 3], { requiresGrad: true });
      const y = rg.conv2d(x, w, null, { padding: 1 });
      y.backward(rg.randn(y.shape));
      const out = [...(await x.grad!.data()), ...(await w.grad!.data())];
      for (const t of [x, w, y, x.grad!, w.grad!]) t.dispose();
      return out;
    };
    expect(await run()).toEqual(await run());
  });
});

describe('pooling', () => {
  const poolArb = fc
    .record({ lead: fc.constantFrom([1, 2], [2, 1], [3]), H: fc.integer({ min: 2, max: 7 }), W: fc.integer({ min: 2, max: 7 }), k: fc.constantFrom(1, 2, 3), s: fc.constantFrom(1, 2, 3), p: fc.constantFrom(0, 1), include: fc.boolean() })
    .filter((g) => 2 * g.p <= g.k && g.H + 2 * g.p >= g.k && g.W + 2 * g.p >= g.k);
  test('maxPool2d (distinct values) against the reference', () =>
    property(poolArb.chain((g) => fc.tuple(fc.constant(g), fc.shuffledSubarray([...Array(400).keys()], { minLength: sizeOf([...g.lead, g.H, g.W]), maxLength: sizeOf([...g.lead, g.H, g.W]) }))), ([g, perm]) => {
      const opts = { kernel: g.k, stride: g.s, padding: g.p };
      const a = { kernel: [g.k, g.k] as [number, number], stride: [g.s, g.s] as [number, number], padding: [g.p, g.p] as [number, number], dilation: [1, 1] as [number, number], ceilMode: false };
      return checkOp({ name: 'maxPool2d', inputs: [{ shape: [...g.lead, g.H, g.W], data: perm.map((v) => (v - 200) / 20) }], gpu: ([x]) => rg.maxPool2d(x, opts), ref: (xs) => T.maxPool2d.reference(xs, a) });
    }));
  test('avgPool2d (with and without the padding in the divisor) against the reference', () =>
    property(poolArb.chain((g) => fc.tuple(fc.constant(g), values(sizeOf([...g.lead, g.H, g.W])))), ([g, v]) => {
      const opts = { kernel: g.k, stride: g.s, padding: g.p, countIncludePad: g.include };
      const a = { kernel: [g.k, g.k] as [number, number], stride: [g.s, g.s] as [number, number], padding: [g.p, g.p] as [number, number], countIncludePad: g.include, ceilMode: false };
      return checkOp({ name: 'avgPool2d', inputs: [{ shape: [...g.lead, g.H, g.W], data: v }], gpu: ([x]) => rg.avgPool2d(x, opts), ref: (xs) => T.avgPool2d.reference(xs, a) });
    }));
  test('adaptiveAvgPool2d (output larger, equal and smaller than the input) against the reference', () =>
    property(fc.record({ H: fc.integer({ min: 1, max: 7 }), W: fc.integer({ min: 1, max: 7 }), oh: fc.integer({ min: 1, max: 5 }), ow: fc.integer({ min: 1, max: 5 }) }).chain((g) => fc.tuple(fc.constant(g), values(2 * g.H * g.W))), ([g, v]) =>
      checkOp({ name: 'adaptiveAvgPool2d', inputs: [{ shape: [1, 2, g.H, g.W], data: v }], gpu: ([x]) => rg.adaptiveAvgPool2d(x, [g.oh, g.ow]), ref: (xs) => T.adaptiveAvgPool2d.reference(xs, { output: [g.oh, g.ow] }) })));
  test('errors', () => {
    const x = rg.zeros([1, 1, 4, 4]);
    expect(() => rg.maxPool2d(x, { kernel: 2, padding: 2 })).toThrow('maxPool2d: padding [2, 2] must be smaller than the kernel [2, 2]');
    expect(() => rg.avgPool2d(x, { kernel: 5 })).toThrow('avgPool2d: kernel 5x5 is larger than the padded input 4x4 (input [1, 1, 4, 4])');
    expect(() => rg.maxPool2d(rg.zeros([4, 4]), { kernel: 2 })).toThrow('maxPool2d: input must be 3-D [C, H, W] or 4-D [N, C, H, W], got [4, 4]');
    expect(() => rg.adaptiveAvgPool2d(x, 0)).toThrow('adaptiveAvgPool2d: output size must be an integer >= 1 or a pair [h, w] of them, got 0');
  });
});

describe('normalisation', () => {
  const normArb = fc.record({ N: fc.constantFrom(2, 3), C: fc.constantFrom(1, 2, 4), S: fc.constantFrom<number[]>([], [3], [2, 3]) }).chain((g) => fc.tuple(fc.constant(g), values(g.N * g.C * sizeOf(g.S)), values(g.C, 0.5, 1.5), values(g.C)));
  for (const training of [true, false]) {
    test(`batchNorm (${training ? 'batch' : 'running'} statistics) against the reference`, () =>
      property(normArb, ([g, x, w, b]) => {
        const rm = Array.from({ length: g.C }, (_, i) => 0.1 * i - 0.1);
        const rv = Array.from({ length: g.C }, (_, i) => 0.5 + 0.25 * i);
        const a = { training, momentum: 0.1, eps: 1e-5 };
        return checkOp({
          name: 'batchNorm',
          inputs: [{ shape: [g.N, g.C, ...g.S], data: x }, { shape: [g.C], data: w }, { shape: [g.C], data: b }],
          gpu: ([xx, ww, bb]) => rg.tidy(() => rg.keep(rg.batchNorm(xx, ww, bb, { training, runningMean: rg.tensor(rm, [g.C]), runningVar: rg.tensor(rv, [g.C]) }))),
          ref: ([xx, ww, bb]) => T.batchNorm.reference([xx, ww, bb, { shape: [g.C], data: Float64Array.from(rm) }, { shape: [g.C], data: Float64Array.from(rv) }], a),
        });
      }, 8));
  }
  test('groupNorm against the reference', () =>
    property(normArb.chain(([g, x, w, b]) => fc.tuple(fc.constant([g, x, w, b] as const), fc.constantFrom(...[1, 2, 4].filter((d) => g.C % d === 0)))), ([[g, x, w, b], groups]) =>
      checkOp({ name: 'groupNorm', inputs: [{ shape: [g.N, g.C, ...g.S], data: x }, { shape: [g.C], data: w }, { shape: [g.C], data: b }], gpu: ([xx, ww, bb]) => rg.groupNorm(xx, groups, ww, bb), ref: (xs) => T.groupNorm.reference(xs, { groups, eps: 1e-5 }) }), 8));
  test('rmsNorm against the reference', () =>
    property(fc.record({ rows: fc.constantFrom(1, 3), D: fc.constantFrom(1, 4, 7) }).chain((g) => fc.tuple(fc.constant(g), values(g.rows * g.D), values(g.D, 0.5, 1.5))), ([g, x, w]) =>
      checkOp({ name: 'rmsNorm', inputs: [{ shape: [g.rows, g.D], data: x }, { shape: [g.D], data: w }], gpu: ([xx, ww]) => rg.rmsNorm(xx, ww), ref: (xs) => T.rmsNorm.reference(xs, { eps: 1e-6 }) }), 8));

  test('BatchNorm2d: running statistics move in training (momentum, unbiased variance), not in eval; num_batches_tracked counts', async () => {
    const bn = new rg.BatchNorm2d(2);
    const data = Array.from({ length: 2 * 2 * 3 }, (_, i) => (i * 7) % 11);
    const x = rg.tensor(data, [2, 2, 3, 1]);
    const y = bn.forward(x);
    const per = [0, 1].map((c) => [0, 1].flatMap((n) => data.slice((n * 2 + c) * 3, (n * 2 + c) * 3 + 3)));
    const mean = per.map((v) => v.reduce((a, b) => a + b) / v.length);
    const unbiased = per.map((v, c) => v.reduce((a, b) => a + (b - mean[c]) ** 2, 0) / (v.length - 1));
    const rm = await bn.running_mean!.data();
    const rv = await bn.running_var!.data();
    mean.forEach((m, c) => expect(rm[c]).toBeCloseTo(0.1 * m, 5));
    unbiased.forEach((v, c) => expect(rv[c]).toBeCloseTo(0.9 + 0.1 * v, 5));
    expect(await bn.num_batches_tracked!.item()).toBe(1);
    bn.eval();
    const z = rg.noGrad(() => bn.forward(x));
    expect([...(await bn.running_mean!.data())]).toEqual([...rm]);
    expect(await bn.num_batches_tracked!.item()).toBe(1);
    // eval normalises with the running statistics
    const zs = await z.data();
    expect(zs[0]).toBeCloseTo((data[0] - rm[0]) / Math.sqrt(rv[0] + 1e-5), 4);
    expect(Object.keys(bn.stateDict()).sort()).toEqual(['bias', 'num_batches_tracked', 'running_mean', 'running_var', 'weight']);
    for (const t of [x, y, z]) t.dispose();
    bn.dispose();
  });

  test('errors', () => {
    const x = rg.zeros([2, 3, 4]);
    expect(() => rg.batchNorm(x, rg.ones([2]), rg.zeros([3]))).toThrow('batchNorm: weight must be [3] for input [2, 3, 4], got [2]');
    expect(() => rg.batchNorm(x, null, null, { training: false })).toThrow('batchNorm: eval mode (training: false) needs runningMean and runningVar');
    expect(() => rg.batchNorm(x, null, null, { runningMean: rg.zeros([3]) })).toThrow('batchNorm: give both runningMean and runningVar, or neither');
    expect(() => rg.batchNorm(rg.zeros([1, 3]), null, null)).toThrow('batchNorm: training needs more than one value per channel, got input [1, 3]');
    expect(() => rg.groupNorm(x, 2, rg.ones([3]), rg.zeros([3]))).toThrow('groupNorm: groups (2) must be a positive integer dividing the channels (3)');
    expect(() => rg.rmsNorm(x, rg.ones([3]))).toThrow('rmsNorm: weight must be [4] for input [2, 3, 4], got [3]');
  });
});

describe('against PyTorch (test/fixtures/cnn.safetensors)', () => {
  const { tensors } = rg.fromSafetensors(new Uint8Array(readFileSync('test/fixtures/cnn.safetensors')));
  const host = (name: string) => rg.toDevice({ t: tensors[name] }).t;
  const prefixed = (p: string) => Object.fromEntries(Object.entries(tensors).filter(([n]) => n.startsWith(p) && !n.startsWith(`${p}out.`)).map(([n, t]) => [n.slice(p.length), t]));
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    expect(a.length).toBe(b.length);
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  };

  test('conv2d, pooling and group/RMS norm at awkward settings give PyTorch outputs', async () => {
    const a = host('op.a');
    const got: Record<string, rg.Tensor> = {
      'op.conv': rg.conv2d(a, host('op.conv_w'), host('op.conv_b'), { stride: [2, 1], padding: [1, 2], dilation: [2, 1], groups: 2 }),
      'op.maxpool': rg.maxPool2d(a, { kernel: 3, stride: 2, padding: 1 }),
      'op.avgpool': rg.avgPool2d(a, { kernel: [3, 2], stride: [2, 1], padding: 1, countIncludePad: false }),
      'op.avgpool_pad': rg.avgPool2d(a, { kernel: 3, stride: 2, padding: 1 }),
      'op.adaptive': rg.adaptiveAvgPool2d(a, [4, 3]),
      'op.groupnorm': rg.groupNorm(a, 2, host('op.gn_w'), host('op.gn_b')),
      'op.rmsnorm': rg.rmsNorm(a, host('op.rms_w')),
    };
    for (const [name, t] of Object.entries(got)) {
      expect(t.shape, name).toEqual(tensors[name].shape);
      expect(maxDiff(await t.data(), tensors[name].data), name).toBeLessThan(2e-5);
    }
  });

  test('a LeNet state_dict loads strictly; logits and a weight gradient match PyTorch', async () => {
    const model = new rg.LeNet({ kind: 'lenet', side: 8, classes: 10 });
    const state = prefixed('lenet.');
    expect(Object.keys(model.stateDict()).sort()).toEqual(Object.keys(state).sort());
    model.loadStateDict(rg.toDevice(state));
    const x = host('x');
    const logits = model.forward(x);
    expect(maxDiff(await logits.data(), tensors['lenet.out.logits'].data)).toBeLessThan(1e-5);
    rg.crossEntropy(logits, host('y')).backward();
    expect(maxDiff(await model.features.layers[0].parameters()[0].grad!.data(), tensors['lenet.out.grad.features.0.weight'].data)).toBeLessThan(1e-5);
    model.dispose();
  });

  test('a ResNet state_dict (with BatchNorm buffers) loads strictly; eval and training logits, gradients and updated running statistics match PyTorch', async () => {
    const model = new rg.ResNet({ kind: 'resnet', side: 8, classes: 10, width: 8 });
    const state = prefixed('resnet.');
    expect(Object.keys(model.stateDict()).sort()).toEqual(Object.keys(state).sort()); // torchvision's names
    model.loadStateDict(rg.toDevice(state));
    const x = host('x');
    model.eval();
    const evalLogits = rg.noGrad(() => model.forward(x));
    expect(maxDiff(await evalLogits.data(), tensors['resnet.out.eval_logits'].data)).toBeLessThan(1e-5);
    model.train();
    const logits = model.forward(x);
    expect(maxDiff(await logits.data(), tensors['resnet.out.train_logits'].data)).toBeLessThan(1e-5);
    rg.crossEntropy(logits, host('y')).backward();
    const params = Object.fromEntries(model.namedParameters());
    for (const n of ['conv1.weight', 'layer2.0.downsample.0.weight', 'layer1.0.bn2.weight', 'fc.weight']) {
      expect(maxDiff(await params[n].grad!.data(), tensors[`resnet.out.grad.${n}`].data), n).toBeLessThan(1e-5);
    }
    const after = model.stateDict();
    for (const n of ['bn1.running_mean', 'bn1.running_var', 'layer2.0.bn1.running_var', 'layer2.0.bn1.num_batches_tracked']) {
      expect(maxDiff(await (after[n] as rg.Tensor).data(), tensors[`resnet.out.after.${n}`].data), n).toBeLessThan(1e-5);
    }
    model.dispose();
  });
});

describe('IDX files', () => {
  const idx = (type: number, dims: number[], values: number[]) => {
    const b = new Uint8Array(4 + 4 * dims.length + values.length);
    b.set([0, 0, type, dims.length]);
    const v = new DataView(b.buffer);
    dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
    b.set(values, 4 + 4 * dims.length);
    return b;
  };
  test('parses images and labels into a data set with pixels in [0, 1]', () => {
    const images = parseIdx(idx(8, [2, 2, 3], [0, 255, 51, 102, 153, 204, 1, 2, 3, 4, 5, 6]));
    const labels = parseIdx(idx(8, [2], [7, 2]));
    const ds = idxDataset(images, labels, 'tiny');
    expect([ds.n, ds.features, ds.classes]).toEqual([2, 6, 8]);
    expect(ds.x[1]).toBe(1);
    expect(ds.x[2]).toBeCloseTo(0.2, 6);
  });
  test('refuses bad magic, unknown types, truncation, trailing bytes and mismatched counts, naming the file', () => {
    expect(() => parseIdx(new Uint8Array([1, 0, 8, 1, 0, 0, 0, 0]), 'f')).toThrow('f: not an IDX file (magic starts 01 00, expected 00 00)');
    expect(() => parseIdx(idx(0x0d, [1], [0, 0, 0, 0]), 'f')).toThrow('f: IDX values of type f32 (0d) are not supported');
    expect(() => parseIdx(idx(0x07, [1], [0]), 'f')).toThrow('f: unknown IDX value type 07');
    expect(() => parseIdx(idx(8, [2, 3], [1, 2, 3]), 'f')).toThrow('f: truncated: the header says 2 x 3 = 6 values, the file has 3');
    expect(() => parseIdx(idx(8, [2], [1, 2, 3]), 'f')).toThrow('f: 1 bytes after the 2 values the header announces');
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 3, 0, 0]), 'f')).toThrow('f: truncated header: 6 bytes, the header of 3 dimensions needs 16');
    expect(() => idxDataset(parseIdx(idx(8, [2, 1, 1], [0, 0])), parseIdx(idx(8, [3], [0, 1, 2])), 'd')).toThrow('d: 2 images but 3 labels');
  });
  test('fuzzed bytes give an Error with the file name or parse, never anything else', () =>
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(40), fc.nat(255), (noise, at, byte) => {
        const b = idx(8, [2, 2], [1, 2, 3, 4]);
        const mutated = new Uint8Array([...b.slice(0, at % (b.length + 1)), ...noise]);
        mutated[at % Math.max(mutated.length, 1)] = byte;
        try {
          const r = parseIdx(mutated, 'fuzz');
          expect(r.data.length).toBe(r.dims.reduce((x, y) => x * y, 1));
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          expect((e as Error).message.startsWith('fuzz: ')).toBe(true);
        }
      }),
      { numRuns: 300, seed: 1 },
    ));
  test('a folder of IDX files (raw and gzipped) loads with its own test split', () => {
    const dir = mkdtempSync(join(tmpdir(), 'idx-'));
    const img = (n: number) => idx(8, [n, 2, 2], Array.from({ length: n * 4 }, (_, i) => i % 256));
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(img(5)));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx(8, [5], [0, 1, 2, 1, 0]));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), img(3));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(idx(8, [3], [2, 2, 1])));
    const ds = loadDataset(dir);
    expect([ds.n, ds.features, ds.classes, ds.test?.n]).toEqual([5, 4, 3, 3]);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(idx(8, [3], [2, 2, 1])).subarray(0, 12));
    expect(() => loadDataset(dir)).toThrow(/t10k-labels-idx1-ubyte.gz: broken gzip data/);
  });
});
