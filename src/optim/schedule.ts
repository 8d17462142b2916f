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

export interface OneCycleOptions {
  /** Total steps of the cycle (PyTorch's total_steps); the rate is defined for steps 0..total. */
  total: number;
  /** Share of the steps spent rising to the peak (0.3). */
  pctStart?: number;
  /** 'cos' (default) or 'linear' annealing within each phase. */
  annealStrategy?: 'cos' | 'linear';
  /** The start rate is maxLr / divFactor (25). */
  divFactor?: number;
  /** The final rate is the start rate / finalDivFactor (1e4). */
  finalDivFactor?: number;
  /** Three phases (up, back down to the start rate, then to the final rate) instead of two (false). */
  threePhase?: boolean;
}

/** PyTorch's OneCycleLR as a function of the step: from maxLr / divFactor up to maxLr over the first
 * pctStart of the steps, then down to maxLr / divFactor / finalDivFactor at step total - 1. The rate at
 * step s is the one OneCycleLR gives after s calls of scheduler.step(). Unlike PyTorch's default
 * (cycle_momentum), it does not cycle Adam's beta1 or SGD's momentum: only the rate. */
export function oneCycleSchedule(maxLr: number, opts: OneCycleOptions): (step: number) => number {
  checkOptions('oneCycleSchedule', opts, ['total', 'pctStart', 'annealStrategy', 'divFactor', 'finalDivFactor', 'threePhase']);
  const { total, pctStart = 0.3, annealStrategy = 'cos', divFactor = 25, finalDivFactor = 1e4, threePhase = false } = opts;
  if (!Number.isInteger(total) || total < 1) throw new Error(`oneCycleSchedule: total must be a positive integer, got ${total}`);
  if (!(pctStart >= 0 && pctStart <= 1)) throw new Error(`oneCycleSchedule: pctStart must be in [0, 1], got ${pctStart}`);
  if (annealStrategy !== 'cos' && annealStrategy !== 'linear') throw new Error(`oneCycleSchedule: annealStrategy must be 'cos' or 'linear', got '${annealStrategy}'`);
  if (!(divFactor > 0) || !Number.isFinite(divFactor)) throw new Error(`oneCycleSchedule: divFactor must be a positive finite number, got ${divFactor}`);
  if (!(finalDivFactor > 0) || !Number.isFinite(finalDivFactor)) throw new Error(`oneCycleSchedule: finalDivFactor must be a positive finite number, got ${finalDivFactor}`);
  const initialLr = maxLr / divFactor;
  const minLr = initialLr / finalDivFactor;
  const up = pctStart * total - 1;
  // [end step, start rate, end rate] per phase, as OneCycleLR's _schedule_phases
  const phases: [number, number, number][] = threePhase
    ? [[up, initialLr, maxLr], [2 * pctStart * total - 2, maxLr, initialLr], [total - 1, initialLr, minLr]]
    : [[up, initialLr, maxLr], [total - 1, maxLr, minLr]];
  const anneal = annealStrategy === 'cos' ? (a: number, b: number, t: number) => b + ((a - b) / 2) * (Math.cos(Math.PI * t) + 1) : (a: number, b: number, t: number) => (b - a) * t + a;
  return (step) => {
    if (!Number.isInteger(step) || step < 0 || step > total) throw new Error(`oneCycleSchedule: step must be an integer in [0, ${total}] (total ${total}), got ${step}`);
    let start = 0;
    for (let i = 0; i < phases.length; i++) {
      const [end, a, b] = phases[i];
      // a phase of no steps (e.g. pctStart 1 / total) is at its end rate; PyTorch divides by zero there
      if (step <= end || i === phases.length - 1) return anneal(a, b, end === start ? 1 : (step - start) / (end - start));
      start = end;
    }
    return minLr; // unreachable: the last phase always returns
  };
}

/** A training run's rate at each step of `total`, by the schedule's name (TrainConfig's and LmConfig's
 * `schedule`): cosine (to 0 at the end), constant, or onecycle with `lr` as its peak. */
export function scheduleFor(cfg: { schedule: 'cosine' | 'constant' | 'onecycle'; lr: number; warmup: number }, total: number): (step: number) => number {
  switch (cfg.schedule) {
    case 'cosine':
      return cosineSchedule(cfg.lr, { total, warmup: cfg.warmup });
    case 'constant':
      return constantSchedule(cfg.lr, { warmup: cfg.warmup });
    case 'onecycle':
      if (cfg.warmup > 0) throw new Error(`schedule onecycle rises over its first 30% of the steps itself; warmup (${cfg.warmup}) is for schedule cosine or constant`);
      return oneCycleSchedule(cfg.lr, { total });
    default:
      throw new Error(`unknown schedule '${cfg.schedule as string}': cosine, constant or onecycle`);
  }
}
