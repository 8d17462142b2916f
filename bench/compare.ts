// npm run bench:compare [-- --sizes 256,512,1024,2048 --iters 3 --steps 5 --mlps 64-256-256-10x256,784-1024-1024-10x512 --gpt 32-32-64-4-16|off --autotune]
// rootgrad against TensorFlow.js (webgpu backend) and jax-js (webgpu), on the same adapter in one run, in
// this order: MLP training steps (forward, backward, SGD update, loss read back) for 64-256-256-10 at
// batch 256 and 784-1024-1024-10 at batch 512, with the first step of each (pipeline compilation, cold:
// they run first); square f32 matmul GFLOP/s; a one-block GPT training step (vocab-context-width-heads-
// batch). --autotune runs rootgrad's autotune() first (the choices go into the JSON). Peers are
// devDependencies, used here only. Writes bench/results/compare.{json,md}.
import * as rg from '../src/node.js';
import { loadPeers } from './peers.js';
import { arg, markdownTable, median, writeResults } from './util.js';
import { jaxGptStep, jaxMlpStep, rgGptStep, rgMlpStep, timeCalls, timeSteps, gptData } from './steps.js';

const sizes = arg('sizes', '256,512,1024,2048').split(',').map(Number);
const iters = Number(arg('iters', '3'));
const steps = Number(arg('steps', '5'));
const info = await rg.init(); // sets up SwiftShader when there is no GPU; the peers then see the same adapter
const tuned = process.argv.includes('--autotune') ? await rg.autotune() : null;
if (tuned) console.log(`autotune: ${tuned.map((t) => `${t.kernel}:${t.shapeClass} ${t.chosen}`).join(', ')}`);
const { tf, jax, jaxOk } = await loadPeers();

type Row = Record<string, string | number>;
const vs = (other: number | undefined, mine: number) => (other === undefined ? 'n/a' : other >= mine ? `${(other / mine).toFixed(2)}x faster` : `${(mine / other).toFixed(2)}x slower`);
const rows: Row[] = [];
const gflops = (n: number, ms: number) => (2 * n ** 3) / (ms * 1e6);
const timedAfterWarmup = async (n: number, call: () => Promise<void>) => (await timeCalls(n, call)).slice(1);
/** TensorFlow.js: optimizer.minimize over the variables, loss read back. */
async function tfTrain(vars: any[], lossOf: () => any) {
  const opt = tf.train.sgd(0.01);
  const t = await timeSteps(steps, async () => {
    const loss = opt.minimize(lossOf, true)!;
    await loss.data();
    loss.dispose();
  });
  vars.forEach((v) => v.dispose());
  opt.dispose();
  return t;
}

async function tfStep(sizesMlp: number[], batch: number) {
  const vars = sizesMlp.slice(1).flatMap((out, i) => [tf.variable(tf.randomUniform([sizesMlp[i], out], -0.05, 0.05)), tf.variable(tf.zeros([out]))]);
  const x = tf.randomNormal([batch, sizesMlp[0]]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % sizesMlp[sizesMlp.length - 1]), 'int32'), sizesMlp[sizesMlp.length - 1]);
  return tfTrain(vars, () => {
    let h: any = x;
    for (let i = 0; i < vars.length; i += 2) {
      h = tf.add(tf.matMul(h, vars[i]), vars[i + 1]);
      if (i + 2 < vars.length) h = tf.relu(h);
    }
    return tf.mean(tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(h)), -1))) as any;
  });
}

const mlps = arg('mlps', '64-256-256-10x256,784-1024-1024-10x512')
  .split(',')
  .map((m) => {
    const [s, b] = m.split('x');
    return [s.split('-').map(Number), Number(b)] as const;
  });
