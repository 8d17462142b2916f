import * as rg from '../src/node.js';
import { rt } from '../src/runtime.js';
await rg.init();
const a = rg.tensor([1, 2, 3, 4]);
const b = rg.tensor([1, 2, 3, 4]);
const r = rt();
for (let rep = 0; rep < 600; rep++) {
  for (let i = 0; i < 500; i++) rg.add(a, b).dispose();
  r.flush();
  await r.device.queue.onSubmittedWorkDone();
}
rg.shutdown();
