// The audit's cases for the joining ops (src/ops/joining.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { type AuditCases, choose, randShape, rnd } from './audit_cases.js';
import { cat, type JoiningAttrs, pad, slice, tril, triu } from './joining.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function joiningAuditCases(): AuditCases<keyof JoiningAttrs> {
  return {
    slice: (g) => {
      const s = randShape(g, 1, 3);
      const axis = g.int(s.length);
      const [start, step] = [g.int(s[axis]), choose(g, [1, 2])];
      return { inputs: { x: rnd(g, s) }, fn: (x) => slice(x, axis, start, undefined, step), attrs: { axis, start, step } };
    },
    cat: (g) => {
      const s = randShape(g, 1, 3);
      const axis = g.int(s.length);
      const other = s.map((d, i) => (i === axis ? choose(g, [1, 2, 3]) : d));
      return { inputs: { a: rnd(g, s), b: rnd(g, other) }, fn: (a, b) => cat([a, b, a], axis), attrs: { axis } };
    },
    pad: (g) => {
      const s = randShape(g, 1, 3).map((d) => d + 1); // room to crop one
      const pads = s.slice(0, 1 + g.int(s.length)).flatMap(() => [choose(g, [0, 1, 2, -1]), choose(g, [0, 2, -1])]);
      return { inputs: { x: rnd(g, s) }, fn: (x) => pad(x, pads, 0.5), attrs: { pads, value: 0.5 } };
    },
    triangle: (g) => {
      const s = [choose(g, [1, 2]), choose(g, [1, 3, 4]), choose(g, [2, 3, 5])];
      const [upper, diagonal] = [g.uniform() < 0.5, choose(g, [-1, 0, 1, 2])];
      return { inputs: { x: rnd(g, s) }, fn: (x) => (upper ? triu(x, diagonal) : tril(x, diagonal)), attrs: { upper, diagonal } };
    },
  };
}
