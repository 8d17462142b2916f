// npm run bench:overhead [-- --ops 500 --reps 15 --steps 20 --gpt 32-32-64-4-16]
// Host cost of dispatch, in one process: µs of host time per tiny op (a 4-element add) recorded eagerly,
// and per dispatch replayed by a compiled step, beside Dawn's own cost of encoding the same dispatch
// (setPipeline + setBindGroup + dispatchWorkgroups on a cached bind group, and the submit, where Dawn
// translates the commands) and of making a bind group.
// Host time only: each loop is timed up to its submit, the GPU's work is waited for outside the timer.
// Then training steps, eager vs compiled vs jax-js's jit: MLPs 8-8-8-2 (batch 4) and 64-256-256-10
// (batch 256), and the one-block GPT; the device's floor (a tiny dispatch run, a readback) and the tiny MLP's
// step against a replay at that floor. Then the tiny MLP step's dispatches, each timed alone on the device.
// Last, the rooted loss composed of ops ({ fused: false }) eager, compiled and compiled with fuse, against
// its hand-fused kernel. Writes bench/results/overhead.{json,md}.
import * as rg from '../src/node.js';
import { rt, type BufferView, type Kernel } from '../src/runtime.js';
import { loadPeers } from './peers.js';
import { arg, markdownTable, median, writeResults } from './util.js';
import { jaxGptStep, jaxMlpStep, mlpStep, rgGptStep, rgMlpModes } from './steps.js';

const OPS = Number(arg('ops', '500'));
const REPS = Number(arg('reps', '15'));
const STEPS = Number(arg('steps', '20'));
const info = await rg.init();
const r = rt();

async function settle(): Promise<void> {
  r.flush();
  await r.device.queue.onSubmittedWorkDone();
}

/** Loops run untimed first, so that V8 has optimised the loop's code (the first loops of a new closure run in
 * its interpreter and baseline tiers: a chain's first loops measured 2x slower). */
const WARMUP = 8;

/** Median host µs per unit of `body` (which does `units` of them), GPU work waited for between reps. */
async function hostMicros(units: number, body: () => void): Promise<number> {
  const times: number[] = [];
  for (let rep = 0; rep < REPS + WARMUP; rep++) {
    await settle();
    const t0 = performance.now();
    body();
    r.flush();
    const t = performance.now() - t0;
    if (rep >= WARMUP) times.push((t * 1000) / units);
  }
  await settle();
  return median(times);
}

const a = rg.tensor([1, 2, 3, 4]);
const b = rg.tensor([4, 3, 2, 1]);
const eagerAdd = await hostMicros(OPS, () => {
  for (let i = 0; i < OPS; i++) rg.add(a, b).dispose();
});
const eagerChain = await hostMicros(OPS, () => {
  let x = rg.affine(a, 1, 0);
  for (let i = 1; i < OPS; i++) {
    const y = rg.add(x, b);
    x.dispose();
    x = y;
  }
  x.dispose();
});
const chain = rg.compile((x: rg.Tensor, y: rg.Tensor) => {
  let z = rg.affine(x, 1, 0);
  for (let i = 1; i < OPS; i++) z = rg.add(z, y);
  return z;
});
for (let i = 0; i < 3; i++) chain(a, b).dispose(); // two recordings, then plans
const compiledChain = await hostMicros(OPS, () => chain(a, b).dispose());
if (chain.stats.replays < REPS) throw new Error('bench:overhead: the compiled chain did not replay');

