// F.pad's other modes: 'reflect' (mirrored without repeating the edge), 'replicate' (the edge repeated;
// ONNX's 'edge') and 'circular' (wrapped; ONNX's 'wrap'). Each padded axis is an indexSelect by a
// host-made index (which input element each output position copies): its kernel, its deterministic
// per-row backward (the folded gradients add in a fixed order) and its reference, composed. Any dtype.
import type { Tensor } from '../tensor.js';
import { fromHost } from '../creation.js';
import { shapeStr } from '../shape.js';
import { apply } from './apply.js';
import { indexingDefs } from './indexing.js';
import { movementDefs } from './movement.js';

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/** The input index output position c copies along an axis of n elements padded by `before`. */
function source(mode: Exclude<PadMode, 'constant'>, c: number, before: number, n: number): number {
  const i = c - before;
  if (mode === 'replicate') return Math.min(Math.max(i, 0), n - 1);
  if (mode === 'circular') return ((i % n) + n) % n;
  if (n === 1) return 0;
  const m = Math.abs(i) % (2 * (n - 1));
  return m < n ? m : 2 * (n - 1) - m;
}

/** x padded by per-axis (before, after) counts in a non-constant mode, with PyTorch's limits: reflect pads
 * smaller than the axis, circular at most the axis, replicate a non-empty axis. Negative counts crop, before
 * the other side is padded from what is left. */
export function padModes(x: Tensor, before: readonly number[], after: readonly number[], mode: Exclude<PadMode, 'constant'>): Tensor {
  const limit = mode === 'reflect' ? 'smaller than' : 'at most';
  before.forEach((b, d) => {
    const n = x.shape[d];
    for (const p of [b, after[d]]) {
      if (p > 0 && (mode === 'replicate' ? n === 0 : mode === 'reflect' ? p >= n : p > n)) {
        throw new Error(`pad: mode '${mode}' needs pads ${mode === 'replicate' ? 'on a non-empty axis' : `${limit} the axis (${n})`}; got ${p} on axis ${d} of input ${shapeStr(x.shape)}`);
      }
    }
    if (n + b + after[d] < 0 || (n - Math.max(0, -b) - Math.max(0, -after[d]) <= 0 && (b > 0 || after[d] > 0))) throw new Error(`pad: pads [${b}, ${after[d]}] leave a negative size, or pad an axis cropped to nothing, on axis ${d} of input ${shapeStr(x.shape)}`);
  });
  let t = x;
  before.forEach((b, d) => {
    if (!b && !after[d]) return;
    // negative pads crop first; the positive ones then pad what is left (PyTorch's order: it matters for circular)
    const lo = Math.max(0, -b);
    const kept = x.shape[d] - lo - Math.max(0, -after[d]);
    const [pb, pa] = [Math.max(0, b), Math.max(0, after[d])];
    const idx = fromHost(Array.from({ length: kept + pb + pa }, (_, c) => lo + source(mode, c, pb, kept)), [kept + pb + pa], 'i32');
    const next = apply(indexingDefs.indexSelect, [t, idx], { axis: d }, 'pad');
    idx.dispose();
    if (t !== x) t.dispose();
    t = next;
  });
  return t === x ? apply(movementDefs.reshape, [x], { shape: [...x.shape] }, 'pad') : t;
}
