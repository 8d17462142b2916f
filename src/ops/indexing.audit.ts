// The audit's cases for the indexing ops (src/ops/indexing.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { type AuditCases, choose, gatherIndex, labels, randShape, rnd } from './audit_cases.js';
import { gather, type IndexingAttrs, indexSelect, scatterAdd } from './indexing.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function indexingAuditCases(): AuditCases<keyof IndexingAttrs> {
  return {
    indexSelect: (g) => {
      const s = randShape(g, 1, 3);
      const axis = g.int(s.length);
      const index = labels(g, choose(g, [1, 3, 5]), s[axis]); // repeats likely: the backward adds them
      return { inputs: { x: rnd(g, s) }, fn: (x) => indexSelect(x, axis, index), attrs: { axis } };
    },
    gather: (g) => {
      const { s, axis, index } = gatherIndex(g);
      return { inputs: { x: rnd(g, s) }, fn: (x) => gather(x, axis, index), attrs: { axis } };
    },
    scatterAdd: (g) => {
      const { s, axis, index, is } = gatherIndex(g);
      const ss = is.map((d) => d + g.int(2)); // src may be larger than the index
      return { inputs: { x: rnd(g, s), src: rnd(g, ss) }, fn: (x, src) => scatterAdd(x, axis, index, src), attrs: { axis } };
    },
  };
}
