// The audit's cases for the conv ops (src/ops/conv.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { Tensor } from '../tensor.js';
import { type AuditCases, choose, rnd } from './audit_cases.js';
import { conv2d, type ConvAttrs } from './conv.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function convAuditCases(): AuditCases<keyof ConvAttrs> {
  return {
    conv2d: (g) => {
      const groups = choose(g, [1, 1, 2]);
      const [C, O, k] = [groups * choose(g, [1, 2]), groups * choose(g, [1, 3]), choose(g, [1, 2, 3])];
      const [stride, padding, dilation] = [choose(g, [1, 2]), choose(g, [0, 1]), choose(g, [1, 1, 2])];
      const side = dilation * (k - 1) + 1 + choose(g, [0, 2, 3]);
      const x = rnd(g, [choose(g, [1, 2]), C, side, side + 1]);
      const bias = g.uniform() < 0.7;
      const inputs: Record<string, Tensor> = { x, weight: rnd(g, [O, C / groups, k, k]) };
      if (bias) inputs.bias = rnd(g, [O]);
      return { inputs, fn: (xx, w, b) => conv2d(xx, w, b, { stride, padding, dilation, groups }), attrs: { stride, padding, dilation, groups } };
    },
  };
}
