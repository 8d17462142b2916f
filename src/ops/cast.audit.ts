// The audit's cases for the cast ops (src/ops/cast.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { type AuditCases, unaryCase } from './audit_cases.js';
import { cast, type CastAttrs } from './cast.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function castAuditCases(): AuditCases<keyof CastAttrs> {
  return {
    cast: unaryCase((x) => cast(x, 'f32')),
  };
}
