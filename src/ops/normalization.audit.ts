// The audit's cases for the normalization ops (src/ops/normalization.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { type AuditCases, choose, rnd } from './audit_cases.js';
import { batchNorm, groupNorm, type NormalizationAttrs, rmsNorm } from './normalization.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function normalizationAuditCases(): AuditCases<keyof NormalizationAttrs> {
  return {
    batchNorm: (g) => {
      const C = choose(g, [1, 3]);
      const s = g.uniform() < 0.5 ? [choose(g, [2, 5]), C] : [choose(g, [1, 2]), C, choose(g, [2, 3]), 2];
      const training = g.uniform() < 0.7;
      const runningMean = rnd(g, [C], -0.5, 0.5);
      const runningVar = rnd(g, [C], 0.5, 1.5);
      return { inputs: { x: rnd(g, s), weight: rnd(g, [C], 0.5, 1.5), bias: rnd(g, [C]) }, fn: (x, w, b) => batchNorm(x, w, b, { runningMean, runningVar, training }), attrs: { training } };
    },
    groupNorm: (g) => {
      const groups = choose(g, [1, 2]);
      const C = groups * choose(g, [1, 2]);
      return { inputs: { x: rnd(g, [choose(g, [1, 2]), C, choose(g, [1, 3]), 2]), weight: rnd(g, [C], 0.5, 1.5), bias: rnd(g, [C]) }, fn: (x, w, b) => groupNorm(x, groups, w, b), attrs: { groups } };
    },
    rmsNorm: (g) => {
      const D = choose(g, [2, 5, 8]);
      return { inputs: { x: rnd(g, [choose(g, [1, 3]), D]), weight: rnd(g, [D], 0.5, 1.5) }, fn: (x, w) => rmsNorm(x, w) };
    },
  };
}
