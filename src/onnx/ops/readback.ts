// Ops whose output shape depends on the data: run() reads their inputs back and computes on the host
// (NonZero, Compress, Unique, NonMaxSuppression, ReverseSequence's lengths); forward() refuses them.
import { gather, indexSelect, reshape, slice, tensor } from '../../index.js';
import { HostVal } from '../read.js';
import { def } from './registry.js';
import { attr, axisOf, fail } from './util.js';
import type { OnnxNode } from '../types.js';

// Data-dependent shapes: run() reads the data back, forward() refuses.
def('NonZero', {
  9: {
    readsBack: true,
    run: (c, [x]) => {
      const h = c.host(x, 'X');
      const r = h.shape.length;
      const hits: number[][] = [];
      const idx = new Array(r).fill(0);
      for (let i = 0; i < h.size; i++) {
        if (h.data[i] !== 0) hits.push([...idx]);
        for (let d = r - 1; d >= 0; d--) {
          if (++idx[d] < h.shape[d]) break;
          idx[d] = 0;
        }
      }
      const out: number[] = [];
      for (let d = 0; d < r; d++) for (const hIdx of hits) out.push(hIdx[d]);
      return HostVal.ints(out, [r, hits.length]);
    },
  },
});

def('Compress', {
  9: {
    readsBack: true,
    run: (c, [x, cond], n) => {
      const keepIdx = Array.from(c.host(cond, 'condition').data).flatMap((v, i) => (v ? [i] : []));
      const axisAttr = attr<number>(n, 'axis');
      let t = c.t(x, 'input');
      let axis = 0;
      if (axisAttr === undefined) t = reshape(t, [t.size]);
      else axis = axisOf(n, axisAttr, t.ndim);
      const ids = keepIdx.filter((i) => i < t.shape[axis]);
      if (!ids.length) return slice(t, axis, 0, 0);
      return indexSelect(t, axis, tensor(Int32Array.from(ids), [ids.length], { dtype: 'i32' }));
    },
  },
});

// Unique: the distinct elements (or slices along axis), sorted or in order of first occurrence, with
// their first indices, the inverse map and the counts.
def('Unique', {
  11: {
    readsBack: true,
    run: (c, [x], n) => {
      const h = c.host(x, 'X');
      const axisAttr = attr<number>(n, 'axis');
      const sorted = attr(n, 'sorted', 1) === 1;
      const shape = axisAttr === undefined ? [h.size] : [...h.shape];
      const axis = axisAttr === undefined ? 0 : axisOf(n, axisAttr, shape.length);
      const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
      const L = shape[axis];
      const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
      const sliceOf = (i: number) => {
        const out: number[] = [];
        for (let o = 0; o < outer; o++) for (let k = 0; k < inner; k++) out.push(h.data[(o * L + i) * inner + k]);
        return out;
      };
      const keys = Array.from({ length: L }, (_, i) => sliceOf(i));
      const firstOf = new Map<string, number>();
      const order: number[] = [];
      keys.forEach((k, i) => {
        const id = k.join(',');
        if (!firstOf.has(id)) {
          firstOf.set(id, i);
          order.push(i);
        }
      });
      if (sorted) order.sort((a, b) => {
        for (let k = 0; k < keys[a].length; k++) if (keys[a][k] !== keys[b][k]) return keys[a][k] - keys[b][k];
        return 0;
      });
      const rank = new Map(order.map((i, r) => [keys[i].join(','), r]));
      const inverse = keys.map((k) => rank.get(k.join(','))!);
      const counts = order.map((_, r) => inverse.filter((v) => v === r).length);
      const yShape = [...shape];
      yShape[axis] = order.length;
      const y: number[] = [];
      for (let o = 0; o < outer; o++) for (const i of order) for (let k = 0; k < inner; k++) y.push(keys[i][o * inner + k]);
      return [HostVal.of(h.dtype, yShape, y), HostVal.ints(order), HostVal.ints(inverse), HostVal.ints(counts)];
    },
  },
});

