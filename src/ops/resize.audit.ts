// The audit's cases for the resize ops (src/ops/resize.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { type AuditCases, choose, rnd } from './audit_cases.js';
import { resize, type ResizeAttrs } from './resize.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function resizeAuditCases(): AuditCases<keyof ResizeAttrs> {
  return {
    resize: (g) => {
      const mode = choose(g, ['nearest', 'linear', 'cubic'] as const);
      const coordinateTransformationMode = choose(g, ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'] as const);
      const two = g.uniform() < 0.7;
      const x = rnd(g, two ? [choose(g, [1, 2]), choose(g, [1, 3, 4]), choose(g, [2, 5])] : [2, choose(g, [1, 3, 6])]);
      const size = x.shape.slice(1).map((d) => choose(g, [1, 2, d + 3, 2 * d]));
      const excludeOutside = g.uniform() < 0.3;
      return { inputs: { x }, fn: (t) => resize(t, { size, mode, coordinateTransformationMode, excludeOutside }) };
    },
  };
}
