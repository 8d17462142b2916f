// The audit's cases for the dropout ops (src/ops/dropout.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { type AuditCases, choose, randShape, rnd } from './audit_cases.js';
import { type DropoutAttrs, dropoutWithSeed } from './dropout.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function dropoutAuditCases(): AuditCases<keyof DropoutAttrs> {
  return {
    dropout: (g) => {
      const p = choose(g, [0.2, 0.5]);
      const seed = g.int(1 << 30);
      return { inputs: { x: rnd(g, randShape(g)) }, fn: (x) => dropoutWithSeed(x, p, seed), attrs: { p, seed } }; // one mask for every call
    },
  };
}
