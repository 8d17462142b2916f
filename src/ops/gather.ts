// Index ops: embedding (rows of a table by i32 indices, embedding.wgsl, deterministic scatter-add
// backward in embedding_backward_rows.wgsl for host-known indices, embedding_backward.wgsl otherwise)
// and pick (one element per row, pick.wgsl).
import { empty, Tensor } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { f64 } from '../reference.js';
import { shapeStr } from '../shape.js';
import { defineOps, type Attrs, type None, type OpDef, type Ops } from './def.js';
import { apply, checkDType, view } from './apply.js';
import embeddingWgsl from '../../shaders/embedding.wgsl';
import embeddingBackwardWgsl from '../../shaders/embedding_backward.wgsl';
import embeddingBackwardRowsWgsl from '../../shaders/embedding_backward_rows.wgsl';
import pickWgsl from '../../shaders/pick.wgsl';
import { eq } from './masks.js';
import { mask } from './higher_order.js';
import { matmul } from './matmul.js';
import { arange } from '../creation.js';
import { mul } from './binary.js';
import { reshape, transpose } from './movement.js';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface GatherAttrs {
  embedding: None;
  pick: None;
}
declare module './def.js' {
  interface Attrs extends GatherAttrs {}
}

/** Throws if a host-known index tensor (made from host data, or a reference-backend value) has a value
 * outside [0, n). GPU-made indices are clamped by the kernels, and checked under detectAnomaly. */
export function checkIndices(op: string, idx: Tensor, n: number, what: string, ignored?: number): void {
  const h = idx.host ?? idx.ref?.data;
  if (!h) return;
  const bad = (xs: ArrayLike<number>) => {
    for (let i = 0; i < xs.length; i++) if (xs[i] !== ignored && (xs[i] < 0 || xs[i] >= n)) return i;
    return -1;
  };
  const i = bad(h);
  if (i >= 0) throw new Error(`${op}: ${what} ${h[i]} at position ${i} is outside [0, ${n})`);
  // A compiled step's replay checks each call's indices too (out of range: that call runs eagerly and throws this).
  if (idx.host) rt().guard(() => bad(idx.host!) < 0);
}

/** rowsOf(idx.host) on the GPU, for the per-row backward kernels; a compiled step's replay rebuilds it
 * from each call's indices. */
export function hostRows(idx: Tensor, V: number): Tensor {
  const rows = rowsOf(idx.host!, V);
  const t = empty([rows.length], 'i32');
  rt().upload(t.storage().view(rows.length * 4), rows, () => rowsOf(idx.host!, V));
  return t;
}

/** Offsets [V + 1] then positions [n] grouped by row, increasing within a row (a stable counting sort);
 * the per-row backward of embedding and indexSelect reads it. */
export function rowsOf(idx: Int32Array, V: number): Int32Array {
  const out = new Int32Array(V + 1 + idx.length);
  for (const v of idx) out[v + 1]++;
  for (let v = 0; v < V; v++) out[v + 1] += out[v];
  const next = out.slice(0, V);
  for (let i = 0; i < idx.length; i++) out[V + 1 + next[idx[i]]++] = i;
  return out;
}

const EMBEDDING = /* @__PURE__ */ defineKernel(embeddingWgsl, { n: 'u32', V: 'u32', D: 'u32' }, { W: 'read f32', IDX: 'read i32', Y: 'read_write f32' });
const EMBEDDING_BACKWARD = /* @__PURE__ */ defineKernel(embeddingBackwardWgsl, { n: 'u32', V: 'u32', D: 'u32' }, { G: 'read f32', IDX: 'read i32', DW: 'read_write f32' });
const EMBEDDING_BACKWARD_ROWS = /* @__PURE__ */ defineKernel(embeddingBackwardRowsWgsl, { n: 'u32', V: 'u32', D: 'u32' }, { G: 'read f32', ROWS: 'read i32', DW: 'read_write f32' });
// BACKWARD: X is the upstream gradient and Y the input's gradient.
const PICK = /* @__PURE__ */ defineKernel(pickWgsl, { N: 'u32', C: 'u32' }, { X: 'read f32', IDX: 'read i32', Y: 'read_write f32' });

