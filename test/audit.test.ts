// The audit: every op passes; a custom op with a deliberately wrong backward fails it, with exit code 1.
import { beforeAll, expect, test } from 'vitest';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
// @ts-expect-error a plain .mjs script without types
import { wgslOptions } from '../scripts/shader-registry.mjs';
import { rg, runQuiet, setup } from './helpers.js';
import { labelSmoothedRooted } from '../examples/label-smoothed-rooted.js';

beforeAll(setup);

test('rootgrad audit --module: a module file exporting { model, loss, batch }, its table, --report and errors', async () => {
  // the command and the library built as npm run build does (one shared chunk), where 'webgpu' resolves
  const dir = join(process.cwd(), 'node_modules', '.cache', `rootgrad-audit-module-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  await build({ entryPoints: { index: 'src/node.ts', cli: 'src/cli/main.ts' }, outdir: dir, splitting: true, bundle: true, format: 'esm', platform: 'node', target: 'es2022', external: ['webgpu'], ...wgslOptions, logLevel: 'warning' });
  const file = join(dir, 'my-model.mjs');
  writeFileSync(file, readFileSync('examples/audit-module.mjs', 'utf8').replace("from 'rootgrad'", "from './index.js'"));
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(pathToFileURL(join(dir, 'cli.js')).href)}); process.exitCode = await main(process.argv.slice(1));`, ...args], { encoding: 'utf8', env: { ...process.env, ROOTGRAD_QUIET: '1' } });
  const html = join(dir, 'report.html');
  const ok = cli('audit', '--module', file, '--export', 'mlp', '--report', html);
  expect(ok.status, ok.stderr).toBe(0);
  expect(ok.stdout).toMatch(/0\.weight\s+\[16, 6\].*pass/);
  expect(ok.stdout).toMatch(/4\/4 parameters pass \(full mode, 163 values/);
  expect(readFileSync(html, 'utf8')).toContain('<svg');
  const md = join(dir, 'report.md');
  expect(cli('audit', '--module', file, '--report', md).status).toBe(0); // the default export
  expect(readFileSync(md, 'utf8')).toMatch(/\| 0\.weight \| \[16, 6\] \|/);
  const missing = cli('audit', '--module', file, '--export', 'nope');
  expect(missing.status).toBe(2);
  expect(missing.stderr).toContain("rootgrad audit: " + file + " has no export 'nope' holding { model, loss, batch } (its exports: default, mlp)");
  const stray = cli('audit', '--full');
  expect(stray.stderr).toContain('rootgrad audit: --full goes with --module FILE');
  rmSync(dir, { recursive: true, force: true });
});


test('every registered op, loss and model passes the audit', async () => {
  const rows = await rg.runAudit({ cases: 2, seed: 1 });
  const failed = rows.filter((r) => !r.pass);
  expect(failed.map((r) => `${r.name}: ${r.failures.join('; ')}`)).toEqual([]);
  // every primitive has its row; `custom` has one per op made with defineOp
  for (const name of Object.keys(rg.opTable())) expect(rows.some((r) => r.name === name || r.name.startsWith(`${name}: `) || (name === 'custom' && r.name.startsWith('custom: '))), name).toBe(true);
  // one row per registered row loss, on logits and fused with the classifier in each strategy
  for (const loss of rg.rowLossNames()) for (const name of [`rowLoss: ${loss}`, `linearLoss: ${loss} (chunked)`, `linearLoss: ${loss} (tiled)`]) expect(rows.some((r) => r.name === name), name).toBe(true);
  for (const r of rows) expect(r.checked, r.name).toBe(r.elements); // every element (all inputs are under the limit)
  for (const name of ['model: mlp', 'model: logistic', 'model: vit', 'model: gpt', 'custom: labelSmoothedRooted']) expect(rows.some((r) => r.name === name), name).toBe(true);
});

