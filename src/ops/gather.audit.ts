// The audit's cases for the gather ops (src/ops/gather.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { type AuditCases, choose, labels, rnd } from './audit_cases.js';
import { embedding, type GatherAttrs, pick } from './gather.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function gatherAuditCases(): AuditCases<keyof GatherAttrs> {
  return {
    embedding: (g) => {
      const [V, D, n] = [choose(g, [2, 5]), choose(g, [1, 3, 4]), choose(g, [1, 4, 7])];
      const idx = labels(g, n, V);
      return { inputs: { weight: rnd(g, [V, D]) }, fn: (w) => embedding(idx, w) };
    },
    pick: (g) => {
      const [N, C] = [choose(g, [1, 3, 6]), choose(g, [2, 5])];
      const idx = labels(g, N, C);
      return { inputs: { x: rnd(g, [N, C]) }, fn: (x) => pick(x, idx) };
    },
  };
}
