// The audit's cases for the scatter ops (src/ops/scatter.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { fromHost } from '../creation.js';
import { type AuditCases, choose, gatherIndex, numel, rnd } from './audit_cases.js';
import { gatherNd, scatter, type ScatterAttrs, scatterNd } from './scatter.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function scatterAuditCases(): AuditCases<keyof ScatterAttrs> {
  return {
    scatter: (g) => {
      // distinct targets in each line along the axis ((position + a shift per line) mod n): with duplicates
      // only the last write counts
      const { s, axis, is } = gatherIndex(g);
      const n = s[axis];
      is[axis] = Math.min(is[axis], n);
      const inner = numel(is.slice(axis + 1));
      const shifts = Array.from({ length: numel(is) }, () => g.int(n));
      const line = (i: number) => Math.floor(i / (inner * is[axis])) * inner + (i % inner);
      const index = fromHost(Array.from({ length: numel(is) }, (_, i) => (Math.floor(i / inner) % is[axis] + shifts[line(i)]) % n), is, 'i32');
      return { inputs: { x: rnd(g, s), src: rnd(g, is.map((d) => d + g.int(2))) }, fn: (x, src) => scatter(x, axis, index, src) };
    },
    gatherNd: (g) => {
      const [B, X1, X2, D] = [choose(g, [1, 2]), choose(g, [2, 3]), choose(g, [1, 4]), choose(g, [1, 3])];
      const batchDims = g.int(2);
      const k = 1 + g.int(2);
      const M = choose(g, [1, 3, 5]); // repeats likely: the backward adds them
      const lead = batchDims ? [B] : [];
      const idx = fromHost(Array.from({ length: numel(lead) * M * k }, (_, i) => { const ext = [X1, X2][i % k]; return g.int(2 * ext) - ext; }), [...lead, M, k], 'i32');
      return { inputs: { x: rnd(g, [...(batchDims ? [B] : []), X1, X2, D]) }, fn: (x) => gatherNd(x, idx, batchDims) };
    },
    scatterNd: (g) => {
      const [X1, X2, D] = [choose(g, [2, 3, 4]), choose(g, [1, 4]), choose(g, [1, 3])];
      const reduction = choose(g, ['none', 'add', 'mul'] as const);
      const cells = [...Array(X1).keys()];
      g.shuffle(cells); // distinct first-axis cells for 'none' (the last write counts) and 'mul'
      const M = 1 + g.int(X1);
      const idx = fromHost(reduction === 'add' ? Array.from({ length: M }, () => g.int(X1)) : cells.slice(0, M), [M, 1], 'i32');
      return { inputs: { x: rnd(g, [X1, X2, D]), updates: rnd(g, [M, X2, D]) }, fn: (x, u) => scatterNd(x, idx, u, { reduction }) };
    },
  };
}