test('--order 2 and --forward: every op with a recorded rule passes; the rest are listed with a reason', async () => {
  const rows = await rg.runAudit({ cases: 1, seed: 2, order: 2, forward: true });
  const failed = rows.filter((r) => !r.pass);
  expect(failed.map((r) => `${r.name}: ${r.failures.join('; ')}`)).toEqual([]);
  for (const check of ['gradgrad', 'jvp'] as const) {
    const mine = rows.filter((r) => r.check === check);
    for (const name of ['tanh', 'gelu', 'linear', 'layerNorm', 'attention', 'rootedLoss', 'crossEntropy', 'conv2d', 'batchNorm', 'linearLoss: rootedLoss (tiled)', 'model: mlp', 'model: gpt']) expect(mine.find((r) => r.name === `${name} (${check})`)?.skipped, `${name} ${check}`).toBeUndefined();
    for (const r of mine.filter((x) => x.skipped)) expect(r.skipped, r.name).toMatch(/no gradient|cannot record its backward|has no backward in differentiable ops yet|its own kernel/);
    expect(mine.find((r) => r.name === `argmax (${check})`)?.skipped).toBe('argmax has an integer output: no gradient');
  }
});

test('the label-smoothed rooted loss from examples/ equals rootedLoss at eps = 0', async () => {
  rg.manualSeed(3);
  const z = rg.randn([6, 7]);
  const y = rg.tensor([0, 6, 2, 3, 1, 5], [6], { dtype: 'i32' });
  const a = await rg.rootedLoss(z, y).item();
  const b = await rg.mean(labelSmoothedRooted([z, y], { k: 3, m: 3, eps: 0 })).item();
  expect(b).toBeCloseTo(a, 6);
  expect(() => labelSmoothedRooted([z, y], { k: 3, m: 3, eps: 1 })).toThrow('labelSmoothedRooted: needs k > 0, m > 0 and 0 <= eps < 1');
});

test('a wrong backward is caught: gradcheck fails and the audit exits 1', async () => {
  const body = (expr: string) => `
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) { let i = gid.x; if (i < pu(0u)) { Y[i] = ${expr}; } }`;
  const wrong = rg.defineOp({
    name: 'doubleWithWrongGradient',
    inputs: ['f32'],
    output: ([x]) => x,
    forward: { wgsl: body('2.0 * X[i]'), workgroups: ([x]) => [Math.ceil(x.reduce((a, b) => a * b, 1) / 64)] },
    // Y (binding 2) is the forward output here; the gradient is binding 4: this backward forgets the factor 2.
    backward: {
      wgsl: `
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> Y: array<f32>;
@group(0) @binding(3) var<storage, read> G: array<f32>;
@group(0) @binding(4) var<storage, read_write> DX: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) { let i = gid.x; if (i < pu(0u)) { DX[i] = G[i]; } }`,
      workgroups: ([x]) => [Math.ceil(x.reduce((a, b) => a * b, 1) / 64)],
    },
    reference: ([x]) => ({ shape: x.shape, data: x.data.map((v) => 2 * v) }),
    sample: (g) => ({ inputs: [rg.tensor([g.uniform(), g.uniform(), 0.5], [3])] }),
  });
  const r = await rg.gradcheck((x) => rg.sum(wrong([x])), [rg.tensor([1, 2, 3])]);
  expect(r.pass).toBe(false);
  expect(r.inputs[0].maxAbsError).toBeCloseTo(1, 5); // autograd 1, truth 2
  const bad = await runQuiet(['audit', '--only', 'doubleWithWrongGradient', '--cases', '1']);
  expect(bad.code).toBe(1);
  expect(bad.out).toMatch(/custom: doubleWithWrongGradient\s+1\s+.*FAIL/);
  const good = await runQuiet(['audit', '--only', 'rootedLoss,attention', '--cases', '1']);
  expect(good.code).toBe(0);
  expect(good.out).toMatch(/5\/5 passed/); // rootedLoss, its row-loss row, both fused linear strategies, attention
  rg.customOps.delete('doubleWithWrongGradient');
});
