// Loss comparisons (`rootgrad experiment`): the same model, data, initialisation per seed, batch order,
// optimiser and schedule, trained with each loss for several seeds; per-epoch curves, a summary table
// (mean ± std) and SVG plots of the mean curves with a band for the spread.
import { trainClassifier, type EpochLog, type LossName, type TrainConfig } from './train.js';
import type { Dataset } from './data/dataset.js';
import type { ModelConfig } from '../models/index.js';
import { chartsSvg } from './plot.js';

export interface ExperimentRun {
  label: string;
  loss: LossName;
  k: number;
  m: number;
  seed: number;
  history: EpochLog[];
}

export interface ExperimentSpec {
  model: ModelConfig;
  train: Dataset;
  test: Dataset;
  base: TrainConfig;
  /** One entry per arm: a label and the loss settings. */
  arms: { label: string; loss: LossName; k?: number; m?: number; lossOptions?: Record<string, number> }[];
  seeds: number[];
  target: number;
}

export async function runExperiment(spec: ExperimentSpec, onRun?: (r: ExperimentRun) => void): Promise<ExperimentRun[]> {
  const runs: ExperimentRun[] = [];
  for (const seed of spec.seeds) {
    for (const arm of spec.arms) {
      const cfg: TrainConfig = { ...spec.base, loss: arm.loss, k: arm.k ?? spec.base.k, m: arm.m ?? spec.base.m, seed, ...(arm.lossOptions ? { lossOptions: arm.lossOptions } : {}) };
      const { model, optimizer, history } = await trainClassifier(spec.model, spec.train, spec.test, cfg);
      optimizer.dispose();
      model.dispose();
      const run = { label: arm.label, loss: arm.loss, k: cfg.k, m: cfg.m, seed, history };
      runs.push(run);
      onRun?.(run);
    }
  }
  return runs;
}

/** Mean and sample standard deviation over seeds (the LM experiment's table uses them too). */
export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const std = (xs: number[]) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1)));
const pm = (xs: number[], scale = 1, digits = 2) => (xs.length ? `${(mean(xs) * scale).toFixed(digits)} ± ${(std(xs) * scale).toFixed(digits)}` : 'n/a');

export interface ArmSummary {
  label: string;
  seeds: number;
  finalAccuracy: number[];
  bestAccuracy: number[];
  finalTestLoss: number[];
  /** Epochs to reach the target test accuracy, per seed that reached it. */
  epochsToTarget: number[];
  secondsToTarget: number[];
  reached: number;
}

export function summarize(runs: ExperimentRun[], target: number): ArmSummary[] {
  const labels = [...new Set(runs.map((r) => r.label))];
  return labels.map((label) => {
    const rs = runs.filter((r) => r.label === label);
    const s: ArmSummary = { label, seeds: rs.length, finalAccuracy: [], bestAccuracy: [], finalTestLoss: [], epochsToTarget: [], secondsToTarget: [], reached: 0 };
    for (const r of rs) {
      const last = r.history[r.history.length - 1];
      s.finalAccuracy.push(last.testAccuracy);
      s.bestAccuracy.push(Math.max(...r.history.map((h) => h.testAccuracy)));
      s.finalTestLoss.push(last.testLoss);
      const hit = r.history.findIndex((h) => h.testAccuracy >= target);
      if (hit >= 0) {
        s.reached++;
        s.epochsToTarget.push(hit + 1);
        s.secondsToTarget.push(r.history.slice(0, hit + 1).reduce((a, h) => a + h.seconds, 0));
      }
    }
    return s;
  });
}

export function summaryTable(summaries: ArmSummary[], target: number): string {
  const head = `| loss | seeds | final test acc % | best test acc % | epochs to ${(100 * target).toFixed(1)}% | seconds to ${(100 * target).toFixed(1)}% | reached |`;
  const rows = summaries.map((s) => `| ${s.label} | ${s.seeds} | ${pm(s.finalAccuracy, 100)} | ${pm(s.bestAccuracy, 100)} | ${pm(s.epochsToTarget, 1, 1)} | ${pm(s.secondsToTarget, 1, 1)} | ${s.reached}/${s.seeds} |`);
  return [head, '| --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2'];
const AXIS: Record<'testAccuracy' | 'testLoss' | 'trainLoss', string> = { testAccuracy: 'test accuracy', testLoss: 'test loss', trainLoss: 'training loss' };

/** Mean curve per arm of one metric, with a band from the minimum to the maximum over seeds. */
export function bandSvg(runs: ExperimentRun[], metric: 'testAccuracy' | 'testLoss' | 'trainLoss', title: string): string {
  const labels = [...new Set(runs.map((r) => r.label))];
  const series = labels.map((label, k) => {
    const rs = runs.filter((r) => r.label === label);
    const n = Math.min(...rs.map((r) => r.history.length));
    const at = (e: number) => rs.map((r) => r.history[e][metric]);
    const each = (f: (xs: number[]) => number) => Array.from({ length: n }, (_, e) => f(at(e)));
    return { name: label, color: COLORS[k % COLORS.length], values: each(mean), band: [each((xs) => Math.min(...xs)), each((xs) => Math.max(...xs))] as [number[], number[]] };
  });
  return chartsSvg([{ title, xLabel: 'epoch (line: mean over seeds; band: min to max)', yLabel: AXIS[metric], series, width: 640, height: 340 }], title);
}
