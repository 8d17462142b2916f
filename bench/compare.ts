// npm run bench:compare [-- --sizes 256,512,1024,2048 --iters 3 --steps 5 --mlps 64-256-256-10x256,784-1024-1024-10x512]
// rootgrad against TensorFlow.js (webgpu backend) and jax-js (webgpu), on the same adapter in one run:
// square f32 matmul GFLOP/s, an MLP training step (forward, backward, SGD update, loss read back) for
// 64-256-256-10 at batch 256 and 784-1024-1024-10 at batch 512, and the first step (pipeline compilation).
// Peers are devDependencies, used here only. Writes bench/results/compare.{json,md}.
import { create, globals } from 'webgpu';
import * as rg from '../src/node.js';
import { arg, markdownTable, median, writeResults } from './util.js';

const sizes = arg('sizes', '256,512,1024,2048').split(',').map(Number);
const iters = Number(arg('iters', '3'));
const steps = Number(arg('steps', '5'));
const info = await rg.init(); // sets up SwiftShader when there is no GPU; the peers then see the same adapter
for (const [k, v] of Object.entries(globals)) (globalThis as any)[k] ??= v;
const peerGpu = create([]);
(globalThis as any).navigator ??= { userAgent: 'node' };
(globalThis as any).navigator.gpu = peerGpu;

const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
await import('@tensorflow/tfjs-backend-webgpu');
await tf.setBackend('webgpu');
await tf.ready();
const jax: any = await import('@jax-js/jax');
const jaxDevices: string[] = await jax.init();
const jaxOk = jaxDevices.includes('webgpu');
if (jaxOk) jax.defaultDevice('webgpu');

type Row = Record<string, string | number>;
const rows: Row[] = [];
const gflops = (n: number, ms: number) => (2 * n ** 3) / (ms * 1e6);

/** Milliseconds of each of `it` calls after one warm-up call. */
async function timed(it: number, call: () => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i <= it; i++) {
    const t0 = performance.now();
    await call();
    if (i) times.push(performance.now() - t0);
  }
  return times;
}

// ---- matmul: every framework reads the whole product back (the same cost for each) ----
for (const n of sizes) {
  const it = n >= 2048 ? 1 : iters;
  rg.manualSeed(0);
  const a = rg.randn([n, n]);
  const b = rg.randn([n, n]);
  const timesRg = await timed(it, async () => {
    const c = rg.matmul(a, b);
    await c.data();
    c.dispose();
  });
  const ta = tf.randomNormal([n, n]);
  const tb = tf.randomNormal([n, n]);
  const timesTf = await timed(it, async () => {
    const c = tf.matMul(ta, tb);
    await c.data();
    c.dispose();
  });
  let timesJax: number[] = [];
  if (jaxOk) {
    const ja = jax.numpy.ones([n, n]);
    const jb = jax.numpy.ones([n, n]);
    timesJax = await timed(it, async () => void (await jax.numpy.matmul(ja.ref, jb.ref).data()));
    ja.dispose();
    jb.dispose();
  }
  const r = { n, rootgrad: gflops(n, median(timesRg)), tfjs: gflops(n, median(timesTf)), jaxjs: jaxOk ? gflops(n, median(timesJax)) : NaN };
  console.log(`matmul ${n}: rootgrad ${r.rootgrad.toFixed(2)}, tfjs ${r.tfjs.toFixed(2)}, jax-js ${r.jaxjs.toFixed(2)} GFLOP/s`);
  rows.push({ bench: `matmul ${n} (GFLOP/s)`, rootgrad: r.rootgrad.toFixed(2), tfjs: r.tfjs.toFixed(2), jaxjs: jaxOk ? r.jaxjs.toFixed(2) : 'n/a', 'rootgrad/tfjs': `${(r.rootgrad / r.tfjs).toFixed(2)}x`, 'rootgrad/jax-js': jaxOk ? `${(r.rootgrad / r.jaxjs).toFixed(2)}x` : 'n/a' });
  a.dispose();
  b.dispose();
  ta.dispose();
  tb.dispose();
}

// ---- MLP training step ----
async function rgStep(sizesMlp: number[], batch: number) {
  rg.manualSeed(0);
  const model = rg.mlp(sizesMlp);
  const opt = new rg.SGD(model.parameters(), { lr: 0.01 });
  const x = rg.randn([batch, sizesMlp[0]]);
  const y = rg.tensor(Array.from({ length: batch }, (_, i) => i % sizesMlp[sizesMlp.length - 1]), [batch], { dtype: 'i32' });
  const times: number[] = [];
  let dispatches = 0;
  let hits0 = 0;
  let miss0 = 0;
  for (let s = 0; s <= steps; s++) {
    if (s === 1) [hits0, miss0] = [rg.memory().poolHits, rg.memory().poolMisses]; // steady state: after the first step
    const d0 = rg.memory().dispatches;
    const t0 = performance.now();
    const loss = rg.keep(rg.tidy(() => {
      const l = rg.crossEntropy(model.forward(x), y);
      l.backward();
      opt.step();
      opt.zeroGrad();
      return l.detach();
    }));
    await loss.item();
    times.push(performance.now() - t0);
    dispatches = rg.memory().dispatches - d0;
    loss.dispose();
  }
  const m = rg.memory();
  const hitRate = (m.poolHits - hits0) / Math.max(1, m.poolHits - hits0 + m.poolMisses - miss0);
  opt.dispose();
  model.dispose();
  return { first: times[0], ms: median(times.slice(1)), dispatches, hitRate };
}

