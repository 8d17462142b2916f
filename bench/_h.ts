import * as rg from '../src/node.js';
await rg.init();
rg.manualSeed(1);
const y = rg.tensor([0, 2, 1, 2, 0], [5], { dtype: 'i32' });
const x = rg.randn([5, 4]);
const w1 = rg.randn([6, 4]), b1 = rg.randn([6]), w2 = rg.randn([3, 6]), b2 = rg.randn([3]);
const cases: [string, (...a: rg.Tensor[]) => rg.Tensor, rg.Tensor[]][] = [
  ['mlp tanh rooted', (a, b, c, d) => rg.rootedLoss(rg.linear(rg.tanh(rg.linear(x, a, b)), c, d), y), [w1, b1, w2, b2]],
  ['gelu ce', (a, b, c, d) => rg.crossEntropy(rg.linear(rg.gelu(rg.linear(x, a, b)), c, d), y), [w1, b1, w2, b2]],
  ['layernorm', (a, g, b) => rg.layerNorm(a, g, b), [rg.randn([3, 8]), rg.randn([8]), rg.randn([8])]],
  ['attention causal', (q, k, v) => rg.attention(q, k, v, { causal: true }), [rg.randn([1, 2, 5, 4]), rg.randn([1, 2, 5, 4]), rg.randn([1, 2, 5, 4])]],
];
for (const [name, fn, ins] of cases) {
  const t0 = performance.now();
  try {
    const rep = await rg.gradgradcheck(fn, ins, { directions: 3 });
    console.log(name, rep.pass, rep.checks.map((c) => `${c.autograd.toExponential(3)} vs ${c.finiteDifference.toExponential(3)}`).join('; '), (performance.now() - t0).toFixed(0), 'ms');
  } catch (e) { console.log(name, 'ERROR', (e as Error).message); }
}
