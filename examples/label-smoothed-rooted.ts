// A custom fused op written with defineOp: the rooted loss with label smoothing, forward and gradient
// in one pass per row, and its audit. Run: node scripts/run-ts.mjs examples/label-smoothed-rooted.ts
//
// With targets t = (1 - eps) onehot(y) + eps / C and p = softmax(z), the smoothed probability of the
// target is s = sum_c t_c p_c = (1 - eps) p_y + eps / C, and per row
//   L = m (1 - s^(1/k)),   dL/dz_j = (m/k) s^(1/k - 1) p_j (s - t_j)
// (from dp_c/dz_j = p_c ([c = j] - p_j)). eps = 0 gives the rooted loss exactly.
import * as rg from '../src/node.js';

const forward = /* wgsl */ `
// one invocation per row: losses [N] and the gradient dz [N, C] (saved), scaled by 1/N for the mean.
@group(0) @binding(1) var<storage, read> Z: array<f32>;
@group(0) @binding(2) var<storage, read> Y: array<i32>;
@group(0) @binding(3) var<storage, read_write> LOSS: array<f32>;
@group(0) @binding(4) var<storage, read_write> DZ: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let N = pu(1u);
  let C = pu(0u) / N;
  let k = pf(2u);
  let m = pf(3u);
  let eps = pf(4u);
  let row = flat_id(gid, nwg, 64u);
  if (row >= N) { return; }
  let base = row * C;
  var mx = NEG_BIG;
  for (var c = 0u; c < C; c++) { mx = max(mx, Z[base + c]); }
  var se = 0.0;
  for (var c = 0u; c < C; c++) { se += exp(Z[base + c] - mx); }
  let y = u32(clamp(Y[row], 0, i32(C) - 1));
  let py = exp(Z[base + y] - mx) / se;
  let s = (1.0 - eps) * py + eps / f32(C);
  let root = exp(log(s) / k);
  LOSS[row] = m * (1.0 - root);
  let coef = (m / k) * root / s / f32(N);
  for (var c = 0u; c < C; c++) {
    let p = exp(Z[base + c] - mx) / se;
    let t = select(0.0, 1.0 - eps, c == y) + eps / f32(C);
    DZ[base + c] = coef * p * (s - t);
  }
}`;

const backward = /* wgsl */ `
// dz = saved gradient * g (g is the upstream gradient of each row's loss, times N for the mean's 1/N).
@group(0) @binding(1) var<storage, read> Z: array<f32>;
@group(0) @binding(2) var<storage, read> Y: array<i32>;
@group(0) @binding(3) var<storage, read> LOSS: array<f32>;
@group(0) @binding(4) var<storage, read> DZSAVED: array<f32>;
@group(0) @binding(5) var<storage, read> G: array<f32>;
@group(0) @binding(6) var<storage, read_write> DZ: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  let N = pu(1u);
  if (i >= pu(0u)) { return; }
  DZ[i] = DZSAVED[i] * G[i / (pu(0u) / N)] * f32(N);
}`;

/** Per-row losses [N] of the label-smoothed rooted loss (take .mean() for the usual reduction). */
export const labelSmoothedRooted = rg.defineOp({
  name: 'labelSmoothedRooted',
  inputs: ['f32', 'i32'],
  attrs: ['k', 'm', 'eps'],
  output: ([z]) => [z[0]],
  saved: [([z]) => z],
  check: ([z, y], { k, m, eps }) => {
    if (z.ndim !== 2 || y.ndim !== 1 || y.shape[0] !== z.shape[0]) throw new Error(`labelSmoothedRooted: expects logits [N, C] and labels [N], got [${z.shape}] and [${y.shape}]`);
    if (!(k > 0) || !(m > 0) || !(eps >= 0 && eps < 1)) throw new Error(`labelSmoothedRooted: needs k > 0, m > 0 and 0 <= eps < 1, got k=${k}, m=${m}, eps=${eps}`);
  },
  forward: { wgsl: forward, workgroups: ([z]) => [Math.ceil(z[0] / 64)] },
  backward: { wgsl: backward, workgroups: ([z]) => [Math.ceil((z[0] * z[1]) / 256)] },
  reference: ([z, y], { k, m, eps }) => {
    const [N, C] = z.shape;
    const out = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      const row = Array.from(z.data.subarray(i * C, i * C + C));
      const mx = Math.max(...row);
      const se = row.reduce((a, v) => a + Math.exp(v - mx), 0);
      const s = (1 - eps) * (Math.exp(row[y.data[i]] - mx) / se) + eps / C;
      out[i] = m * (1 - s ** (1 / k));
    }
    return { shape: [N], data: out };
  },
  sample: (g) => {
    const [N, C] = [1 + g.int(6), 2 + g.int(9)];
    return {
      inputs: [rg.tensor(Array.from({ length: N * C }, () => Math.round((g.uniform() * 6 - 3) * 1000) / 1000), [N, C]), rg.tensor(Array.from({ length: N }, () => g.int(C)), [N], { dtype: 'i32' })],
      attrs: { k: 3, m: 3, eps: 0.1 },
    };
  },
});

// Run as a script: compare with the built-in rooted loss at eps = 0, then audit the new op.
if (import.meta.url.endsWith(process.argv[1]?.split('/').pop() ?? '-')) {
  await rg.init();
  rg.manualSeed(0);
  const z = rg.randn([8, 10]);
  const y = rg.tensor([0, 1, 2, 3, 4, 5, 6, 7], [8], { dtype: 'i32' });
  const builtin = await rg.rootedLoss(z, y).item();
  const custom = await rg.mean(labelSmoothedRooted([z, y], { k: 3, m: 3, eps: 0 })).item();
  console.log(`eps = 0: custom ${custom.toFixed(6)} vs rootedLoss ${builtin.toFixed(6)}`);
  const rows = await rg.runAudit({ only: ['labelSmoothedRooted'] });
  for (const r of rows) console.log(`${r.name}: ${r.cases} cases, max abs error ${r.maxAbsError.toExponential(2)}, ${r.pass ? 'pass' : 'FAIL ' + r.failures.join('; ')}`);
  rg.shutdown();
}
