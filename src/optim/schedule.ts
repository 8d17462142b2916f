// Learning-rate schedules: functions of the step, so that resuming at a step gives the same rate.
import { checkOptions } from '../options.js';

export interface ScheduleOptions {
  /** Steps of linear warm-up from 0 to the base rate. */
  warmup?: number;
  /** Total steps (for cosine annealing). */
  total: number;
  /** Final rate of the cosine, as a fraction of the base rate. */
  minFactor?: number;
}

/** Cosine annealing (the rooted-loss paper's default) after an optional linear warm-up. */
export function cosineSchedule(baseLr: number, opts: ScheduleOptions): (step: number) => number {
  checkOptions('cosineSchedule', opts, ['warmup', 'total', 'minFactor']);
  const { warmup = 0, total, minFactor = 0 } = opts;
  if (!(total > 0)) throw new Error(`cosineSchedule: total must be positive, got ${total}`);
  return (step) => {
    if (step < warmup) return (baseLr * (step + 1)) / warmup;
    const t = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
    return baseLr * (minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * t)));
  };
}

/** Constant rate after an optional linear warm-up. */
export function constantSchedule(baseLr: number, opts: { warmup?: number } = {}): (step: number) => number {
  checkOptions('constantSchedule', opts, ['warmup']);
  const warmup = opts.warmup ?? 0;
  return (step) => (step < warmup ? (baseLr * (step + 1)) / warmup : baseLr);
}
