// Resumable training: a run killed with SIGKILL mid-epoch and resumed with --resume ends with the same
// weights, bit for bit, as a run that never stopped. Runs the real command in child processes.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
// @ts-expect-error a plain .mjs script without types
import { wgslOptions } from '../scripts/shader-registry.mjs';
import { beforeAll, expect, test } from 'vitest';

beforeAll(async () => {
  // the command as it is now (npm run build does the same)
  await build({ entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist/node', bundle: true, format: 'esm', platform: 'node', target: 'es2022', external: ['webgpu'], ...wgslOptions, logLevel: 'warning' });
});

const flags = ['train', '--model', 'mlp', '--data', 'digits', '--hidden', '64', '--epochs', '6', '--batch', '32', '--dropout', '0.1', '--seed', '5', '--quiet'];
const env = { ...process.env, ROOTGRAD_QUIET: '1' };

function weights(dir: string): Buffer {
  return readFileSync(join(dir, 'model.safetensors'));
}

test('a run killed mid-epoch and resumed ends with the same weights, bit for bit', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rootgrad-resume-'));
  const straight = join(root, 'straight');
  const r = spawnSync(process.execPath, ['bin/rootgrad.js', ...flags, '--out', straight], { env, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);

  const killed = join(root, 'killed');
  const child = spawn(process.execPath, ['bin/rootgrad.js', ...flags, '--out', killed], { env, stdio: 'ignore' });
  const ckpt = join(killed, 'checkpoint.safetensors');
  // Kill right after the second checkpoint appears, i.e. during epoch 3.
  let seen = 0;
  let last = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (existsSync(ckpt)) {
        const m = statSync(ckpt).mtimeMs;
        if (m !== last) {
          last = m;
          seen++;
        }
        if (seen >= 2) {
          child.kill('SIGKILL');
          clearInterval(timer);
          resolve();
        }
      }
    }, 5);
    child.on('exit', () => {
      clearInterval(timer);
      if (seen < 2) reject(new Error('the run ended before it could be killed'));
    });
  });
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
  expect(existsSync(join(killed, 'model.safetensors'))).toBe(false); // it really died before the end
  const meta = JSON.parse(JSON.parse(new TextDecoder().decode(readFileSync(ckpt).subarray(8, 8 + Number(readFileSync(ckpt).readBigUInt64LE(0))))).__metadata__.checkpoint);
  expect(meta.history.length).toBeGreaterThanOrEqual(2);
  expect(meta.history.length).toBeLessThan(6);

  const resumed = spawnSync(process.execPath, ['bin/rootgrad.js', 'train', '--resume', killed], { env, encoding: 'utf8' });
  expect(resumed.status, resumed.stderr).toBe(0);
  expect(resumed.stdout).toMatch(/resuming after epoch \d/);
  expect(weights(killed).equals(weights(straight))).toBe(true);
  console.log(`killed after epoch ${meta.history.length} of 6, resumed: model.safetensors identical (${weights(straight).length} bytes)`);
}, 240_000);

test('--resume refuses other flags and a missing checkpoint', () => {
  const a = spawnSync(process.execPath, ['bin/rootgrad.js', 'train', '--resume', '/nonexistent', '--lr', '0.1'], { env, encoding: 'utf8' });
  expect(a.status).toBe(2);
  expect(a.stderr).toContain('--resume continues the saved run as it was; drop --lr');
  const b = spawnSync(process.execPath, ['bin/rootgrad.js', 'train', '--resume', '/nonexistent'], { env, encoding: 'utf8' });
  expect(b.status).toBe(1);
  expect(b.stderr).toContain("cannot read '/nonexistent/checkpoint.safetensors': ENOENT");
});