// Dawn alone: the same add kernel, one cached bind group, words at a dynamic offset.
const x = rg.add(a, b);
await settle();
const kernel = r.kernel('binary', { EXPR: 'a + b', MODE: 0, T: 'vec4<f32>', MAP: 'vec4<f32>(op(a.x, b.x), op(a.y, b.y), op(a.z, b.z), op(a.w, b.w))' });
const paramsBuf = r.device.createBuffer({ size: 256 * 1024, usage: 0x80 | 0x08 });
const views = [a, b, x].map((t) => t.storage().view(16));
const group = r.bindGroup(kernel, paramsBuf, 20, views);
const dawn = async (withBindGroup: boolean) => {
  const times: number[] = [];
  for (let rep = 0; rep < REPS + 2; rep++) {
    const encoder = r.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    const offset = [0];
    const t0 = performance.now();
    for (let i = 0; i < OPS; i++) {
      offset[0] = (i % 1000) * 256;
      const g = withBindGroup ? r.device.createBindGroup({ layout: kernel.layout, entries: [{ binding: 0, resource: { buffer: paramsBuf, offset: 0, size: 20 } }, ...views.map((v, j) => ({ binding: j + 1, resource: { buffer: v.buffer, offset: 0, size: 16 } }))] }) : group;
      pass.setPipeline(kernel.pipeline);
      pass.setBindGroup(0, g, offset);
      pass.dispatchWorkgroups(1);
    }
    pass.end();
    r.device.queue.submit([encoder.finish()]); // Dawn translates the commands for Vulkan here: timed too
    const t = performance.now() - t0;
    await r.device.queue.onSubmittedWorkDone();
    if (rep >= 2) times.push((t * 1000) / OPS);
  }
  return median(times);
};
const dawnEncode = await dawn(false);
const dawnWithGroup = await dawn(true);
// What no compiled step can remove: the device running a dispatch (the floor: the same add, encoded, submitted
// and run to completion, 200 in one submit) and reading a value back (a 4-element tensor: copy, map, read).
const runFloor = await (async () => {
  const times: number[] = [];
  for (let rep = 0; rep < REPS + 2; rep++) {
    await settle();
    const t0 = performance.now();
    const encoder = r.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(kernel.pipeline);
    for (let i = 0; i < 200; i++) {
      pass.setBindGroup(0, group, [0]);
      pass.dispatchWorkgroups(1);
    }
    pass.end();
    r.device.queue.submit([encoder.finish()]);
    await r.device.queue.onSubmittedWorkDone();
    if (rep >= 2) times.push(((performance.now() - t0) * 1000) / 200);
  }
  return median(times);
})();
const readback = await (async () => {
  const times: number[] = [];
  for (let rep = 0; rep < REPS + 2; rep++) {
    await settle();
    const t0 = performance.now();
    await x.data();
    if (rep >= 2) times.push(performance.now() - t0);
  }
  return median(times);
})();
paramsBuf.destroy();
console.log(`host µs per tiny op: eager add ${eagerAdd.toFixed(2)}, eager chain ${eagerChain.toFixed(2)}, compiled chain ${compiledChain.toFixed(2)}; Dawn encode ${dawnEncode.toFixed(2)}, Dawn encode + createBindGroup ${dawnWithGroup.toFixed(2)}; a tiny dispatch run ${runFloor.toFixed(2)} µs, a readback ${(readback * 1000).toFixed(0)} µs`);

