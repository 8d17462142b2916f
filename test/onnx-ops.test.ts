// ONNX ops that rootgrad composes from its own ops (src/onnx/ops/elementwise.ts): outputs and gradients
// against PyTorch's functions (scripts/fixtures/onnx_models.py), and Mod/Floor/Round against their
// definitions on the host.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { rg, setup } from './helpers.js';
import { loadOnnx } from '../src/onnx/node.js';
import type { Tensor } from '../src/node.js';

beforeAll(setup);

describe('composed ONNX ops', () => {
  it('match PyTorch, gradients included', async () => {
    const { tensors: f } = rg.fromSafetensors(readFileSync('test/fixtures/onnx/composed.safetensors'));
    const m = await loadOnnx('test/fixtures/onnx/composed.onnx');
    for (const [i, name] of m.outputNames.entries()) {
      const x = rg.tensor(f.input.data, f.input.shape, { requiresGrad: true });
      const y = (m.forward(x) as Tensor[])[i];
      const got = await y.data();
      f[name].data.forEach((v, k) => expect(got[k], `${name}[${k}]`).toBeCloseTo(v, 5));
      y.sum().backward();
      const g = await x.grad!.data();
      f[`grad.${name}`].data.forEach((v, k) => expect(g[k], `d${name}[${k}]`).toBeCloseTo(v, 4));
      x.dispose();
      y.dispose();
    }
    m.dispose();
  });
});

describe('ONNX ops on the issue-27 primitives, beyond what the backend test data covers in float32', () => {
  it('CumSum with exclusive and reverse (the test data holds only float64 ones)', async () => {
    const { tensors: f } = rg.fromSafetensors(readFileSync('test/fixtures/onnx/cumsum_modes.safetensors'));
    const m = await loadOnnx('test/fixtures/onnx/cumsum_modes.onnx');
    const x = rg.tensor(f.input.data, f.input.shape, { requiresGrad: true });
    const outs = m.forward(x) as Tensor[];
    for (const [i, name] of m.outputNames.entries()) {
      const got = await outs[i].data();
      f[name].data.forEach((v, k) => expect(got[k], `${name}[${k}]`).toBeCloseTo(v, 5));
    }
    // d/dx of sum(exclusive reverse cumsum) along a row of 4: element j is counted by the j positions before it
    outs[3].sum().backward();
    expect(Array.from(await x.grad!.data())).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    m.dispose();
  });

  it('Resize over the channel axis is refused with a message (rootgrad resizes the last two axes)', async () => {
    const m = await loadOnnx('test/fixtures/onnx/resize_channels.onnx');
    const x = rg.zeros([1, 2, 3, 3]);
    await expect(m.run({ x })).rejects.toThrow(/node 'up_channels' \(Resize, opset 13\): resizes only the last two axes; input \[1, 2, 3, 3\] with scales \[1, 2, 2, 2\] changes axis 1/);
    x.dispose();
    m.dispose();
  });
});

describe('OneHot', () => {
  it('wraps negative indices and leaves the rows of indices outside [-depth, depth) all off, as ONNX', async () => {
    const m = await loadOnnx('test/fixtures/onnx/onehot_range.onnx');
    const idx = rg.tensor([1, -1, 4, -5, 0], [5], { dtype: 'i32' });
    const { y } = await m.run({ idx });
    expect(y.shape).toEqual([4, 5]); // axis 0: classes first
    // column j is index j's row: 1 -> class 1; -1 -> class 3; 4 and -5 -> none; 0 -> class 0
    expect(Array.from(await y.data())).toEqual([
      -1, -1, -1, -1, 3,
      3, -1, -1, -1, -1,
      -1, -1, -1, -1, -1,
      -1, 3, -1, -1, -1,
    ]);
    idx.dispose();
    m.dispose();
  });
});
