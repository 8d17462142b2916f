// The audit's cases for the movement ops (src/ops/movement.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { type AuditCases, choose, dims, randShape, rnd, unaryCase } from './audit_cases.js';
import { expand, type MovementAttrs, permute, reshape } from './movement.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function movementAuditCases(): AuditCases<keyof MovementAttrs> {
  return {
    reshape: unaryCase((x) => reshape(x, [-1])),
    permute: (g) => {
      const s = randShape(g, 2, 3);
      const perm = s.map((_, i) => i);
      g.shuffle(perm);
      return { inputs: { x: rnd(g, s) }, fn: (x) => permute(x, perm), attrs: { perm } };
    },
    expand: (g) => {
      const d = choose(g, dims);
      return { inputs: { x: rnd(g, [1, d]) }, fn: (x) => expand(x, [3, d]) };
    },
  };
}