// NonMaxSuppression: per batch and class, boxes above the score threshold by descending score, each kept
// unless it overlaps a kept one by more than the IoU threshold.
def('NonMaxSuppression', {
  10: {
    readsBack: true,
    run: (c, [b, s, maxOut, iouT, scoreT], n) => {
      const boxes = c.host(b, 'boxes');
      const scores = c.host(s, 'scores');
      const maxPer = maxOut === undefined ? 0 : c.host(maxOut, 'max_output_boxes_per_class').data[0] ?? 0;
      const iouMax = iouT === undefined ? 0 : c.host(iouT, 'iou_threshold').data[0] ?? 0;
      const minScore = scoreT === undefined ? -Infinity : c.host(scoreT, 'score_threshold').data[0] ?? -Infinity;
      const center = attr(n, 'center_point_box', 0) === 1;
      const [B, C, S] = scores.shape;
      if (boxes.shape[0] !== B || boxes.shape[1] !== S || boxes.shape[2] !== 4) fail(n, `boxes [${boxes.shape.join(', ')}] do not match scores [${scores.shape.join(', ')}]`);
      const corners = (bi: number, i: number) => {
        const o = (bi * S + i) * 4;
        const [a, q, r, t] = [boxes.data[o], boxes.data[o + 1], boxes.data[o + 2], boxes.data[o + 3]];
        if (center) return [q - t / 2, a - r / 2, q + t / 2, a + r / 2]; // [y1, x1, y2, x2] from [xc, yc, w, h]
        return [Math.min(a, r), Math.min(q, t), Math.max(a, r), Math.max(q, t)];
      };
      const iou = (p: number[], q: number[]) => {
        const ih = Math.max(0, Math.min(p[2], q[2]) - Math.max(p[0], q[0]));
        const iw = Math.max(0, Math.min(p[3], q[3]) - Math.max(p[1], q[1]));
        const inter = ih * iw;
        const union = (p[2] - p[0]) * (p[3] - p[1]) + (q[2] - q[0]) * (q[3] - q[1]) - inter;
        return union > 0 ? inter / union : 0;
      };
      const out: number[] = [];
      for (let bi = 0; bi < B; bi++) for (let ci = 0; ci < C; ci++) {
        const cand = Array.from({ length: S }, (_, i) => i).filter((i) => scores.data[(bi * C + ci) * S + i] > minScore);
        cand.sort((p, q) => scores.data[(bi * C + ci) * S + q] - scores.data[(bi * C + ci) * S + p] || p - q);
        const kept: number[] = [];
        for (const i of cand) {
          if (kept.length >= maxPer) break;
          if (kept.every((k) => iou(corners(bi, i), corners(bi, k)) <= iouMax)) kept.push(i);
        }
        for (const k of kept) out.push(bi, ci, k);
      }
      return HostVal.ints(out, [out.length / 3, 3]);
    },
  },
});

// ReverseSequence: the first sequence_lens[b] steps along time_axis reversed, per batch entry.
def('ReverseSequence', {
  10: {
    readsBack: true,
    run: (c, [x, lens], n) => {
      const t = c.t(x, 'input');
      const len = c.host(lens, 'sequence_lens').data;
      const batchAxis = attr(n, 'batch_axis', 1);
      const timeAxis = attr(n, 'time_axis', 0);
      const strides: number[] = [];
      let st = 1;
      for (let i = t.ndim - 1; i >= 0; i--) {
        strides[i] = st;
        st *= t.shape[i];
      }
      const idx = new Int32Array(t.size);
      for (let i = 0; i < t.size; i++) {
        const b = Math.floor(i / strides[batchAxis]) % t.shape[batchAxis];
        const time = Math.floor(i / strides[timeAxis]) % t.shape[timeAxis];
        idx[i] = time < len[b] ? len[b] - 1 - time : time;
      }
      return gather(t, timeAxis, tensor(idx, t.shape, { dtype: 'i32' }));
    },
  },
});
