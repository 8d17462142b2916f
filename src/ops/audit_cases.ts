// The gradient audit's samplers: seeded random inputs for a primitive's case. Each op family's cases sit beside
// its file (`export function unaryAuditCases()` in unary.audit.ts, typed so that a primitive without a case
// does not compile) and src/audit.ts gathers them; these are the helpers they share.
import { fromHost } from '../creation.js';
import type { Generator } from '../random.js';
import type { Primitive } from './def.js';
import type { Tensor } from '../tensor.js';
import { mul } from './binary.js';
import { sum } from './reduce.js';
import { linearRowLoss, rowLoss } from './linear_losses.js';

export interface AuditCase {
  inputs: Record<string, Tensor>;
  fn: (...xs: Tensor[]) => Tensor;
  /** Check at most this many elements per input (default: gradcheck's, every element up to its limit). */
  samples?: number;
  /** The attributes drawn for this case (options, axes, strategy), for the reports. */
  attrs?: Record<string, unknown>;
  /** Other implementations of the same function (a composition, a materialised path): each one's forward
   * value must match the float64 reference too. */
  compare?: { label: string; fn: (...xs: Tensor[]) => Tensor }[];
}

export type Sampler = (g: Generator) => AuditCase;

export const dims = [1, 2, 3, 5, 7];
export const choose = <T>(g: Generator, xs: readonly T[]): T => xs[g.int(xs.length)];
export const randShape = (g: Generator, min = 1, max = 3) => Array.from({ length: min + g.int(max - min + 1) }, () => choose(g, dims));
export const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);
/** Values on a 1e-3 grid in [lo, hi] (never subnormal: SwiftShader flushes those). */
export const rnd = (g: Generator, s: number[], lo = -2, hi = 2) => fromHost(Array.from({ length: numel(s) }, () => Math.round((lo + (hi - lo) * g.uniform()) * 1000) / 1000), s, 'f32');
export const labels = (g: Generator, n: number, C: number) => fromHost(Array.from({ length: n }, () => g.int(C)), [n], 'i32');
export const unaryCase = (f: (x: Tensor) => Tensor, lo = -2, hi = 2): Sampler => (g) => ({ inputs: { x: rnd(g, randShape(g), lo, hi) }, fn: f });
export const binaryCase = (f: (a: Tensor, b: Tensor) => Tensor): Sampler => (g) => {
  const out = randShape(g, 1, 3);
  const a = out.map((d) => (g.uniform() < 0.3 ? 1 : d));
  const b = out.slice(g.int(out.length)).map((d) => (g.uniform() < 0.3 ? 1 : d));
  const bt = rnd(g, b, 0.5, 2);
  return { inputs: { a: rnd(g, a), b: bt }, fn: f };
};
/** Logits [N, C] or [2, N, C] (class axis last), some labels ignoreIndex (-100) now and then. */
/** `counted`: the first label is never ignored (a case where every row is ignored checks nothing). */
export const multiclassData = (g: Generator, counted = false) => {
  const [N, C] = [choose(g, [1, 3, 8]), choose(g, [2, 5, 17])];
  const lead = g.uniform() < 0.3 ? [2, N] : [N];
  const y = fromHost(Array.from({ length: numel(lead) }, (_, i) => (g.uniform() < 0.2 && !(counted && i === 0) ? -100 : g.int(C))), lead, 'i32');
  return { logits: rnd(g, [...lead, C], -4, 4), y };
};
export const multiclassCase = (f: (z: Tensor, y: Tensor) => Tensor): Sampler => (g) => {
  const { logits, y } = multiclassData(g);
  return { inputs: { logits }, fn: (z) => f(z, y) };
};
export const binaryLossCase = (f: (z: Tensor, y: Tensor) => Tensor): Sampler => (g) => {
  const N = choose(g, [1, 4, 9]);
  const y = fromHost(Array.from({ length: N }, () => g.int(2)), [N], 'i32');
  return { inputs: { logits: rnd(g, [N], -5, 5) }, fn: (z) => f(z, y) };
};

/** Values at least 0.05 apart (a shuffled grid): a max never ties, and finite differences do not swap it. */
export function distinct(g: Generator, s: number[]) {
  const order = [...Array(numel(s)).keys()];
  g.shuffle(order);
  return fromHost(order.map((i) => (i - order.length / 2) * 0.05), s, 'f32');
}

/** An input randShape, an axis and an index of the input's rank (no larger on the other axes) into it. */
export function gatherIndex(g: Generator) {
  const s = randShape(g, 1, 3);
  const axis = g.int(s.length);
  const is = s.map((d, i) => (i === axis ? choose(g, [1, 2, 4]) : Math.max(1, d - g.int(2))));
  return { s, axis, is, index: fromHost(Array.from({ length: numel(is) }, () => g.int(s[axis])), is, 'i32') };
}

/** A registered row loss by name on logits (softmax-fused), its value also compared through its composition
 * (`fused: false`: defineRowLoss's `compose`). */
export const rowLossCase = (name: string): Sampler => (g) => {
  const reduction = choose(g, ['mean', 'sum'] as const);
  const { logits, y } = multiclassData(g, true);
  const f = (fused: boolean) => (z: Tensor) => rowLoss(name, z, y, { reduction, fused });
  return { inputs: { logits }, fn: f(true), attrs: { loss: name, reduction }, compare: [{ label: 'its composition (fused: false)', fn: f(false) }] };
};

/** A registered row loss fused with the classifier, one strategy; its value also compared with the
 * materialised path (`fused: false`). */
export const linearLossCase = (name: string, strategy: 'chunked' | 'tiled'): Sampler => (g) => {
  // sometimes over 64 rows, so that a second chunk (and the in-order weight-gradient sum) is checked
  const [N, D, V] = [choose(g, [1, 5, 70]), choose(g, [1, 3, 4]), choose(g, [2, 9])];
  const y = fromHost(Array.from({ length: N }, () => (g.uniform() < 0.2 ? -100 : g.int(V))), [N], 'i32');
  const reduction = choose(g, ['mean', 'sum', 'none'] as const);
  const inputs: Record<string, Tensor> = { h: rnd(g, [N, D]), weight: rnd(g, [V, D]) };
  if (g.uniform() < 0.5) inputs.bias = rnd(g, [V]);
  const weights = rnd(g, [N]); // reduction 'none': a random weight per row, so that per-row gradients count
  const out = (t: Tensor) => (reduction === 'none' ? sum(mul(t, weights)) : t);
  const f = (fused: boolean) => (h: Tensor, w: Tensor, b?: Tensor) => out(linearRowLoss(name, h, w, y, { bias: b ?? null, strategy, reduction, chunkRows: 64, fused }));
  return { inputs, fn: f(true), attrs: { loss: name, strategy, reduction, chunkRows: 64, bias: !!inputs.bias }, compare: [{ label: 'the materialised path (fused: false)', fn: f(false) }] };
};

/** A family's cases: one per primitive of the family (the compiler asks for each). */
export type AuditCases<K extends Primitive> = Record<K, Sampler>;
