// The audit's cases for the masks ops (src/ops/masks.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { fromHost } from '../creation.js';
import { type AuditCases, binaryCase, numel, randShape, rnd, unaryCase } from './audit_cases.js';
import { mul } from './binary.js';
import { eq, ge, gt, le, logicalAnd, logicalNot, logicalOr, lt, type MaskAttrs, ne, where } from './masks.js';
import { affine, neg } from './unary.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function maskAuditCases(): AuditCases<keyof MaskAttrs> {
  return {
    // comparisons have no gradient; where picks by them, so a wrong mask moves the gradient
    eq: binaryCase((a, b) => where(eq(a, b), a, neg(a))),
    ne: binaryCase((a, b) => where(ne(a, b), a, neg(a))),
    lt: binaryCase((a, b) => where(lt(a, affine(b, 1, 0.0005)), a, b)),
    le: binaryCase((a, b) => where(le(a, affine(b, 1, 0.0005)), a, b)),
    gt: binaryCase((a, b) => where(gt(a, affine(b, 1, 0.0005)), a, b)),
    ge: binaryCase((a, b) => where(ge(a, affine(b, 1, 0.0005)), a, b)),
    logicalAnd: unaryCase((x) => where(logicalAnd(gt(x, 0.0005), lt(x, 1.0005)), x, mul(x, x))),
    logicalOr: unaryCase((x) => where(logicalOr(lt(x, -1.0005), gt(x, 1.0005)), x, mul(x, x))),
    logicalNot: unaryCase((x) => where(logicalNot(gt(x, 0.0005)), x, mul(x, x))),
    where: (g) => {
      const s = randShape(g, 1, 3);
      const cond = fromHost(Array.from({ length: numel(s) }, () => g.int(2)), s, 'bool');
      const b = s.slice(g.int(s.length)); // a trailing block: broadcasts against cond and a
      return { inputs: { a: rnd(g, s), b: rnd(g, b) }, fn: (a, bt) => where(cond, a, bt) };
    },
  };
}
