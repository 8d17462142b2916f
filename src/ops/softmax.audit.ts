// The audit's cases for the softmax ops (src/ops/softmax.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { type AuditCases, randShape, rnd } from './audit_cases.js';
import { logSoftmax, softmax, type SoftmaxAttrs } from './softmax.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function softmaxAuditCases(): AuditCases<keyof SoftmaxAttrs> {
  return {
    softmax: (g) => {
      const s = randShape(g);
      const axis = g.int(s.length);
      return { inputs: { x: rnd(g, s, -3, 3) }, fn: (x) => softmax(x, axis), attrs: { axis } };
    },
    logSoftmax: (g) => {
      const s = randShape(g);
      const axis = g.int(s.length);
      return { inputs: { x: rnd(g, s, -3, 3) }, fn: (x) => logSoftmax(x, axis), attrs: { axis } };
    },
  };
}
