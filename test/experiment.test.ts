// The experiment runner on a tiny setting: the table and plots appear, and identical seeds give identical curves.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { rg, runQuiet, setup } from './helpers.js';

beforeAll(setup);


test('rootgrad experiment (2 seeds, 2 epochs) writes the table, every curve and the plots', async () => {
  const out = mkdtempSync(join(tmpdir(), 'rootgrad-exp-'));
  const r = await runQuiet(['experiment', '--model', 'logistic', '--data', 'breast-cancer', '--seeds', '2', '--epochs', '2', '--sweep-k', '1', '--out', out]);
  expect(r.code).toBe(0);
  const table = readFileSync(join(out, 'table.md'), 'utf8');
  expect(table).toMatch(/\| bce \| 2 \| [\d.]+ ± [\d.]+ \|/);
  expect(table).toMatch(/\| rooted k=2 \| 2 \|/);
  expect(table).toMatch(/\| rooted k=1 \| 2 \|/);
  for (const f of ['test-accuracy.svg', 'test-loss.svg', 'train-loss.svg']) expect(readFileSync(join(out, f), 'utf8')).toMatch(/<polygon[\s\S]*<polyline/);
  const runs = JSON.parse(readFileSync(join(out, 'runs.json'), 'utf8')).runs;
  expect(runs).toHaveLength(6); // 2 seeds x 3 arms
  expect(runs[0].history).toHaveLength(2);
  expect(existsSync(join(out, 'runs.json'))).toBe(true);
});

test('identical seeds give identical curves', async () => {
  const ds = rg.loadDataset('breast-cancer');
  const { train, test } = rg.trainTestSplit(ds, 0.2, 0);
  const st = rg.fitStandardizer(train);
  const spec = { model: { kind: 'logistic' as const, inputs: 30 }, train: rg.standardize(train, st), test: rg.standardize(test, st), base: { ...rg.defaultTrainConfig, epochs: 2, lr: 0.01 }, arms: [{ label: 'rooted', loss: 'rooted' as const, k: 2 }], seeds: [3], target: 0.9 };
  const strip = (runs: rg.ExperimentRun[]) => runs.map((r) => r.history.map(({ seconds, examplesPerSecond, ...rest }) => rest));
  expect(strip(await rg.runExperiment(spec))).toEqual(strip(await rg.runExperiment(spec)));
});
