// Benchmarks are not tests: this only checks that each one runs, at a tiny size, and writes its JSON and
// markdown (into a temporary folder, not bench/results).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const cases: [string, string, string[]][] = [
  ['matmul', 'bench/matmul.ts', ['--sizes', '32,33', '--iters', '1']],
  ['loss', 'bench/loss.ts', ['--cases', '8x5', '--iters', '1']],
  ['attention', 'bench/attention.ts', ['--T', '9', '--iters', '1']],
  ['conv', 'bench/conv.ts', ['--configs', '1-8-4', '--iters', '1']],
  ['linear-loss', 'bench/linear-loss.ts', ['--sizes', '70x8x33', '--iters', '1', '--gpt', '50-8-2-8']],
  ['compare', 'bench/compare.ts', ['--sizes', '32', '--iters', '1', '--steps', '1', '--mlps', '8-8-2x4', '--gpt', '8-4-8-2-2']],
];

test.each(cases)('bench %s runs at a tiny size', (name, file, args) => {
  const dir = mkdtempSync(join(tmpdir(), 'rootgrad-bench-'));
  const r = spawnSync(process.execPath, ['scripts/run-ts.mjs', file, ...args, '--results', dir], { encoding: 'utf8', env: { ...process.env, ROOTGRAD_QUIET: '1' }, timeout: 300_000 });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(existsSync(join(dir, `${name}.json`))).toBe(true);
  expect(existsSync(join(dir, `${name}.md`))).toBe(true);
}, 300_000);

test('every bench script answers --help with its header, without running (nothing written)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rootgrad-bench-help-'));
  for (const file of ['matmul', 'loss', 'attention', 'conv', 'linear-loss', 'compare', 'memory', 'overhead', 'vocabulary'].map((n) => `bench/${n}.ts`)) {
    const r = spawnSync(process.execPath, ['scripts/run-ts.mjs', file, '--help', '--results', dir], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, `${file}: ${r.stderr}`).toBe(0);
    expect(r.stdout, file).toMatch(/Writes\s+bench\/results\/[\w-]+\.\{json,md\}/);
    expect(r.stdout, file).not.toMatch(/wrote /);
  }
  expect(readdirSync(dir)).toEqual([]);
});
