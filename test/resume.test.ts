// The real command in child processes. Resumable training: a run killed with SIGKILL mid-epoch and resumed
// with --resume ends with the same weights, bit for bit, as a run that never stopped. Quiet output: stderr
// carries no native loader or adapter-probe messages (only a child process sees what Dawn and the Vulkan
// loader write to file descriptor 2).
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

test('stderr is free of native noise: train --help, a short train run, and the same with ROOTGRAD_DEBUG', () => {
  const cli = join('bin', 'rootgrad.js'); // runs dist/node/cli.js, built above
  // a newcomer's shell: no loader pointed anywhere, no XDG_RUNTIME_DIR, no display
  const plain = { ...process.env };
  for (const k of ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'XDG_RUNTIME_DIR', 'NODEVICE_SELECT', 'ROOTGRAD_QUIET', 'ROOTGRAD_DEBUG', 'DISPLAY', 'WAYLAND_DISPLAY']) delete plain[k];
  const help = spawnSync(process.execPath, [cli, 'train', '--help'], { encoding: 'utf8', env: plain });
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/usage: rootgrad train/);
  expect(help.stderr).toBe('');
  const dir = mkdtempSync(join(tmpdir(), 'rootgrad-quiet-'));
  const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [cli, 'train', '--model', 'logistic', '--data', 'breast-cancer', '--epochs', '1', '--out', dir], { encoding: 'utf8', env, timeout: 120_000 });
  const r = run(plain);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/test accuracy/);
  expect(r.stderr).toBe('');
  // The debug level shows what the quiet path hides: at least the adapter choice, and on a machine like
  // this one without a GPU also the loader's and Dawn's own messages.
  const d = run({ ...plain, ROOTGRAD_DEBUG: '1' });
  expect(d.status, d.stderr).toBe(0);
  expect(d.stderr).toMatch(/rootgrad: (compiled|software|SwiftShader)/);
}, 240_000);
