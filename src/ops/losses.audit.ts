// The audit's cases for the losses ops (src/ops/losses.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { type AuditCases, binaryLossCase, choose, multiclassCase } from './audit_cases.js';
import { binaryCrossEntropy, crossEntropy, focalLoss, type LossAttrs, rootedLogisticLoss, rootedLoss } from './losses.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function lossAuditCases(): AuditCases<keyof LossAttrs> {
  return {
    crossEntropy: (g) => {
      const labelSmoothing = choose(g, [0, 0, 0.1]);
      return { ...multiclassCase((z, y) => crossEntropy(z, y, { labelSmoothing }))(g), attrs: { labelSmoothing } };
    },
    focalLoss: multiclassCase((z, y) => focalLoss(z, y)),
    rootedLoss: multiclassCase((z, y) => rootedLoss(z, y)),
    rootedLogisticLoss: binaryLossCase((z, y) => rootedLogisticLoss(z, y)),
    binaryCrossEntropy: binaryLossCase((z, y) => binaryCrossEntropy(z, y)),
  };
}
