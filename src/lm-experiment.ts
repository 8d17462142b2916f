// Language-model loss comparisons (`rootgrad experiment --model gpt`): the same GPT, text, initialisation
// per seed, batches, optimiser and schedule, trained with each loss; compared by the common metric
// (validation cross-entropy, perplexity, top-1 accuracy), never by each loss's own units. Also the curves
// of one run (curves.svg).
import { trainLM, type LmConfig, type LmLog, type LmSplit } from './lm.js';
import { chartsSvg, type Series } from './plot.js';
import { mean, std } from './experiment.js';
import type { GptConfig } from '../models/gpt.js';

export interface LmExperimentRun {
  label: string;
  loss: LmConfig['loss'];
  k: number;
  m: number;
  seed: number;
  history: LmLog[];
}

export interface LmExperimentSpec {
  model: GptConfig;
  data: LmSplit;
  base: LmConfig;
  arms: { label: string; loss: LmConfig['loss']; k?: number; m?: number }[];
  seeds: number[];
}

export async function runLmExperiment(spec: LmExperimentSpec, onRun?: (r: LmExperimentRun) => void): Promise<LmExperimentRun[]> {
  const runs: LmExperimentRun[] = [];
  for (const seed of spec.seeds) {
    for (const arm of spec.arms) {
      const cfg: LmConfig = { ...spec.base, loss: arm.loss, k: arm.k ?? spec.base.k, m: arm.m ?? spec.base.m, seed };
      const { model, history } = await trainLM(spec.model, spec.data, cfg);
      model.dispose();
      const run = { label: arm.label, loss: arm.loss, k: cfg.k, m: cfg.m, seed, history };
      runs.push(run);
      onRun?.(run);
    }
  }
  return runs;
}

const pm = (xs: number[], scale = 1, digits = 3) => `${(mean(xs) * scale).toFixed(digits)} ± ${(std(xs) * scale).toFixed(digits)}`;

export interface LmArmSummary {
  label: string;
  seeds: number;
  /** At the last evaluation of each seed. */
  crossEntropy: number[];
  perplexity: number[];
  accuracy: number[];
  ownLoss: number[];
  tokensPerSecond: number[];
}

export function summarizeLm(runs: LmExperimentRun[]): LmArmSummary[] {
  return [...new Set(runs.map((r) => r.label))].map((label) => {
    const last = runs.filter((r) => r.label === label).map((r) => r.history[r.history.length - 1]);
    return { label, seeds: last.length, crossEntropy: last.map((h) => h.valCrossEntropy), perplexity: last.map((h) => h.valPerplexity), accuracy: last.map((h) => h.valAccuracy), ownLoss: last.map((h) => h.valLoss), tokensPerSecond: last.map((h) => h.tokensPerSecond) };
  });
}

/** Mean ± standard deviation over seeds of the final evaluation: the common metric first, the loss in its
 * own units last (not comparable across rows). */
export function lmSummaryTable(summaries: LmArmSummary[]): string {
  const head = '| loss | seeds | val cross-entropy (nats/char) | val perplexity | val accuracy % | val loss (own units) | tokens/s |';
  const rows = summaries.map((s) => `| ${s.label} | ${s.seeds} | ${pm(s.crossEntropy)} | ${pm(s.perplexity, 1, 2)} | ${pm(s.accuracy, 100, 2)} | ${pm(s.ownLoss)} | ${Math.round(mean(s.tokensPerSecond))} |`);
  return [head, '| --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2'];
export type LmMetric = 'valCrossEntropy' | 'valAccuracy' | 'valPerplexity' | 'trainLoss' | 'valLoss';
const AXIS: Record<LmMetric, string> = { valCrossEntropy: 'validation cross-entropy (nats/char)', valAccuracy: 'validation top-1 accuracy', valPerplexity: 'validation perplexity', trainLoss: 'training loss (own units)', valLoss: 'validation loss (own units)' };

/** Mean curve per arm of one metric against the step, with a band from the minimum to the maximum over seeds. */
export function lmBandSvg(runs: LmExperimentRun[], metric: LmMetric, title: string): string {
  const labels = [...new Set(runs.map((r) => r.label))];
  const n = Math.min(...runs.map((r) => r.history.length));
  const series: Series[] = labels.map((label, k) => {
    const rs = runs.filter((r) => r.label === label);
    const each = (f: (xs: number[]) => number) => Array.from({ length: n }, (_, e) => f(rs.map((r) => r.history[e][metric])));
    return { name: label, color: COLORS[k % COLORS.length], values: each(mean), band: [each((xs) => Math.min(...xs)), each((xs) => Math.max(...xs))] };
  });
  const x = runs[0].history.slice(0, n).map((h) => h.step);
  return chartsSvg([{ title, xLabel: 'step (line: mean over seeds; band: min to max)', yLabel: AXIS[metric], x, series, width: 640, height: 340 }], title);
}

/** One GPT run's curves: validation cross-entropy (the common metric; the losses in their own units beside
 * it when the run's loss is not ce) and validation accuracy, against the step. */
export function lmCurvesSvg(history: LmLog[], loss: string, title = 'training'): string {
  const x = history.map((h) => h.step);
  const get = (k: keyof LmLog) => history.map((h) => h[k] as number);
  const first: Series[] = [{ name: 'val cross-entropy', color: '#d62728', values: get('valCrossEntropy') }];
  if (loss === 'ce') first.unshift({ name: 'train cross-entropy', color: '#1f77b4', values: get('trainLoss') });
  else first.push({ name: `train loss (${loss})`, color: '#1f77b4', values: get('trainLoss') }, { name: `val loss (${loss})`, color: '#9467bd', values: get('valLoss') });
  return chartsSvg(
    [
      { title: loss === 'ce' ? 'cross-entropy' : `cross-entropy, and ${loss} loss in its units`, xLabel: 'step', yLabel: 'nats per character', x, series: first, width: 520 },
      { title: 'validation accuracy', xLabel: 'step', yLabel: 'top-1 accuracy', x, series: [{ name: 'val accuracy', color: '#d62728', values: get('valAccuracy') }] },
    ],
    title,
  );
}
