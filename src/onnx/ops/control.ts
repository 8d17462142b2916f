// Control flow and sequences: If, Loop and Scan run their body graphs on the host's schedule (conditions
// and trip counts must be known on the host; run() reads a device condition back), and ONNX sequences
// are lists of values (SequenceConstruct/Empty/Insert/At/Erase/Length, SplitToSequence,
// ConcatFromSequence).
import { Tensor, cat, reshape, split, stack, slice } from '../../core.js';
import { HostVal, SeqVal } from '../read.js';
import { def } from './registry.js';
import { attr, axisOf, fail, isHost } from './util.js';
import type { Graph, OnnxNode, OpCtx, Val } from '../types.js';

const subgraph = (n: OnnxNode, name: string): Graph => n.subgraphs.get(name) ?? fail(n, `has no '${name}' graph`);

// If: the chosen branch runs with the outer scope's values.
def('If', {
  1: {
    readsBack: true,
    run: (c, [cond], n) => {
      const k = c.host(cond, 'cond').data[0];
      return c.runSubgraph(subgraph(n, k ? 'then_branch' : 'else_branch'), []);
    },
  },
});

/** Stacks per-iteration values along a new axis 0 (host values stay on the host). */
function stackVals(c: OpCtx, vals: Val[]): Val {
  if (vals.every(isHost)) {
    const hs = vals as HostVal[];
    const data: number[] = [];
    for (const h of hs) data.push(...Array.from(h.data));
    return HostVal.of(hs[0].dtype, [hs.length, ...hs[0].shape], data);
  }
  return stack(vals.map((v) => c.t(v)), 0);
}

// Loop: body(iteration, cond, carried...) -> (cond, carried..., scan outputs...).
def('Loop', {
  1: {
    readsBack: true,
    run: (c, [M, cond, ...carried], n) => {
      const body = subgraph(n, 'body');
      const max = M === undefined ? Infinity : c.host(M, 'M').data[0];
      let go = cond === undefined ? true : c.host(cond, 'cond').data[0] !== 0;
      let state = carried as Val[];
      const nScan = body.outputs.length - 1 - state.length;
      const scans: Val[][] = Array.from({ length: nScan }, () => []);
      for (let i = 0; i < max && go; i++) {
        if (i > 1_000_000) fail(n, 'ran more than 1e6 iterations');
        const out = c.runSubgraph(body, [HostVal.ints([i], []), HostVal.of('bool', [], [go ? 1 : 0]), ...state]);
        go = c.host(out[0], 'the body\'s condition').data[0] !== 0;
        state = out.slice(1, 1 + state.length);
        out.slice(1 + state.length).forEach((v, k) => scans[k].push(v));
      }
      return [...state, ...scans.map((s, k) => (s.length ? stackVals(c, s) : fail(n, `scan output ${k} has no iterations`)))];
    },
  },
});

/** One scan: body(state..., slices...) -> (state..., per-step outputs...), stepping along `axes`. */
function scanCore(c: OpCtx, n: OnnxNode, body: Graph, init: Val[], scanIn: Tensor[], axes: number[], inDirs: number[], outAxes: number[], outDirs: number[]): Val[] {
  let state = init;
  const nScanOut = body.outputs.length - init.length;
  const T = scanIn.length ? scanIn[0].shape[axes[0]] : 0;
  const outs: Tensor[][] = Array.from({ length: nScanOut }, () => []);
  for (let k = 0; k < T; k++) {
    const slices = scanIn.map((t, i) => {
      const at = inDirs[i] ? T - 1 - k : k;
      return reshape(slice(t, axes[i], at, at + 1), t.shape.filter((_, d) => d !== axes[i]));
    });
    const out = c.runSubgraph(body, [...state, ...slices]);
    state = out.slice(0, init.length);
    out.slice(init.length).forEach((v, j) => outs[j].push(c.t(v)));
  }
  const scanned = outs.map((list, j) => {
    if (!list.length) fail(n, 'has no steps to scan');
    const ordered = outDirs[j] ? [...list].reverse() : list;
    return stack(ordered, axisOf(n, outAxes[j] ?? 0, ordered[0].ndim + 1));
  });
  return [...state, ...scanned];
}