// ---- training steps ----
const { jax, jaxOk } = await loadPeers();
type Row = Record<string, string | number>;
const rows: Row[] = [
  { bench: 'host µs per tiny op, eager (4-element add, fresh output, disposed)', eager: eagerAdd.toFixed(2), compiled: '', jaxjs: '', 'compiled vs eager': '', 'compiled vs jax-js': '' },
  { bench: `host µs per tiny op, a chain of ${OPS} adds`, eager: eagerChain.toFixed(2), compiled: compiledChain.toFixed(2), jaxjs: '', 'compiled vs eager': `${(eagerChain / compiledChain).toFixed(2)}x`, 'compiled vs jax-js': '' },
  { bench: "rootgrad's own host µs per eager tiny op (eager add minus Dawn's encode and submit)", eager: (eagerAdd - dawnEncode).toFixed(2), compiled: '', jaxjs: '', 'compiled vs eager': '', 'compiled vs jax-js': '' },
  { bench: 'Dawn alone: µs per encoded and submitted dispatch (cached bind group)', eager: dawnEncode.toFixed(2), compiled: '', jaxjs: '', 'compiled vs eager': '', 'compiled vs jax-js': '' },
  { bench: 'Dawn alone: µs per dispatch with a new bind group', eager: dawnWithGroup.toFixed(2), compiled: '', jaxjs: '', 'compiled vs eager': '', 'compiled vs jax-js': '' },
  { bench: 'the device: µs per tiny dispatch encoded, submitted and run (200 in one submit, waited for)', eager: runFloor.toFixed(2), compiled: '', jaxjs: '', 'compiled vs eager': '', 'compiled vs jax-js': '' },
  { bench: 'the device: µs to read a 4-element tensor back (copy, map, read)', eager: (readback * 1000).toFixed(0), compiled: '', jaxjs: '', 'compiled vs eager': '', 'compiled vs jax-js': '' },
];
const ratio = (slow: number, fast: number) => `${(slow / fast).toFixed(2)}x`;
type StepTimes = { ms: number; hostMs: number; dispatches: number };
const stepRow = (name: string, e: StepTimes, c: StepTimes, f: StepTimes, j: { ms: number } | null, floorRow = false) => {
  console.log(`${name}: eager ${e.ms.toFixed(2)} ms (${e.dispatches} dispatches; host ${e.hostMs.toFixed(2)}), compiled ${c.ms.toFixed(2)} ms (host ${c.hostMs.toFixed(2)}), compiled + fuse ${f.ms.toFixed(2)} ms (${f.dispatches}), jax-js jit ${j ? j.ms.toFixed(2) : 'n/a'} ms`);
  rows.push({ bench: `${name} step (ms, ${e.dispatches} dispatches)`, eager: e.ms.toFixed(2), compiled: c.ms.toFixed(2), 'compiled + fuse': `${f.ms.toFixed(2)} (${f.dispatches} dispatches)`, jaxjs: j ? j.ms.toFixed(2) : 'n/a', 'compiled vs eager': ratio(e.ms, c.ms), 'compiled vs jax-js': j ? ratio(j.ms, c.ms) : 'n/a' });
  // Where a step's time goes: the call itself (recording or replaying), then the submit, the GPU's work and
  // the loss's readback, which compile cannot shorten. The last column bounds compile's gain: eager against a
  // replay that cost nothing on the host.
  rows.push({ bench: `${name}: the call alone, host (ms)`, eager: e.hostMs.toFixed(2), compiled: c.hostMs.toFixed(2), 'compiled + fuse': f.hostMs.toFixed(2), jaxjs: '', 'compiled vs eager': ratio(e.hostMs, c.hostMs), 'compiled vs jax-js': '' });
  rows.push({ bench: `${name}: submit, GPU and readback (ms; eager vs a free replay)`, eager: (e.ms - e.hostMs).toFixed(2), compiled: (c.ms - c.hostMs).toFixed(2), 'compiled + fuse': (f.ms - f.hostMs).toFixed(2), jaxjs: '', 'compiled vs eager': ratio(e.ms, c.ms - c.hostMs), 'compiled vs jax-js': '' });
  // Looser still, and independent of this step's kernels: a replay at Dawn's encode cost per dispatch, each
  // kernel as fast as the device's tiny-dispatch floor, and one readback. Only for a step of tiny kernels:
  // a larger step's kernels are far above that floor, and the bound says nothing there.
  if (!floorRow) return;
  const best = (c.dispatches * (dawnEncode + runFloor)) / 1000 + readback;
  rows.push({ bench: `${name}: a replay at the floor (ms: ${c.dispatches} x (Dawn encode + tiny dispatch run) + a readback; eager vs it)`, eager: '', compiled: best.toFixed(2), 'compiled + fuse': '', jaxjs: '', 'compiled vs eager': ratio(e.ms, best), 'compiled vs jax-js': '' });
};
for (const [sizes, batch] of [[[8, 8, 8, 2], 4], [[64, 256, 256, 10], 256]] as const) {
  const { eager: e, compiled: c, fuse: f } = await rgMlpModes([...sizes], batch, STEPS);
  const j = jaxOk ? await jaxMlpStep(jax, [...sizes], batch, STEPS) : null;
  stepRow(`MLP ${sizes.join('-')} batch ${batch}`, e, c, f, j, batch === 4);
}
if (arg('gpt', '') !== 'off') {
  const [V, T, D, H, B] = arg('gpt', '32-32-64-4-16').split('-').map(Number);
  const g = { V, T, D, H, B };
  const e = await rgGptStep(g, STEPS);
  const c = await rgGptStep(g, STEPS, true);
  const f = await rgGptStep(g, STEPS, 'fuse');
  let j: { ms: number } | null = null;
  if (jaxOk) {
    try {
      j = await jaxGptStep(jax, g, STEPS);
    } catch (err) {
      console.log(`jax-js GPT step failed: ${(err as Error).message}`);
    }
  }
  stepRow(`GPT 1 block V${V} T${T} d${D} h${H} batch ${B}`, e, c, f, j);
}