for (const [sizesMlp, batch] of mlps) {
  const r = await rgMlpStep([...sizesMlp], batch, steps);
  const c = await rgMlpStep([...sizesMlp], batch, steps, true);
  const t = await tfStep([...sizesMlp], batch);
  const j = jaxOk ? await jaxMlpStep(jax, [...sizesMlp], batch, steps) : null;
  const name = `${sizesMlp.join('-')} batch ${batch}`;
  console.log(`MLP step ${name}: rootgrad ${r.ms.toFixed(1)} ms (${r.dispatches} dispatches, pool hit rate ${(100 * r.hitRate).toFixed(1)}%), compiled ${c.ms.toFixed(1)} ms, tfjs ${t.ms.toFixed(1)} ms, jax-js jit ${j ? j.ms.toFixed(1) : 'n/a'} ms; first step rootgrad ${r.first.toFixed(0)} ms, tfjs ${t.first.toFixed(0)} ms, jax-js ${j ? j.first.toFixed(0) : 'n/a'} ms`);
  rows.push({ bench: `MLP step ${name} (ms)`, rootgrad: r.ms.toFixed(1), tfjs: t.ms.toFixed(1), jaxjs: j ? `${j.ms.toFixed(1)} (jit)` : 'n/a', 'rootgrad/tfjs': vs(t.ms, r.ms), 'rootgrad/jax-js': vs(j?.ms, r.ms) });
  rows.push({ bench: `MLP step ${name}, rootgrad compiled (ms)`, rootgrad: c.ms.toFixed(1), tfjs: t.ms.toFixed(1), jaxjs: j ? `${j.ms.toFixed(1)} (jit)` : 'n/a', 'rootgrad/tfjs': vs(t.ms, c.ms), 'rootgrad/jax-js': vs(j?.ms, c.ms) });
  rows.push({ bench: `first step ${name} (ms)`, rootgrad: r.first.toFixed(0), tfjs: t.first.toFixed(0), jaxjs: j ? j.first.toFixed(0) : 'n/a', 'rootgrad/tfjs': vs(t.first, r.first), 'rootgrad/jax-js': vs(j?.first, r.first) });
  rows.push({ bench: `dispatches per step ${name}`, rootgrad: r.dispatches, tfjs: '', jaxjs: '', 'rootgrad/tfjs': `pool hit rate ${(100 * r.hitRate).toFixed(1)}%`, 'rootgrad/jax-js': '' });
}

// ---- matmul: every framework reads the whole product back (the same cost for each) ----
for (const n of sizes) {
  const it = n >= 2048 ? 1 : iters;
  rg.manualSeed(0);
  const a = rg.randn([n, n]);
  const b = rg.randn([n, n]);
  const timesRg = await timedAfterWarmup(it, async () => {
    const c = rg.matmul(a, b);
    await c.data();
    c.dispose();
  });
  const ta = tf.randomNormal([n, n]);
  const tb = tf.randomNormal([n, n]);
  const timesTf = await timedAfterWarmup(it, async () => {
    const c = tf.matMul(ta, tb);
    await c.data();
    c.dispose();
  });
  let timesJax: number[] = [];
  if (jaxOk) {
    const ja = jax.numpy.ones([n, n]);
    const jb = jax.numpy.ones([n, n]);
    timesJax = await timedAfterWarmup(it, async () => void (await jax.numpy.matmul(ja.ref, jb.ref).data()));
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


// ---- one-block GPT training step (token + position embeddings, causal attention, GELU MLP, tied head) ----
const [gV, gT, gD, gH, gB] = arg('gpt', '32-32-64-4-16').split('-').map(Number); // vocab, context, width, heads, batch
const gptName = `GPT 1 block V${gV} T${gT} d${gD} h${gH} batch ${gB}`;
const gptShape = { V: gV, T: gT, D: gD, H: gH, B: gB };
const { ids: gptIds, targets: gptTargets } = gptData(gptShape);

async function tfGpt() {
  const [V, T, D, H, B] = [gV, gT, gD, gH, gB];
  const Dh = D / H;
  const w = (shape: number[]) => tf.variable(tf.randomNormal(shape, 0, 0.02));
  const ones = (n: number) => tf.variable(tf.ones([n]));
  const zeros = (n: number) => tf.variable(tf.zeros([n]));
  const v = { wte: w([V, D]), wpe: w([T, D]), g1: ones(D), c1: zeros(D), wq: w([D, D]), bq: zeros(D), wk: w([D, D]), bk: zeros(D), wv: w([D, D]), bv: zeros(D), wo: w([D, D]), bo: zeros(D), g2: ones(D), c2: zeros(D), w1: w([D, 4 * D]), b1: zeros(4 * D), w2: w([4 * D, D]), b2: zeros(D), gf: ones(D), cf: zeros(D) };
  const ids = tf.tensor2d(gptIds, [B, T], 'int32');
  const y = tf.oneHot(tf.tensor1d(gptTargets, 'int32'), V);
  const mask = tf.tensor2d(Array.from({ length: T * T }, (_, i) => (i % T > Math.floor(i / T) ? -1e9 : 0)), [T, T]);
  const ln = (x: any, g: any, c: any) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), c);
  };
  const lin = (x: any, wt: any, b: any) => tf.add(tf.matMul(x, wt), b);
  const gelu = (x: any) => tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI))), 1));
  const heads = (x: any) => tf.transpose(tf.reshape(x, [B, T, H, Dh]), [0, 2, 1, 3]);
  return tfTrain(Object.values(v), () => {
    let x: any = tf.add(tf.gather(v.wte, ids), v.wpe);
    const h = tf.reshape(ln(x, v.g1, v.c1), [B * T, D]);
    const scores = tf.add(tf.mul(tf.matMul(heads(lin(h, v.wq, v.bq)), heads(lin(h, v.wk, v.bk)), false, true), 1 / Math.sqrt(Dh)), mask);
    const o = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), heads(lin(h, v.wv, v.bv))), [0, 2, 1, 3]), [B * T, D]);
    x = tf.add(x, tf.reshape(lin(o, v.wo, v.bo), [B, T, D]));
    const m = lin(gelu(lin(tf.reshape(ln(x, v.g2, v.c2), [B * T, D]), v.w1, v.b1)), v.w2, v.b2);
    x = tf.add(x, tf.reshape(m, [B, T, D]));
    const logits = tf.matMul(tf.reshape(ln(x, v.gf, v.cf), [B * T, D]), v.wte, false, true);
    return tf.losses.softmaxCrossEntropy(y, logits) as any;
  });
}

