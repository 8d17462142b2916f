// The real command in child processes: a GPT run interrupted with SIGINT (Ctrl-C) writes a checkpoint and
// exits 130; `train --resume DIR` continues it to --steps and ends with the same weights, bit for bit, as a
// run that never stopped.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

const env = { ...process.env, ROOTGRAD_QUIET: '1' };

test('a GPT run stopped by SIGINT and resumed ends with the same weights, bit for bit', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rootgrad-lm-resume-'));
  const text = join(root, 'text.txt');
  writeFileSync(text, 'the cat sat on the mat; a bat ate the hat.\n'.repeat(14));
  const flags = ['train', '--model', 'gpt', '--text', text, '--context', '8', '--dim', '16', '--heads', '2', '--layers', '1', '--batch', '4', '--dropout', '0.1', '--steps', '40', '--eval-every', '5', '--val-tokens', '8', '--loss', 'rooted'];
  const straight = join(root, 'straight');
  const r = spawnSync(process.execPath, ['bin/rootgrad.js', ...flags, '--quiet', '--out', straight], { env, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);

  const stopped = join(root, 'stopped');
  const child = spawn(process.execPath, ['bin/rootgrad.js', ...flags, '--out', stopped], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b) => (out += b));
  // Ctrl-C once the first evaluation is printed (step 5 of 40)
  const code = await new Promise<number | null>((resolve) => {
    let sent = false;
    child.stdout.on('data', () => {
      if (!sent && /step 5\/40 /.test(out)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('exit', (c) => resolve(c));
  });
  expect(code, out).toBe(130);
  expect(out).toMatch(/stopped by SIGINT after step (\d+) of 40; wrote .*checkpoint\.safetensors; continue with: rootgrad train --resume /);
  const at = Number(/after step (\d+) of 40/.exec(out)![1]);
  expect(at).toBeLessThan(40);
  expect(existsSync(join(stopped, 'model.safetensors'))).toBe(false);

  const resumed = spawnSync(process.execPath, ['bin/rootgrad.js', 'train', '--resume', stopped], { env, encoding: 'utf8' });
  expect(resumed.status, resumed.stderr).toBe(0);
  expect(resumed.stdout).toContain(`resuming after step ${at} from ${join(stopped, 'checkpoint.safetensors')}`);
  expect(readFileSync(join(stopped, 'model.safetensors')).equals(readFileSync(join(straight, 'model.safetensors')))).toBe(true);
  const strip = (dir: string) => JSON.parse(readFileSync(join(dir, 'log.json'), 'utf8')).history.map(({ seconds, tokensPerSecond, peakBytes, ...rest }: Record<string, number>) => rest);
  expect(strip(stopped)).toEqual(strip(straight));
  console.log(`stopped after step ${at} of 40, resumed: model.safetensors and the logged metrics identical`);

  // a changed text is refused
  writeFileSync(text, 'the cat sat on the mat; a bat ate the hat!\n'.repeat(14));
  const changed = spawnSync(process.execPath, ['bin/rootgrad.js', 'train', '--resume', stopped], { env, encoding: 'utf8' });
  expect(changed.status).toBe(1);
  expect(changed.stderr).toContain('cannot resume: the text is not the one the checkpoint was trained on');
}, 240_000);
