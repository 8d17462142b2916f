// The audit's cases for the binary ops (src/ops/binary.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { type AuditCases, binaryCase } from './audit_cases.js';
import { add, type BinaryAttrs, div, maximum, minimum, mul, sub } from './binary.js';
import { affine } from './unary.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function binaryAuditCases(): AuditCases<keyof BinaryAttrs> {
  return {
    add: binaryCase(add),
    sub: binaryCase(sub),
    mul: binaryCase(mul),
    div: binaryCase(div),
    minimum: binaryCase((a, b) => minimum(a, affine(b, 1, 0.0005))), // never a tie on the 1e-3 grid
    maximum: binaryCase((a, b) => maximum(a, affine(b, 1, 0.0005))),
  };
}