export const gatherDefs: Ops<keyof GatherAttrs> = /* @__PURE__ */ defineOps(() => ({
  embedding: {
    infer([w, idx]) {
      checkDType('embedding', w, 'f32', 'weight');
      checkDType('embedding', idx, 'i32', 'indices');
      if (w.ndim !== 2) throw new Error(`embedding: weight must be 2-D [vocab, dim], got ${shapeStr(w.shape)}`);
      checkIndices('embedding', idx, w.shape[0], 'index');
      return { shape: [...idx.shape, w.shape[1]], dtype: 'f32' };
    },
    indexBounds: ([w]) => [[1, w.shape[0]]],
    forward([w, idx], _attrs, save) {
      const [V, D] = w.shape;
      const y = empty([...idx.shape, D]);
      if (y.size) {
        const r = rt();
        r.run(EMBEDDING, {}, { W: view(w), IDX: view(idx), Y: view(y) }, { n: idx.size, V, D }, r.groups1d(y.size, 256));
      }
      save(idx);
      return y;
    },
    backward(g, [idx], _a, [w]) {
      const [V, D] = w.shape;
      const dw = empty(w.shape);
      const r = rt();
      if (idx.host && idx.size) {
        // Host-known indices: each row reads only its own positions (embedding_backward_rows.wgsl).
        const rows = hostRows(idx, V);
        r.run(EMBEDDING_BACKWARD_ROWS, {}, { G: view(g), ROWS: view(rows), DW: view(dw) }, { n: idx.size, V, D }, r.groups1d(V * D, 256));
        rows.dispose();
      } else {
        r.run(EMBEDDING_BACKWARD, {}, { G: view(g), IDX: view(idx), DW: view(dw) }, { n: idx.size, V, D }, r.groups1d(V * D, 256));
      }
      return [dw, null];
    },
    reference([w, idx]) {
      const D = w.shape[1];
      const out = f64([...idx.shape, D]);
      idx.data.forEach((row, i) => out.data.set(w.data.subarray(row * D, row * D + D), i * D));
      return out;
    },
  } satisfies OpDef<Attrs['embedding']>,

  pick: {
    infer([x, idx]) {
      checkDType('pick', x, 'f32', 'input');
      checkDType('pick', idx, 'i32', 'indices');
      if (x.ndim !== 2 || idx.ndim !== 1 || idx.shape[0] !== x.shape[0]) {
        throw new Error(`pick: expects x [N, C] and indices [N], got ${shapeStr(x.shape)} and ${shapeStr(idx.shape)}`);
      }
      checkIndices('pick', idx, x.shape[1], 'index');
      return { shape: [x.shape[0]], dtype: 'f32' };
    },
    indexBounds: ([x]) => [[1, x.shape[1]]],
    forward([x, idx], _attrs, save) {
      const [N, C] = x.shape;
      const y = empty([N]);
      const r = rt();
      if (N) r.run(PICK, { BACKWARD: 'false' }, { X: view(x), IDX: view(idx), Y: view(y) }, { N, C }, r.groups1d(N, 256));
      save(idx);
      return y;
    },
    backward(g, [idx], _a, [x]) {
      const [N, C] = x.shape;
      const dx = empty(x.shape);
      const r = rt();
      r.run(PICK, { BACKWARD: 'true' }, { X: view(g), IDX: view(idx), Y: view(dx) }, { N, C }, r.groups1d(N * C, 256));
      return [dx, null];
    },
    reference([x, idx]) {
      const C = x.shape[1];
      return f64([x.shape[0]], Array.from(idx.data, (c, i) => x.data[i * C + c]));
    },
  } satisfies OpDef<Attrs['pick']>,
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  embedding: {
    // dW = onehot(idx)^T g: a [n, V] constant one-hot times the gradient rows (V x n of memory)
    backward: (g, [idx], _a, [w]) => {
      const [V, D] = w.shape;
      const hot = mask(eq(reshape(arange(0, V, 1, { dtype: 'i32' }), [1, V]), reshape(idx, [-1, 1])));
      return [matmul(transpose(hot), reshape(g, [-1, D])), null];
    },
  },
  pick: {
    // x [N, C], idx [N]: the gradient is g placed at each row's index (a one-hot constant times g).
    backward: (g, [idx], _a, [x]) => {
      const C = x.shape[1];
      const hot = mask(eq(reshape(arange(0, C, 1, { dtype: 'i32' }), [1, C]), reshape(idx, [-1, 1])));
      return [mul(hot, reshape(g, [-1, 1])), null];
    },
  },
}));

/** Rows of a [vocab, dim] table for i32 indices of any shape: [...indices.shape, dim]. Either argument order. */
export function embedding(a: Tensor, b: Tensor): Tensor {
  const [w, idx] = a.dtype === 'i32' && b.dtype !== 'i32' ? [b, a] : [a, b];
  return apply(gatherDefs.embedding, [w, idx], {});
}

/** x[i, idx[i]] for x [N, C] and i32 idx [N]. */
export const pick = (x: Tensor, idx: Tensor): Tensor => apply(gatherDefs.pick, [x, idx], {});