if (arg('gpt', '') !== 'off') {
  const r = await rgGptStep(gptShape, steps);
  const c = await rgGptStep(gptShape, steps, true);
  const t = await tfGpt();
  let j: { first: number; ms: number } | null = null;
  if (jaxOk) {
    try {
      j = await jaxGptStep(jax, gptShape, steps);
    } catch (e) {
      console.log(`jax-js GPT step failed: ${(e as Error).message}`);
    }
  }
  console.log(`${gptName}: rootgrad ${r.ms.toFixed(1)} ms (${r.dispatches} dispatches), compiled ${c.ms.toFixed(1)} ms, tfjs ${t.ms.toFixed(1)} ms, jax-js jit ${j ? j.ms.toFixed(1) : 'n/a'} ms; first step ${r.first.toFixed(0)} / ${t.first.toFixed(0)} / ${j ? j.first.toFixed(0) : 'n/a'} ms`);
  rows.push({ bench: `${gptName} step (ms)`, rootgrad: r.ms.toFixed(1), tfjs: t.ms.toFixed(1), jaxjs: j ? `${j.ms.toFixed(1)} (jit)` : 'n/a', 'rootgrad/tfjs': vs(t.ms, r.ms), 'rootgrad/jax-js': vs(j?.ms, r.ms) });
  rows.push({ bench: `${gptName} step, rootgrad compiled (ms)`, rootgrad: c.ms.toFixed(1), tfjs: t.ms.toFixed(1), jaxjs: j ? `${j.ms.toFixed(1)} (jit)` : 'n/a', 'rootgrad/tfjs': vs(t.ms, c.ms), 'rootgrad/jax-js': vs(j?.ms, c.ms) });
  rows.push({ bench: `first step ${gptName} (ms)`, rootgrad: r.first.toFixed(0), tfjs: t.first.toFixed(0), jaxjs: j ? j.first.toFixed(0) : 'n/a', 'rootgrad/tfjs': vs(t.first, r.first), 'rootgrad/jax-js': vs(j?.first, r.first) });
  rows.push({ bench: `dispatches per step ${gptName}`, rootgrad: r.dispatches, tfjs: '', jaxjs: '', 'rootgrad/tfjs': '', 'rootgrad/jax-js': '' });
}

const header = ['bench', 'rootgrad', 'tfjs', 'jaxjs', 'rootgrad/tfjs', 'rootgrad/jax-js'];
writeResults(
  'compare',
  { adapter: info, iters, steps, autotune: tuned, rows },
  `rootgrad vs TensorFlow.js ${tf.version_core} (webgpu) and jax-js (webgpu) on ${info.description} (${info.architecture}), one run, one process.\n` +
    (tuned ? `rootgrad autotuned first: ${tuned.map((t) => `${t.kernel}:${t.shapeClass} ${t.chosen}`).join(', ')}.\n` : '') +
    'Matmul times include reading the product back (every framework alike). Training steps (MLP, GPT): forward, backward, SGD update (lr 0.01), loss read back; median of the steps after the first (after the first three for rootgrad compiled: two are recorded); jax-js runs the whole step under jit. The MLP steps run first, so their first steps include compiling every kernel they use.\n\n' +
    markdownTable(header, rows.map((r) => header.map((h) => r[h] ?? ''))),
);
rg.shutdown();
process.exit(0);
