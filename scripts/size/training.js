// The training app of the size table: an MLP, the rooted loss and Adam, a few steps.
import { init, tensor, randn, mlp, rootedLoss, Adam } from 'rootgrad';

await init();
const model = mlp([64, 32, 10]);
const opt = new Adam(model.parameters(), { lr: 1e-3 });
const x = randn([16, 64]);
const y = tensor(Array.from({ length: 16 }, (_, i) => i % 10), [16], { dtype: 'i32' });
for (let step = 0; step < 3; step++) {
  opt.zeroGrad();
  const loss = rootedLoss(model.forward(x), y, { k: 3, m: 3 });
  loss.backward();
  opt.step();
  console.log(await loss.item());
}
