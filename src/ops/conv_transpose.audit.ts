// The audit's cases for the conv transpose ops (src/ops/conv_transpose.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { Tensor } from '../tensor.js';
import { type AuditCases, choose, rnd } from './audit_cases.js';
import { convTranspose2d, type ConvTransposeAttrs } from './conv_transpose.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function convTransposeAuditCases(): AuditCases<keyof ConvTransposeAttrs> {
  return {
    convTranspose2d: (g) => {
      const groups = choose(g, [1, 1, 2]);
      const [C, O, k] = [groups * choose(g, [1, 2]), groups * choose(g, [1, 3]), choose(g, [1, 2, 3])];
      const [stride, dilation] = [choose(g, [1, 2]), choose(g, [1, 1, 2])];
      const padding = g.int(Math.floor(((k - 1) * dilation) / 2) + 1); // never an empty output
      const outputPadding = g.int(stride);
      const x = rnd(g, [choose(g, [1, 2]), C, choose(g, [2, 3]), choose(g, [2, 4])]);
      const inputs: Record<string, Tensor> = { x, weight: rnd(g, [C, O / groups, k, k]) };
      if (g.uniform() < 0.7) inputs.bias = rnd(g, [O]);
      return { inputs, fn: (xx, w, b) => convTranspose2d(xx, w, b, { stride, padding, outputPadding, dilation, groups }) };
    },
  };
}