async function tfStep(sizesMlp: number[], batch: number) {
  const vars = sizesMlp.slice(1).flatMap((out, i) => [tf.variable(tf.randomUniform([sizesMlp[i], out], -0.05, 0.05)), tf.variable(tf.zeros([out]))]);
  const opt = tf.train.sgd(0.01);
  const x = tf.randomNormal([batch, sizesMlp[0]]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % sizesMlp[sizesMlp.length - 1]), 'int32'), sizesMlp[sizesMlp.length - 1]);
  const times: number[] = [];
  for (let s = 0; s <= steps; s++) {
    const t0 = performance.now();
    const loss = opt.minimize(() => {
      let h: any = x;
      for (let i = 0; i < vars.length; i += 2) {
        h = tf.add(tf.matMul(h, vars[i]), vars[i + 1]);
        if (i + 2 < vars.length) h = tf.relu(h);
      }
      return tf.mean(tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(h)), -1))) as any;
    }, true)!;
    await loss.data();
    times.push(performance.now() - t0);
    loss.dispose();
  }
  vars.forEach((v) => v.dispose());
  opt.dispose();
  return { first: times[0], ms: median(times.slice(1)) };
}

const mlps = arg('mlps', '64-256-256-10x256,784-1024-1024-10x512')
  .split(',')
  .map((m) => {
    const [s, b] = m.split('x');
    return [s.split('-').map(Number), Number(b)] as const;
  });
/** jax-js: loss and gradients under jit (valueAndGrad), the SGD update inside the same jitted step. */
async function jaxStep(sizesMlp: number[], batch: number) {
  const { numpy: np, nn, valueAndGrad, jit, tree } = jax;
  let p: Record<string, any> = {};
  for (let i = 0; i + 1 < sizesMlp.length; i++) {
    p[`W${i}`] = np.ones([sizesMlp[i], sizesMlp[i + 1]]).mul(0.01);
    p[`b${i}`] = np.zeros([sizesMlp[i + 1]]);
  }
  const layers = sizesMlp.length - 1;
  const C = sizesMlp[layers];
  const x = np.ones([batch, sizesMlp[0]]);
  const y = nn.oneHot(np.array(Array.from({ length: batch }, (_, i) => i % C), { dtype: 'int32' }), C);
  const lossFn = (q: any, xx: any, yy: any) => {
    let h = xx;
    for (let i = 0; i < layers; i++) {
      h = np.matmul(h, q[`W${i}`]).add(q[`b${i}`]);
      if (i + 1 < layers) h = nn.relu(h);
    }
    return np.mean(np.sum(nn.logSoftmax(h, -1).mul(yy), -1)).mul(-1);
  };
  const step = jit((q: any, xx: any, yy: any) => {
    const [loss, g] = valueAndGrad(lossFn)(tree.map((a: any) => a.ref, q), xx, yy);
    return [loss, tree.map((a: any, b: any) => a.sub(b.mul(0.01)), q, g)];
  });
  const times: number[] = [];
  for (let s = 0; s <= steps; s++) {
    const t0 = performance.now();
    const [loss, next] = step(p, x.ref, y.ref);
    await loss.data();
    times.push(performance.now() - t0);
    p = next;
  }
  return { first: times[0], ms: median(times.slice(1)) };
}

for (const [sizesMlp, batch] of mlps) {
  const r = await rgStep([...sizesMlp], batch);
  const t = await tfStep([...sizesMlp], batch);
  const j = jaxOk ? await jaxStep([...sizesMlp], batch) : null;
  const name = `${sizesMlp.join('-')} batch ${batch}`;
  console.log(`MLP step ${name}: rootgrad ${r.ms.toFixed(1)} ms (${r.dispatches} dispatches, pool hit rate ${(100 * r.hitRate).toFixed(1)}%), tfjs ${t.ms.toFixed(1)} ms, jax-js jit ${j ? j.ms.toFixed(1) : 'n/a'} ms; first step rootgrad ${r.first.toFixed(0)} ms, tfjs ${t.first.toFixed(0)} ms, jax-js ${j ? j.first.toFixed(0) : 'n/a'} ms`);
  const vs = (other: number | undefined, mine: number) => (other === undefined ? 'n/a' : `${(other / mine).toFixed(2)}x faster`);
  rows.push({ bench: `MLP step ${name} (ms)`, rootgrad: r.ms.toFixed(1), tfjs: t.ms.toFixed(1), jaxjs: j ? `${j.ms.toFixed(1)} (jit)` : 'n/a', 'rootgrad/tfjs': vs(t.ms, r.ms), 'rootgrad/jax-js': vs(j?.ms, r.ms) });
  rows.push({ bench: `first step ${name} (ms)`, rootgrad: r.first.toFixed(0), tfjs: t.first.toFixed(0), jaxjs: j ? j.first.toFixed(0) : 'n/a', 'rootgrad/tfjs': vs(t.first, r.first), 'rootgrad/jax-js': vs(j?.first, r.first) });
  rows.push({ bench: `dispatches per step ${name}`, rootgrad: r.dispatches, tfjs: '', jaxjs: '', 'rootgrad/tfjs': `pool hit rate ${(100 * r.hitRate).toFixed(1)}%`, 'rootgrad/jax-js': '' });
}

const header = ['bench', 'rootgrad', 'tfjs', 'jaxjs', 'rootgrad/tfjs', 'rootgrad/jax-js'];
writeResults(
  'compare',
  { adapter: info, iters, steps, rows },
  `rootgrad vs TensorFlow.js ${tf.version_core} (webgpu) and jax-js (webgpu) on ${info.description} (${info.architecture}), one run, one process.\n` +
    'Matmul times include reading the product back (every framework alike). MLP steps: forward, backward, SGD update (lr 0.01), loss read back; median of the steps after the first; jax-js runs the whole step under jit.\n\n' +
    markdownTable(header, rows.map((r) => header.map((h) => r[h] ?? ''))),
);
rg.shutdown();
process.exit(0);