// ---- where the tiny MLP step's device time goes: each of its dispatches alone ----
// One eager step is recorded through the runtime's Recorder hook (as compile records), then each dispatch
// is encoded 50 times in one submit on its own buffers and waited for: the device's time per dispatch of
// that kernel at that size, its floor included (median of 7).
async function stepKernels(): Promise<{ kernel: string; groups: string; us: number }[]> {
  const mlp = mlpStep([8, 8, 8, 2], 4);
  const body = () => mlp.step().detach();
  for (let i = 0; i < 2; i++) {
    const l = rg.tidy(body);
    await l.item();
    l.dispose();
  }
  const seen: { k: Kernel; bindings: BufferView[]; words: Uint32Array; groups: [number, number?, number?] }[] = [];
  const none = () => {};
  r.recorder = { dispatch: (k, bindings, words, groups) => void seen.push({ k, bindings: bindings.map((b) => ({ ...b })), words: words.slice(), groups }), copy: none, upload: none, guard: none, elementwise: none, host: none, acquired: none, released: none, readback: none };
  const loss = rg.tidy(body);
  r.recorder = null;
  await loss.item();
  const params = r.device.createBuffer({ size: 4096, usage: 0x80 | 0x08 });
  const out: { kernel: string; groups: string; us: number }[] = [];
  for (const d of seen) {
    r.device.queue.writeBuffer(params, 0, d.words);
    const group = r.bindGroup(d.k, params, d.words.length * 4, d.bindings);
    const times: number[] = [];
    for (let rep = 0; rep < 9; rep++) {
      await settle();
      const t0 = performance.now();
      const encoder = r.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(d.k.pipeline);
      for (let i = 0; i < 50; i++) {
        pass.setBindGroup(0, group, [0]);
        pass.dispatchWorkgroups(d.groups[0], d.groups[1] ?? 1, d.groups[2] ?? 1);
      }
      pass.end();
      r.device.queue.submit([encoder.finish()]);
      await r.device.queue.onSubmittedWorkDone();
      if (rep >= 2) times.push(((performance.now() - t0) * 1000) / 50);
    }
    out.push({ kernel: d.k.name, groups: d.groups.map((g) => g ?? 1).join('x'), us: median(times) });
  }
  params.destroy();
  loss.dispose();
  mlp.dispose();
  return out;
}
const tinyKernels = await stepKernels();
console.log(`tiny MLP step's kernels (µs each): ${tinyKernels.map((k) => `${k.kernel} ${k.us.toFixed(1)}`).join(', ')}`);

