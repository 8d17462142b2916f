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

describe('ONNX ops composed for the issue-27 loose ends', () => {
  const fixture = (name: string) => rg.fromSafetensors(readFileSync(`test/fixtures/onnx/${name}.safetensors`)).tensors;
  const close = (got: ArrayLike<number>, want: ArrayLike<number>, what: string, digits = 4) => {
    expect(got.length, what).toBe(want.length);
    Array.from(want).forEach((v, k) => expect(got[k], `${what}[${k}]`).toBeCloseTo(v, digits));
  };

  it('Det matches torch.det up to 4 x 4, gradients included, and refuses 5 x 5 naming the node', async () => {
    const f = fixture('det');
    const m = await loadOnnx('test/fixtures/onnx/det.onnx');
    const a3 = rg.tensor(f.a3.data, f.a3.shape, { requiresGrad: true });
    const a4 = rg.tensor(f.a4.data, f.a4.shape, { requiresGrad: true });
    const [d3, d4] = m.forward(a3, a4) as Tensor[];
    expect(d3.shape).toEqual([2]);
    expect(d4.shape).toEqual([]);
    close(await d3.data(), f.d3.data, 'det3');
    close(await d4.data(), f.d4.data, 'det4');
    d3.mul(rg.tensor(f['w.d3'].data, [2])).sum().add(d4.mul(rg.tensor(f['w.d4'].data, []))).backward();
    close(await a3.grad!.data(), f['grad.d3'].data, 'grad a3');
    close(await a4.grad!.data(), f['grad.d4'].data, 'grad a4');
    m.dispose();
    const m5 = await loadOnnx('test/fixtures/onnx/det5.onnx');
    expect(() => m5.forward(rg.zeros([5, 5]))).toThrow(/^node 'det5x5' \(Det, opset 11\): matrices of 5 x 5 are not supported \(at most 4 x 4/);
    m5.dispose();
  });

  it('MaxUnpool after MaxPool matches torch max_unpool2d (and zeros up to a larger output_shape), gradients included', async () => {
    const f = fixture('maxunpool');
    const m = await loadOnnx('test/fixtures/onnx/maxunpool.onnx');
    const x = rg.tensor(f.x.data, f.x.shape, { requiresGrad: true });
    const [y, yb] = m.forward(x) as Tensor[];
    expect(yb.shape).toEqual([1, 2, 5, 7]);
    close(await y.data(), f.y.data, 'y', 6);
    close(await yb.data(), f.yb.data, 'yb', 6);
    y.mul(rg.tensor(f['w.y'].data, f['w.y'].shape)).sum().add(yb.mul(rg.tensor(f['w.yb'].data, f['w.yb'].shape)).sum()).backward();
    close(await x.grad!.data(), f['grad.x'].data, 'grad x', 5);
    m.dispose();
  });

  it("Dropout in training mode gives its mask: the output is x / (1 - ratio) where it is true, 0 elsewhere; same seed, same mask", async () => {
    const m = await loadOnnx('test/fixtures/onnx/dropout_mask.onnx');
    const xs = Float32Array.from({ length: 64 * 32 }, (_, i) => 1 + (i % 7));
    const x = rg.tensor(xs, [64, 32], { requiresGrad: true });
    rg.manualSeed(5);
    const [y, mask] = m.forward(x) as Tensor[];
    expect(mask.dtype).toBe('bool');
    const [yv, mv] = [await y.data(), await mask.data()];
    const kept = Array.from(mv).reduce((s, v) => s + v, 0) / mv.length;
    expect(kept).toBeGreaterThan(0.7);
    expect(kept).toBeLessThan(0.8); // ratio 0.25
    yv.forEach((v, i) => expect(v, `y[${i}]`).toBeCloseTo(mv[i] ? xs[i] / 0.75 : 0, 4));
    y.sum().backward();
    Array.from(await x.grad!.data()).forEach((g, i) => expect(g, `dx[${i}]`).toBeCloseTo(mv[i] / 0.75, 5));
    rg.manualSeed(5);
    const [, again] = m.forward(x) as Tensor[];
    expect(Array.from(await again.data())).toEqual(Array.from(mv));
    m.dispose();
  });

  it('DFT (real onesided with dft_length, complex inverse) matches torch.fft, gradients included', async () => {
    const f = fixture('dft');
    const m = await loadOnnx('test/fixtures/onnx/dft.onnx');
    const xr = rg.tensor(f.xr.data, f.xr.shape, { requiresGrad: true });
    const xc = rg.tensor(f.xc.data, f.xc.shape, { requiresGrad: true });
    const [yr, yc] = m.forward(xr, xc) as Tensor[];
    expect(yr.shape).toEqual([2, 7, 3, 2]);
    close(await yr.data(), f.yr.data, 'yr');
    close(await yc.data(), f.yc.data, 'yc');
    yr.mul(rg.tensor(f['w.yr'].data, f['w.yr'].shape)).sum().add(yc.mul(rg.tensor(f['w.yc'].data, f['w.yc'].shape)).sum()).backward();
    close(await xr.grad!.data(), f['grad.xr'].data, 'grad xr');
    close(await xc.grad!.data(), f['grad.xc'].data, 'grad xc');
    m.dispose();
  });

  it('GridSample (bilinear/zeros, bicubic/reflection, nearest/border) matches torch grid_sample, gradients for input and grid included', async () => {
    const f = fixture('gridsample');
    const m = await loadOnnx('test/fixtures/onnx/gridsample.onnx');
    for (const [k, mode] of ['bilinear', 'bicubic', 'nearest'].entries()) {
      const x = rg.tensor(f.x.data, f.x.shape, { requiresGrad: true });
      const grid = rg.tensor(f.grid.data, f.grid.shape, { requiresGrad: true });
      const y = (m.forward(x, grid) as Tensor[])[k];
      close(await y.data(), f[`y_${mode}`].data, mode);
      y.mul(rg.tensor(f[`w.${mode}`].data, f[`w.${mode}`].shape)).sum().backward();
      close(await x.grad!.data(), f[`grad.x.${mode}`].data, `${mode} grad x`);
      // nearest: the grid only picks (no gradient, as PyTorch's zeros)
      if (mode === 'nearest') expect(grid.grad).toBeNull();
      else close(await grid.grad!.data(), f[`grad.grid.${mode}`].data, `${mode} grad grid`, 3);
    }
    m.dispose();
  });

  it('IsNaN and IsInf find NaN and infinities that come in (by their bits), not the largest finite floats', async () => {
    const m = await loadOnnx('test/fixtures/onnx/isinf_nan.onnx');
    const x = rg.tensor(Float32Array.of(NaN, Infinity, -Infinity, 3.4028234663852886e38, -3.4e38, 0), [6]);
    const out = await m.run({ x });
    expect(Array.from(await out.nan.data())).toEqual([1, 0, 0, 0, 0, 0]);
    expect(Array.from(await out.inf.data())).toEqual([0, 1, 1, 0, 0, 0]);
    expect(Array.from(await out.pinf.data())).toEqual([0, 1, 0, 0, 0, 0]);
    expect(Array.from(await out.cinf.data())).toEqual([0, 1, 1, 0]); // a constant: on the host
    m.dispose();
  });

  it('Bernoulli draws 0/1 by the probabilities and RandomNormalLike its mean and scale, repeatably under manualSeed', async () => {
    const m = await loadOnnx('test/fixtures/onnx/random_ops.onnx');
    const p = rg.tensor(Float32Array.from({ length: 1200 }, (_, i) => [0, 1, 0.3][Math.floor(i / 400)]), [3, 400]);
    rg.manualSeed(9);
    const { b, z } = await m.run({ p });
    const bv = await b.data();
    expect(b.dtype).toBe('f32');
    expect(bv.slice(0, 400).every((v) => v === 0)).toBe(true);
    expect(bv.slice(400, 800).every((v) => v === 1)).toBe(true);
    const third = Array.from(bv.slice(800)).reduce((s, v) => s + v, 0) / 400;
    expect(third).toBeGreaterThan(0.22);
    expect(third).toBeLessThan(0.38);
    const zv = await z.data();
    const mean = Array.from(zv).reduce((s, v) => s + v, 0) / zv.length;
    expect(mean).toBeGreaterThan(1.95);
    expect(mean).toBeLessThan(2.05);
    rg.manualSeed(9);
    const again = await m.run({ p });
    expect(Array.from(await again.b.data())).toEqual(Array.from(bv));
    m.dispose();
  });
});
