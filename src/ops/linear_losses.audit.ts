// The audit's cases for the linear losses ops (src/ops/linear_losses.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { type AuditCases, choose, linearLossCase, rowLossCase } from './audit_cases.js';
import { type LinearLossAttrs, rowLossNames } from './linear_losses.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function linearLossAuditCases(): AuditCases<keyof LinearLossAttrs> {
  return {
    rowLoss: (g) => rowLossCase(choose(g, rowLossNames()))(g),
    linearLoss: (g) => linearLossCase(choose(g, rowLossNames()), choose(g, ['chunked', 'tiled'] as const))(g),
  };
}
