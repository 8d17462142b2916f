// npm run bench:conv [-- --configs 16-32-16,16-32-32 --iters 3]
// conv2d forward + backward (dX, dW, db) for batch N, C -> C channels, S x S images, 3x3, padding 1
// (configs N-C-S), on the same adapter in one run: rootgrad (NCHW), TensorFlow.js webgpu (NHWC, its native
// layout) and jax-js webgpu (NCHW, under jit), and against the matmul roofline here: rootgrad's matmul of
// the same GEMM ([C, 9C] @ [9C, N*S*S], the FLOPs of one pass) timed alone. Each timing reads a gradient
// back. Writes bench/results/conv.{json,md}.
import * as rg from '../src/node.js';
import { arg, markdownTable, median, sync, writeResults } from './util.js';
import { loadPeers } from './peers.js';

const configs = arg('configs', '16-32-16,16-32-32').split(',').map((c) => c.split('-').map(Number));
const iters = Number(arg('iters', '3'));
const info = await rg.init();
const { tf, jax, jaxOk } = await loadPeers();

/** Median ms of `iters` calls after one warm-up (pipeline compilation). */
async function timed(call: () => Promise<void>): Promise<{ first: number; ms: number }> {
  const times: number[] = [];
  for (let i = 0; i <= iters; i++) {
    const t0 = performance.now();
    await call();
    times.push(performance.now() - t0);
  }
  return { first: times[0], ms: median(times.slice(1)) };
}

const results: Record<string, unknown>[] = [];
const rows: (string | number)[][] = [];
for (const [N, C, S] of configs) {
  const flops = 2 * N * C * C * 9 * S * S; // one pass; forward + backward (dX, dW) is three
  rg.manualSeed(0);
  const x = rg.randn([N, C, S, S], { requiresGrad: true });
  const w = rg.randn([C, C, 3, 3], { std: 0.1, requiresGrad: true });
  const b = rg.zeros([C], { requiresGrad: true });
  const r = rg.randn([N, C, S, S]);
  const mine = await timed(async () => {
    const y = rg.conv2d(x, w, b, { padding: 1 });
    y.backward(r);
    y.dispose();
    await sync(x.grad!);
    for (const p of [x, w, b]) {
      p.grad!.dispose();
      p.grad = null;
    }
  });
  const fwd = await timed(async () => {
    const y = rg.noGrad(() => rg.conv2d(x, w, b, { padding: 1 }));
    await sync(y);
    y.dispose();
  });
  const A = rg.randn([C, 9 * C]);
  const B = rg.randn([9 * C, N * S * S]);
  const mm = await timed(async () => {
    const c = rg.matmul(A, B);
    await sync(c);
    c.dispose();
  });
  for (const t of [x, w, b, r, A, B]) t.dispose();

  const tx = tf.randomNormal([N, S, S, C]);
  const tw = tf.randomNormal([3, 3, C, C], 0, 0.1);
  const tdy = tf.randomNormal([N, S, S, C]);
  const gradsOf = tf.grads((a: any, k: any) => tf.conv2d(a, k, 1, 'same'));
  const theirs = await timed(async () => {
    const [dx, dw] = gradsOf([tx, tw], tdy);
    await dx.data();
    dx.dispose();
    dw.dispose();
  });
  tf.dispose([tx, tw, tdy]);

  let jaxT: { first: number; ms: number } | null = null;
  if (jaxOk) {
    const { numpy: np, lax, grad, jit, random } = jax;
    const key = random.key(0);
    const [k1, k2, k3] = random.split(key, 3);
    const jx = random.normal(k1, [N, C, S, S]);
    const jw = random.normal(k2, [C, C, 3, 3]);
    const jr = random.normal(k3, [N, C, S, S]);
    const f = (xx: any, ww: any, rr: any) => np.sum(lax.conv(xx, ww, [1, 1], 'SAME').mul(rr));
    const step = jit((xx: any, ww: any, rr: any) => grad(f, { argnums: [0, 1] })(xx, ww, rr));
    try {
      jaxT = await timed(async () => {
        const [dx, dw] = step(jx.ref, jw.ref, jr.ref);
        await dx.data();
        dw.dispose();
      });
    } catch (e) {
      console.log(`jax-js conv failed: ${(e as Error).message}`);
    }
  }
  const gf = (ms: number, passes: number) => (passes * flops) / (ms * 1e6);
  const name = `N${N} ${C}->${C} ${S}x${S} 3x3 pad 1`;
  const res = { config: name, rootgradMs: mine.ms, rootgradForwardMs: fwd.ms, tfjsMs: theirs.ms, jaxjsMs: jaxT?.ms ?? null, matmulMs: mm.ms, rootgradGflops: gf(mine.ms, 3), forwardGflops: gf(fwd.ms, 1), matmulGflops: gf(mm.ms, 1), tfjsGflops: gf(theirs.ms, 3), first: { rootgrad: mine.first, tfjs: theirs.first, jaxjs: jaxT?.first ?? null } };
  results.push(res);
  console.log(JSON.stringify(res));
  rows.push([
    name,
    `${mine.ms.toFixed(1)} (${res.rootgradGflops.toFixed(2)})`,
    `${theirs.ms.toFixed(1)} (${res.tfjsGflops.toFixed(2)})`,
    jaxT ? `${jaxT.ms.toFixed(1)} (${gf(jaxT.ms, 3).toFixed(2)})` : 'n/a',
    `${(theirs.ms / mine.ms).toFixed(2)}x`,
    jaxT ? `${(jaxT.ms / mine.ms).toFixed(2)}x` : 'n/a',
    `${fwd.ms.toFixed(1)} (${res.forwardGflops.toFixed(2)})`,
    `${mm.ms.toFixed(1)} (${res.matmulGflops.toFixed(2)})`,
  ]);
}

const md =
  `conv2d forward + backward on ${info.description} (${info.architecture}), one run, one process: ms (GFLOP/s, counting 3 passes for forward + backward).\n` +
  'Speedup columns: their time over rootgrad\'s (above 1: rootgrad faster). "matmul roofline": rootgrad\'s matmul of the same GEMM, one pass.\n\n' +
  markdownTable(['config', 'rootgrad fwd+bwd', 'tfjs fwd+bwd', 'jax-js fwd+bwd (jit)', 'vs tfjs', 'vs jax-js', 'rootgrad fwd', 'matmul roofline (1 pass)'], rows) +
  `\nCommand: npm run bench:conv -- --configs ${configs.map((c) => c.join('-')).join(',')} --iters ${iters}\n`;
writeResults('conv', { adapter: info, iters, results }, md);
rg.shutdown();
process.exit(0);
