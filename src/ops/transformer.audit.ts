// The audit's cases for the transformer ops (src/ops/transformer.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { type AuditCases, choose, rnd } from './audit_cases.js';
import { attention, layerNorm, type TransformerAttrs } from './transformer.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function transformerAuditCases(): AuditCases<keyof TransformerAttrs> {
  return {
    layerNorm: (g) => {
      const D = choose(g, [2, 5, 8]);
      return { inputs: { x: rnd(g, [choose(g, [1, 3]), D]), weight: rnd(g, [D], 0.5, 1.5), bias: rnd(g, [D]) }, fn: (x, w, b) => layerNorm(x, w, b) };
    },
    attention: (g) => {
      const s = [choose(g, [1, 2]), choose(g, [1, 2]), choose(g, [1, 3, 5]), choose(g, [2, 4, 8])];
      const causal = g.uniform() < 0.5;
      return { inputs: { q: rnd(g, s, -1, 1), k: rnd(g, s, -1, 1), v: rnd(g, s) }, fn: (q, k, v) => attention(q, k, v, { causal }), attrs: { causal } };
    },
  };
}
