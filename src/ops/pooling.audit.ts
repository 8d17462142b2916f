// The audit's cases for the pooling ops (src/ops/pooling.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { type AuditCases, choose, distinct, rnd } from './audit_cases.js';
import { gather } from './indexing.js';
import { flatten } from './joining.js';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d, maxPool2dWithIndices, type PoolingAttrs } from './pooling.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function poolingAuditCases(): AuditCases<keyof PoolingAttrs> {
  return {
    maxPool2d: (g) => {
      const opts = { kernel: choose(g, [2, 3]), stride: choose(g, [1, 2]), padding: choose(g, [0, 1]), dilation: choose(g, [1, 1, 2]), ceilMode: g.uniform() < 0.3 };
      return { inputs: { x: distinct(g, [choose(g, [1, 2]), choose(g, [1, 2]), choose(g, [3, 5]), choose(g, [4, 6])]) }, fn: (x) => maxPool2d(x, opts), attrs: opts };
    },
    maxPool2dIndices: (g) => {
      // indices have no gradient; the values they pick do (a wrong index moves the gradient)
      const opts = { kernel: choose(g, [2, 3]), stride: choose(g, [1, 2]), padding: choose(g, [0, 1]), dilation: choose(g, [1, 2]), ceilMode: g.uniform() < 0.5 };
      const s = [choose(g, [1, 2]), 2, choose(g, [3, 5]), choose(g, [4, 6])];
      return { inputs: { x: distinct(g, s) }, fn: (x) => {
        const { values, indices } = maxPool2dWithIndices(x, opts);
        values.dispose();
        return gather(flatten(x, 2), 2, flatten(indices, 2));
      } };
    },
    avgPool2d: (g) => {
      const opts = { kernel: choose(g, [2, 3]), stride: choose(g, [1, 2]), padding: choose(g, [0, 1]), countIncludePad: g.uniform() < 0.5, ceilMode: g.uniform() < 0.3 };
      return { inputs: { x: rnd(g, [choose(g, [1, 2]), 2, choose(g, [3, 5]), choose(g, [4, 6])]) }, fn: (x) => avgPool2d(x, opts), attrs: opts };
    },
    adaptiveAvgPool2d: (g) => {
      const out: [number, number] = [choose(g, [1, 2, 3]), choose(g, [1, 2, 4])];
      return { inputs: { x: rnd(g, [choose(g, [1, 2]), 2, choose(g, [3, 5]), choose(g, [4, 7])]) }, fn: (x) => adaptiveAvgPool2d(x, out), attrs: { outputSize: out } };
    },
  };
}
