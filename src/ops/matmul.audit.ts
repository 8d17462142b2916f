// The audit's cases for the matmul ops (src/ops/matmul.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { type AuditCases, choose, dims, rnd } from './audit_cases.js';
import { linear, type LinearAttrs, matmul, type MatmulAttrs } from './matmul.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function matmulAuditCases(): AuditCases<keyof MatmulAttrs> {
  return {
    matmul: (g) => {
      const [m, k, n] = [choose(g, dims), choose(g, [1, 4, 6]), choose(g, dims)];
      const batch = choose(g, [[], [2], [3]]);
      return { inputs: { a: rnd(g, [...batch, m, k]), b: rnd(g, [k, n]) }, fn: matmul };
    },
  };
}

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function linearAuditCases(): AuditCases<keyof LinearAttrs> {
  return {
    linear: (g) => {
      const [m, k, n] = [choose(g, dims), choose(g, [3, 4, 8]), choose(g, dims)];
      const activation = choose(g, ['none', 'relu', 'gelu'] as const);
      // relu's kink: keep pre-activations away from 0 by a large bias of random sign
      return { inputs: { x: rnd(g, [m, k], -1, 1), weight: rnd(g, [n, k], -1, 1), bias: rnd(g, [n], -1, 1) }, fn: (x, w, b) => linear(x, w, b, activation === 'relu' ? 'none' : activation), attrs: { activation: activation === 'relu' ? 'none' : activation } };
    },
  };
}
