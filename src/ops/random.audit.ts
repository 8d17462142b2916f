// The audit's cases for the random ops (src/ops/random.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { type AuditCases, choose, rnd } from './audit_cases.js';
import { gather } from './indexing.js';
import { multinomialWithSeed, type RandomAttrs } from './random.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function randomAuditCases(): AuditCases<keyof RandomAttrs> {
  return {
    multinomial: (g) => {
      // samples have no gradient; picking the drawn probabilities does: the draws must match the reference's
      const [rows, C] = [choose(g, [1, 3]), choose(g, [2, 5, 9])];
      const n = 1 + g.int(C);
      const replacement = g.uniform() < 0.5;
      const seed = g.int(1 << 30);
      return { inputs: { p: rnd(g, [rows, C], 0.1, 2) }, fn: (p) => gather(p, 1, multinomialWithSeed(p, n, replacement, seed)), attrs: { samples: n, replacement, seed } };
    },
  };
}
