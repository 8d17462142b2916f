// The audit's cases for the reduce ops (src/ops/reduce.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { fromHost } from '../creation.js';
import { type AuditCases, choose, numel, randShape, rnd } from './audit_cases.js';
import { pick } from './gather.js';
import { argmax, argmin, cumsum, max, min, type ReduceAttrs, sum, sumTo, topk } from './reduce.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function reduceAuditCases(): AuditCases<keyof ReduceAttrs> {
  return {
    sum: (g) => {
      const s = randShape(g);
      const axis = g.uniform() < 0.3 ? null : g.int(s.length);
      const keepdim = g.uniform() < 0.5; // drawn here: fn must be the same function at every call
      return { inputs: { x: rnd(g, s) }, fn: (x) => sum(x, axis, keepdim), attrs: { axis, keepdim } };
    },
    max: (g) => {
      const s = randShape(g);
      const n = numel(s);
      const order = Array.from({ length: n }, (_, i) => i);
      g.shuffle(order);
      const x = fromHost(order.map((i) => i / 100 - 1), s, 'f32'); // distinct: a unique maximum
      const axis = g.int(s.length);
      return { inputs: { x }, fn: (t) => max(t, axis), attrs: { axis } };
    },
    min: (g) => {
      const s = randShape(g);
      const order = Array.from({ length: numel(s) }, (_, i) => i);
      g.shuffle(order);
      const x = fromHost(order.map((i) => i / 100 - 1), s, 'f32'); // distinct: a unique minimum
      const axes = s.length > 1 && g.uniform() < 0.5 ? [0, s.length - 1] : [g.int(s.length)];
      return { inputs: { x }, fn: (t) => min(t, axes), attrs: { axes } };
    },
    argmax: (g) => {
      // argmax has no gradient; picking the element it names does: a wrong index moves the gradient
      const [N, C] = [choose(g, [1, 3, 5]), choose(g, [2, 5, 7])];
      const order = Array.from({ length: N * C }, (_, i) => i);
      g.shuffle(order);
      const x = fromHost(order.map((i) => i / 100 - 1), [N, C], 'f32'); // distinct: a unique maximum
      return { inputs: { x }, fn: (t) => pick(t, argmax(t, 1)) };
    },
    argmin: (g) => {
      const [N, C] = [choose(g, [1, 3, 5]), choose(g, [2, 5, 7])];
      const order = Array.from({ length: N * C }, (_, i) => i);
      g.shuffle(order);
      const x = fromHost(order.map((i) => i / 100 - 1), [N, C], 'f32');
      return { inputs: { x }, fn: (t) => pick(t, argmin(t, 1)) };
    },
    cumsum: (g) => {
      const s = randShape(g);
      const axis = g.int(s.length);
      const opts = { exclusive: g.uniform() < 0.4, reverse: g.uniform() < 0.4 };
      return { inputs: { x: rnd(g, s) }, fn: (x) => cumsum(x, axis, opts), attrs: { axis, ...opts } };
    },
    topkIndices: (g) => {
      const s = randShape(g);
      const axis = g.int(s.length);
      const k = 1 + g.int(s[axis]);
      const order = Array.from({ length: numel(s) }, (_, i) => i);
      g.shuffle(order);
      const x = fromHost(order.map((i) => i / 100 - 1), s, 'f32'); // distinct: one order
      return { inputs: { x }, fn: (t) => topk(t, k, axis).values, attrs: { k, axis } };
    },
    sumTo: (g) => {
      const out = randShape(g, 1, 3);
      const target = out.slice(g.int(out.length)).map((d) => (g.uniform() < 0.5 ? 1 : d));
      return { inputs: { x: rnd(g, out) }, fn: (x) => sumTo(x, target), attrs: { target } };
    },
  };
}