// ---- the rooted loss composed of ops ({ fused: false }) under compile({ fuse: true }) against its hand-fused kernel ----
const [RN, RC] = arg('rooted', '512-100').split('-').map(Number);
rg.manualSeed(0);
const logits = rg.randn([RN, RC], { requiresGrad: true });
const labels = rg.tensor(Array.from({ length: RN }, (_, i) => (i * 7) % RC), [RN], { dtype: 'i32' });
const rootedStep = (fused: boolean) => (y: rg.Tensor) => {
  const l = rg.rootedLoss(logits, y, { fused });
  l.backward();
  const g = logits.grad!;
  logits.grad = null; // returned: the caller owns it
  return [l, g];
};
async function timeRooted(step: (y: rg.Tensor) => rg.Tensor[], warm: number) {
  const times: number[] = [];
  let dispatches = 0;
  for (let i = 0; i < warm + STEPS; i++) {
    const d0 = rg.memory().dispatches;
    const t0 = performance.now();
    const [l, g] = step(labels);
    await l.item();
    if (i >= warm) times.push(performance.now() - t0);
    dispatches = rg.memory().dispatches - d0;
    l.dispose();
    g.dispose();
  }
  return { ms: median(times), dispatches };
}
const eagerStep = (fused: boolean) => (y: rg.Tensor) => rg.tidy(() => rootedStep(fused)(y));
const handFused = await timeRooted(eagerStep(true), 2);
const composedEager = await timeRooted(eagerStep(false), 2);
const composedCompiled = rg.compile(rootedStep(false));
const composedC = await timeRooted(composedCompiled, 3);
const composedFused = rg.compile(rootedStep(false), { fuse: true });
const composedF = await timeRooted(composedFused, 3);
for (const c of [composedCompiled, composedFused]) c.reset();
console.log(`rooted loss N=${RN} C=${RC}: hand-fused ${handFused.ms.toFixed(2)} ms (${handFused.dispatches}), composed eager ${composedEager.ms.toFixed(2)} (${composedEager.dispatches}), compiled ${composedC.ms.toFixed(2)} (${composedC.dispatches}), compiled + fuse ${composedF.ms.toFixed(2)} (${composedF.dispatches})`);
const rootedRows = [
  { variant: 'hand-fused kernel (rootedLoss), eager', ms: handFused.ms, dispatches: handFused.dispatches },
  { variant: 'composed of ops ({ fused: false }), eager', ms: composedEager.ms, dispatches: composedEager.dispatches },
  { variant: 'composed, compile()', ms: composedC.ms, dispatches: composedC.dispatches },
  { variant: 'composed, compile({ fuse: true })', ms: composedF.ms, dispatches: composedF.dispatches },
].map((r) => ({ ...r, 'vs hand-fused': `${(r.ms / handFused.ms).toFixed(2)}x the time` }));

const header = ['bench', 'eager', 'compiled', 'compiled + fuse', 'jaxjs', 'compiled vs eager', 'compiled vs jax-js'];
writeResults(
  'overhead',
  { adapter: info, ops: OPS, reps: REPS, steps: STEPS, eagerAdd, eagerChain, compiledChain, dawnEncode, dawnWithGroup, runFloor, readbackMs: readback, rows, tinyKernels, rooted: { N: RN, C: RC, rows: rootedRows } },
  `Host cost of dispatch on ${info.description} (${info.architecture}), one run, one process (\`npm run bench:overhead\`).\n` +
    `Per-op rows: host µs per dispatch (median of ${REPS} loops of ${OPS}), timed up to the submit; the GPU's work is waited for outside the timer. ` +
    'Dawn rows: the same add kernel encoded by hand in the same process (setPipeline + setBindGroup with a dynamic offset + dispatchWorkgroups, then finish and submit, where Dawn translates the commands). ' +
    `Steps: forward, backward, SGD, loss read back; median of ${STEPS} steps after the first three (compile's recordings; the GPT's eager steps after the first); the MLPs' eager, compiled and fused steps are timed in turn, one step of each at a time, so a drifting machine weighs on all alike; the GPT's one mode after the other; jax-js runs the whole step under jit. ` +
    "Each step's host row is the call alone (recording or replaying its dispatches); the row after it, the rest: the submit, the GPU's work and the readback, which compile does not shorten. " +
    "The floor row (the tiny MLP's) bounds compile's gain on this device whatever its kernels: eager against a replay that costs only Dawn's encode per dispatch, each kernel at the cost of a tiny dispatch, and one readback.\n\n" +
    markdownTable(header, rows.map((row) => header.map((h) => row[h] ?? ''))) +
    `\nThe tiny MLP (8-8-8-2, batch 4) step's dispatches in order, each alone: encoded 50 times in one submit on its own buffers and waited for (µs per dispatch, median of 7; the device's floor included):\n\n` +
    markdownTable(['kernel', 'workgroups', 'µs'], [...tinyKernels.map((k) => [k.kernel, k.groups, k.us.toFixed(1)]), ['all', '', tinyKernels.reduce((a, k) => a + k.us, 0).toFixed(1)]]) +
    `\nThe rooted loss (k = 3, m = 3) on logits [${RN}, ${RC}], forward + backward (the logits' gradient), loss read back; median of ${STEPS}:\n\n` +
    markdownTable(['variant', 'ms', 'dispatches', 'vs hand-fused'], rootedRows.map((r) => [r.variant, r.ms.toFixed(2), r.dispatches, r['vs hand-fused']])),
);
rg.shutdown();
process.exit(0);
