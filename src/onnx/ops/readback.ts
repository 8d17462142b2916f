// Ops whose output shape depends on the data: run() reads their inputs back and computes on the host
// (NonZero, Compress, Unique, NonMaxSuppression, ReverseSequence's lengths, RoiAlign's boxes); forward()
// refuses them.
import { gather, indexSelect, reshape, slice, tensor, permute, mul, sum, cast, type Tensor } from '../../core.js';
import { HostVal } from '../read.js';
import { def } from './registry.js';
import { attr, axisOf, fail } from './util.js';

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

// RoiAlign (opset 16, mode avg): the boxes and batch indices are read on the host, where every output
// cell's sample points and their bilinear corner weights are worked out (ONNX's definition: samples
// outside [-1, size] count as zero, coordinates clamped at the last pixel, sampling_ratio 0 adaptive per
// box, output_half_pixel keeps boxes at least 1 x 1). The device gathers the weighted corners of every cell
// (K per cell, zero-weight padding where a box has fewer samples) from X's pixels as rows of channels and
// sums them: gradients reach X through indexSelect.
def('RoiAlign', {
  16: {
    readsBack: true,
    host: [1, 2],
    run: (c, [x, roiVal, idxVal], n) => {
      const t = c.t(x, 'X');
      const xf = t.dtype === 'f32' ? t : cast(t, 'f32');
      if (xf.ndim !== 4) fail(n, `X must be [N, C, H, W], got [${xf.shape.join(', ')}]`);
      const [N, C, H, W] = xf.shape;
      const rois = c.host(roiVal, 'rois');
      const batch = c.ints(idxVal, 'batch_indices');
      const R = batch.length;
      if (rois.shape.length !== 2 || rois.shape[0] !== R || rois.shape[1] !== 4) fail(n, `rois [${rois.shape.join(', ')}] must be [${R}, 4] (one box per batch index)`);
      const mode = attr(n, 'mode', 'avg');
      if (mode !== 'avg') fail(n, `mode '${mode}' is not supported (avg)`);
      const coordMode = attr(n, 'coordinate_transformation_mode', 'half_pixel');
      if (coordMode !== 'half_pixel' && coordMode !== 'output_half_pixel') fail(n, `coordinate_transformation_mode '${coordMode}' is not valid`);
      const OH = attr(n, 'output_height', 1);
      const OW = attr(n, 'output_width', 1);
      const ratio = attr(n, 'sampling_ratio', 0);
      const scale = attr<number>(n, 'spatial_scale', 1);
      const offset = coordMode === 'half_pixel' ? 0.5 : 0;
      // per cell: (pixel row of X as [N*H*W, C], weight) pairs
      const cells: [number, number][][] = [];
      for (let r = 0; r < R; r++) {
        const b = batch[r];
        if (!(b >= 0 && b < N)) fail(n, `batch index ${b} (box ${r}) is out of range for ${N} images`);
        const [x1, y1, x2, y2] = [0, 1, 2, 3].map((k) => rois.data[r * 4 + k] * scale - offset);
        const roiW = coordMode === 'half_pixel' ? x2 - x1 : Math.max(x2 - x1, 1);
        const roiH = coordMode === 'half_pixel' ? y2 - y1 : Math.max(y2 - y1, 1);
        const [binH, binW] = [roiH / OH, roiW / OW];
        const gh = ratio > 0 ? ratio : Math.ceil(roiH / OH);
        const gw = ratio > 0 ? ratio : Math.ceil(roiW / OW);
        const count = Math.max(gh * gw, 1);
        for (let ph = 0; ph < OH; ph++) {
          for (let pw = 0; pw < OW; pw++) {
            const cell: [number, number][] = [];
            for (let iy = 0; iy < gh; iy++) {
              const y = y1 + ph * binH + ((iy + 0.5) * binH) / gh;
              for (let ix = 0; ix < gw; ix++) {
                const xx = x1 + pw * binW + ((ix + 0.5) * binW) / gw;
                for (const [pix, w] of bilinearCorners(y, xx, H, W)) cell.push([b * H * W + pix, w / count]);
              }
            }
            cells.push(cell);
          }
        }
      }
      const K = Math.max(1, ...cells.map((cl) => cl.length));
      const rows = new Int32Array(cells.length * K);
      const weights = new Float32Array(cells.length * K);
      cells.forEach((cl, i) => cl.forEach(([row, w], k) => ((rows[i * K + k] = row), (weights[i * K + k] = w))));
      const pixels = reshape(permute(xf, [0, 2, 3, 1]), [N * H * W, C]);
      const picked = indexSelect(pixels, 0, tensor(rows, [rows.length], { dtype: 'i32' }));
      const cellsOut: Tensor = sum(reshape(mul(picked, tensor(weights, [weights.length, 1])), [R * OH * OW, K, C]), 1);
      return permute(reshape(cellsOut, [R, OH, OW, C]), [0, 3, 1, 2]);
    },
  },
});

/** The four (pixel h * W + w, weight) corners of bilinear sampling at (y, x), none outside [-1, size]. */
function bilinearCorners(y: number, x: number, H: number, W: number): [number, number][] {
  if (y < -1 || y > H || x < -1 || x > W) return [];
  y = Math.max(y, 0);
  x = Math.max(x, 0);
  let [yLow, xLow] = [Math.floor(y), Math.floor(x)];
  let [yHigh, xHigh] = [yLow + 1, xLow + 1];
  if (yLow >= H - 1) [yLow, yHigh, y] = [H - 1, H - 1, H - 1];
  if (xLow >= W - 1) [xLow, xHigh, x] = [W - 1, W - 1, W - 1];
  const [ly, lx] = [y - yLow, x - xLow];
  const [hy, hx] = [1 - ly, 1 - lx];
  return [
    [yLow * W + xLow, hy * hx],
    [yLow * W + xHigh, hy * lx],
    [yHigh * W + xLow, ly * hx],
    [yHigh * W + xHigh, ly * lx],
  ];
}