// Scan: opset 8 has a batch axis first (and sequence_lens, which must cover the whole sequence); from 9
// the scan axes and directions are per input and output.
def('Scan', {
  8: (c, [lens, ...inputs], n) => {
    const body = subgraph(n, 'body');
    const nScanIn = attr<number>(n, 'num_scan_inputs') ?? fail(n, 'num_scan_inputs is required');
    const nState = inputs.length - nScanIn;
    const states = inputs.slice(0, nState).map((v, i) => c.t(v, `state ${i}`));
    const scanIn = inputs.slice(nState).map((v, i) => c.t(v, `scan input ${i}`));
    const B = (states[0] ?? scanIn[0]).shape[0];
    if (lens !== undefined && Array.from(c.host(lens, 'sequence_lens').data).some((l) => l !== scanIn[0].shape[1])) fail(n, 'sequence_lens shorter than the sequence are not supported');
    const dirs = attr<number[]>(n, 'directions') ?? scanIn.map(() => 0);
    const at = (t: Tensor, b: number) => reshape(slice(t, 0, b, b + 1), t.shape.slice(1));
    const perBatch = Array.from({ length: B }, (_, b) => scanCore(c, n, body, states.map((t) => at(t, b)), scanIn.map((t) => at(t, b)), scanIn.map(() => 0), dirs, [], []));
    return perBatch[0].map((_, j) => stack(perBatch.map((r) => c.t(r[j])), 0));
  },
  9: (c, inputs, n) => {
    const body = subgraph(n, 'body');
    const nScanIn = attr<number>(n, 'num_scan_inputs') ?? fail(n, 'num_scan_inputs is required');
    const nState = inputs.length - nScanIn;
    const scanIn = inputs.slice(nState).map((v, i) => c.t(v, `scan input ${i}`));
    const inAxes = attr<number[]>(n, 'scan_input_axes') ?? scanIn.map(() => 0);
    const nScanOut = body.outputs.length - nState;
    return scanCore(c, n, body, inputs.slice(0, nState) as Val[], scanIn, scanIn.map((t, i) => axisOf(n, inAxes[i], t.ndim)), attr<number[]>(n, 'scan_input_directions') ?? scanIn.map(() => 0),
      attr<number[]>(n, 'scan_output_axes') ?? new Array(nScanOut).fill(0), attr<number[]>(n, 'scan_output_directions') ?? new Array(nScanOut).fill(0));
  },
});

// Sequences.
const seqOf = (n: OnnxNode, v: Val | undefined): SeqVal => (v instanceof SeqVal ? v : fail(n, 'expected a sequence input'));
const position = (c: OpCtx, n: OnnxNode, v: Val | undefined, len: number, inserting: boolean, fallback: number): number => {
  if (v === undefined) return fallback;
  const p = c.host(v, 'position').data[0];
  const limit = inserting ? len : len - 1;
  if (p < -len || p > limit) fail(n, `position ${p} is out of range for a sequence of ${len}`);
  return p < 0 ? p + len : p;
};
def('SequenceEmpty', { 11: () => new SeqVal([]) });
def('SequenceConstruct', { 11: (c, xs) => new SeqVal(xs.filter((v): v is Tensor | HostVal => v !== undefined && !(v instanceof SeqVal))) });
def('SequenceLength', { 11: (c, [s], n) => HostVal.ints([seqOf(n, s).items.length], []) });
def('SequenceAt', { 11: (c, [s, p], n) => {
  const seq = seqOf(n, s);
  return seq.items[position(c, n, p, seq.items.length, false, 0)];
} });
def('SequenceInsert', { 11: (c, [s, x, p], n) => {
  const items = [...seqOf(n, s).items];
  if (!x || x instanceof SeqVal) fail(n, 'expected a tensor to insert');
  items.splice(position(c, n, p, items.length, true, items.length), 0, x);
  return new SeqVal(items);
} });
def('SequenceErase', { 11: (c, [s, p], n) => {
  const items = [...seqOf(n, s).items];
  items.splice(position(c, n, p, items.length, false, items.length - 1), 1);
  return new SeqVal(items);
} });
def('SplitToSequence', {
  11: {
    host: [1],
    run: (c, [x, sp], n) => {
      const t = c.t(x, 'input');
      const axis = axisOf(n, attr(n, 'axis', 0), t.ndim);
      const keep = attr(n, 'keepdims', 1) === 1;
      if (sp === undefined) {
        const parts = split(t, 1, axis);
        return new SeqVal(keep ? parts : parts.map((p) => reshape(p, t.shape.filter((_, i) => i !== axis))));
      }
      const sizes = c.ints(sp, 'split');
      const L = t.shape[axis];
      const list = sizes.length === 1 && sp.shape.length === 0 ? Array.from({ length: Math.ceil(L / sizes[0]) }, (_, i) => Math.min(sizes[0], L - i * sizes[0])) : sizes;
      return new SeqVal(split(t, list, axis));
    },
  },
});
def('ConcatFromSequence', {
  11: (c, [s], n) => {
    const items = seqOf(n, s).items.map((v) => c.t(v));
    if (!items.length) fail(n, 'the sequence is empty');
    const newAxis = attr(n, 'new_axis', 0) === 1;
    const axis = axisOf(n, attr<number>(n, 'axis') ?? fail(n, 'axis is required'), items[0].ndim + (newAxis ? 1 : 0));
    return newAxis ? stack(items, axis) : cat(items, axis);
  },
});
