// --import and --module files outside the project: `import 'rootgrad'` is the running rootgrad, and what
// they register (a defineRowLoss loss) is usable by name on every command.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
// @ts-expect-error a plain .mjs script without types
import { wgslOptions } from '../scripts/shader-registry.mjs';

const built = join(process.cwd(), 'node_modules', '.cache', `rootgrad-import-${process.pid}`);
const user = mkdtempSync(join(tmpdir(), 'rootgrad-user-')); // a folder of the user's, outside the repository

beforeAll(async () => {
  // the command alone, bundled (no shared chunk with the library: the hook re-exports the running one)
  await build({ entryPoints: { cli: 'src/cli/main.ts' }, outdir: built, bundle: true, format: 'esm', platform: 'node', target: 'es2022', external: ['webgpu', 'esbuild'], ...wgslOptions, logLevel: 'warning' });
  copyFileSync('examples/poly1.mjs', join(user, 'poly.mjs'));
  writeFileSync(join(user, 'poly.ts'), readFileSync('examples/poly1.mjs', 'utf8').replace("name: 'poly1'", "name: 'polyTs'").replace('export const poly1', 'export const polyTs: rg.RowLoss'));
});
afterAll(() => {
  rmSync(built, { recursive: true, force: true });
  rmSync(user, { recursive: true, force: true });
});

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(pathToFileURL(join(built, 'cli.js')).href)}); process.exitCode = await main(process.argv.slice(1));`, ...args], { cwd: user, encoding: 'utf8', env: { ...process.env, ROOTGRAD_QUIET: '1' } });

test('rootgrad train --import poly.mjs --loss poly1: the MLP on the digits with a defineRowLoss loss from a file outside the project', () => {
  const r = cli('train', '--import', 'poly.mjs', '--loss', 'poly1', '--loss-options', 'eps=2', '--model', 'mlp', '--data', 'digits', '--epochs', '2', '--limit', '300', '--out', 'run', '--quiet');
  expect(r.status, r.stderr).toBe(0);
  const acc = Number(/test accuracy ([\d.]+)%/.exec(r.stdout)![1]);
  expect(acc).toBeGreaterThan(60); // it learns
  const log = JSON.parse(readFileSync(join(user, 'run', 'log.json'), 'utf8'));
  expect(log.config.loss).toBe('poly1');
  expect(log.config.lossOptions).toEqual({ eps: 2 });
  // eval of those weights needs the loss too: the same --import
  const ev = cli('eval', '--import', 'poly.mjs', '--weights', join('run', 'model.safetensors'));
  expect(ev.status, ev.stderr).toBe(0);
  expect(ev.stdout).toMatch(/accuracy [\d.]+% .*\(poly1\)/);

  const missing = cli('train', '--loss', 'poly1', '--epochs', '1');
  expect(missing.status).toBe(2);
  expect(missing.stderr).toMatch(/unknown loss 'poly1': ce, focal, rooted, or a registered row loss \(.*; add one with defineRowLoss, from the command line with --import FILE\)/);
  const typo = cli('train', '--import', 'poly.mjs', '--loss', 'poly1', '--loss-options', 'epsilon=2', '--epochs', '1');
  expect(typo.status).toBe(2);
  expect(typo.stderr).toContain("loss poly1: unknown option 'epsilon'; valid options: eps");
});

test('rootgrad audit --import FILE --only NAME finds the loss (a .ts file too), and an experiment arm takes it by name', () => {
  const a = cli('audit', '--import', 'poly.mjs', '--import', 'poly.ts', '--only', 'poly1,polyTs', '--cases', '1', '--report', 'audit.md');
  expect(a.status, a.stderr + a.stdout).toBe(0);
  for (const name of ['rowLoss: poly1', 'linearLoss: poly1 (chunked)', 'linearLoss: poly1 (tiled)', 'rowLoss: polyTs']) expect(a.stdout).toMatch(new RegExp(`${name.replace(/[()]/g, '\\$&')}\\s+1\\s+all \\d+ .* pass`));
  expect(readFileSync(join(user, 'audit.md'), 'utf8')).toContain('Criterion: autograd (GPU, float32) against central differences of the float64 reference');
  const none = cli('audit', '--only', 'poly1');
  expect(none.status).toBe(2);
  expect(none.stderr).toMatch(/--only poly1 matches nothing \(names: neg, exp/);

  const e = cli('experiment', '--import', 'poly.mjs', '--losses', 'ce,poly1', '--loss-options', 'eps=0.5', '--seeds', '1', '--epochs', '1', '--out', 'exp');
  expect(e.status, e.stderr).toBe(0);
  expect(e.stdout).toMatch(/seed 0 poly1 eps=0\.5: test acc/);
});

test('rootgrad audit --module: a model file outside the project, and every flag honoured or refused', () => {
  writeFileSync(
    join(user, 'model.mjs'),
    `import * as rg from 'rootgrad';
export default {
  model: () => { rg.manualSeed(0); return rg.mlp([4, 6, 3], { activation: 'tanh' }); },
  loss: (m, b) => rg.rootedLoss(m.forward(b.x), b.y),
  batch: () => ({ x: rg.randn([5, 4]), y: rg.tensor([0, 1, 2, 0, 1], [5], { dtype: 'i32' }) }),
};
`,
  );
  const r = cli('audit', '--module', 'model.mjs', '--order', '2', '--forward', '--seed', '3', '--all-variants', '--report', 'module.html');
  expect(r.status, r.stderr + r.stdout).toBe(0);
  expect(r.stdout).toMatch(/second order, direction pair 0: v\^T H u .* pass/);
  expect(r.stdout).toMatch(/forward mode: jvp off by .* pass/);
  expect(r.stdout).toMatch(/0\.weight \(thread\/[\w/]+\)\s+\[6, 4\]\s+all 24/); // one row per kernel set
  expect(r.stdout).toMatch(/0\.weight \(workgroup\/[\w/]+\)\s+\[6, 4\]\s+all 24/);
  expect(readFileSync(join(user, 'module.html'), 'utf8')).toContain('class="tolerance"');
  const seeded = (seed: string) => cli('audit', '--module', 'model.mjs', '--order', '2', '--seed', seed, '--json', `s${seed}.json`);
  expect(seeded('1').status).toBe(0);
  expect(seeded('2').status).toBe(0);
  const [j1, j2] = ['1', '2'].map((s) => JSON.parse(readFileSync(join(user, `s${s}.json`), 'utf8')));
  expect(j1.secondOrder[0].autograd).not.toBe(j2.secondOrder[0].autograd); // other random directions: --seed reaches the checks
  const cases = cli('audit', '--module', 'model.mjs', '--cases', '5');
  expect(cases.status).toBe(2);
  expect(cases.stderr).toContain('rootgrad audit: --cases draws random shapes of the built-in ops; a --module file gives one model and one batch');
});
