import * as rg from '../src/node.js';
import { GPT } from '../models/gpt.js';
import { ResNet } from '../models/resnet.js';
await rg.init();
rg.manualSeed(0);
const gpt = new GPT({ kind: 'gpt', vocab: 16, context: 8, dim: 16, heads: 2, layers: 1 });
const ids = rg.tensor(Array.from({ length: 16 }, (_, i) => (i * 5) % 16), [2, 8], { dtype: 'i32' });
const tg = rg.tensor(Array.from({ length: 16 }, (_, i) => (i * 3) % 16), [16], { dtype: 'i32' });
const loss = (m: any, b: any) => m.loss(b.ids, b.tg);
for (const fastMode of [true, false]) {
  const a = await rg.auditModule(gpt, loss, { ids, tg }, { fastMode });
  console.log('gpt', a.mode, a.parameters, a.seconds.toFixed(2), a.pass);
  if (fastMode) console.log(rg.moduleAuditMarkdown(a));
}
const res = new ResNet({ kind: 'resnet', side: 8, classes: 10, width: 16 });
const x = rg.randn([2, 64]);
const y = rg.tensor([1, 7], [2], { dtype: 'i32' });
const a = await rg.auditModule(res, (m: any, b: any) => rg.crossEntropy(m.forward(b.x), b.y), { x, y }, { fastMode: true });
console.log('resnet', a.mode, a.parameters, a.seconds.toFixed(2), a.pass);
const t0 = performance.now();
const rep = await rg.gradgradcheck((...ps: rg.Tensor[]) => loss(gpt, { ids, tg }), gpt.parameters(), { directions: 2 });
console.log("gpt gradgradcheck", ((performance.now() - t0) / 1000).toFixed(2), rep.pass, JSON.stringify(rep.checks));
rg.shutdown();
