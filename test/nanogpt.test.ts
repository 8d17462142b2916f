// examples/nanogpt.ts against PyTorch: a nanoGPT state_dict (made once by scripts/fixtures/nanogpt_fixture.py
// with Debian's python3-torch, committed as test/fixtures/nanogpt.safetensors) loads strictly, and the logits
// and loss match PyTorch's to 1e-5, with the explicit masked attention and with the fused attention op.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { rg, setup } from './helpers.js';
import { NanoGPT, type NanoGptConfig } from '../examples/nanogpt.js';

beforeAll(setup);

const { tensors, metadata } = rg.fromSafetensors(new Uint8Array(readFileSync('test/fixtures/nanogpt.safetensors')));
const c = JSON.parse(metadata.config) as { vocab: number; block: number; layers: number; heads: number; dim: number };
const config: NanoGptConfig = { blockSize: c.block, vocabSize: c.vocab, nLayer: c.layers, nHead: c.heads, nEmbd: c.dim, dropout: 0, bias: true };
const weights = Object.fromEntries(Object.entries(tensors).filter(([n]) => !n.startsWith('fixture.')));

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('nanoGPT, written with rootgrad ops, against PyTorch', () => {
  for (const flash of [false, true]) {
    test(`a nanoGPT state_dict loads strictly; logits and loss match PyTorch to 1e-5 (${flash ? 'fused attention op' : 'tril + maskedFill'})`, async () => {
      const model = new NanoGPT({ ...config, flash });
      expect(Object.keys(model.stateDict()).sort()).toEqual(Object.keys(weights).sort()); // nanoGPT's names, tied head included
      model.loadStateDict(rg.toDevice(weights));
      const idx = rg.toDevice({ idx: tensors['fixture.idx'] }).idx;
      const targets = rg.toDevice({ t: tensors['fixture.targets'] }).t;
      const [logits, loss] = rg.noGrad(() => model.forward(idx, targets));
      expect(logits.shape).toEqual(tensors['fixture.logits'].shape);
      expect(maxAbsDiff(await logits.data(), tensors['fixture.logits'].data)).toBeLessThan(1e-5);
      expect(Math.abs((await loss!.item()) - tensors['fixture.loss'].data[0])).toBeLessThan(1e-5);
      for (const t of [logits, loss!, idx, targets]) t.dispose();
      model.dispose();
    });
  }

  test('tied weights, decay groups, a training step, and generate with top-k sampling', async () => {
    rg.manualSeed(2);
    const model = new NanoGPT(config);
    const V = config.vocabSize;
    expect(model.namedParameters().map(([n]) => n)).toContain('transformer.wte.weight');
    expect(model.namedParameters().map(([n]) => n)).not.toContain('lm_head.weight'); // the tied tensor, once
    const opt = model.configureOptimizers(0.1, 1e-3);
    expect(opt.paramGroups.map((g) => g.weightDecay)).toEqual([0.1, 0]);
    const x = rg.tensor(Array.from({ length: 16 }, (_, i) => i % V), [2, 8], { dtype: 'i32' });
    const y = rg.tensor(Array.from({ length: 16 }, (_, i) => (i + 1) % V), [2, 8], { dtype: 'i32' });
    const losses: number[] = [];
    for (let s = 0; s < 3; s++) {
      const l = rg.tidy(() => {
        const [, loss] = model.forward(x, y);
        loss!.backward();
        opt.step();
        opt.zeroGrad();
        return loss!.detach();
      });
      losses.push(await l.item());
      l.dispose();
    }
    expect(losses[2]).toBeLessThan(losses[0]);
    const out = model.generate(rg.tensor([[1, 2]], [1, 2], { dtype: 'i32' }), 9, 0.8, 3); // past the block size: cropped
    expect(out.shape).toEqual([1, 11]);
    expect([...(await out.data())].every((v) => v >= 0 && v < V)).toBe(true);
    for (const t of [x, y, out]) t.dispose();
    opt.dispose();
    model.dispose();
  });
});
