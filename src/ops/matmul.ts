// Batched matmul [..., m, k] @ [..., k, n] with broadcast batch dimensions.
// Kernels: matmul_vec4.wgsl when k and n are multiples of 4 (vec4 loads), matmul_strided.wgsl otherwise.
import { empty, Tensor } from '../tensor.js';
import { Params, rt } from '../runtime.js';
import { f64 } from '../reference.js';
import { broadcastShapes, sameShape, shapeStr, sizeOf } from '../shape.js';
import type { Attrs, OpDef } from './def.js';
import { apply, checkDType, view } from './apply.js';
import { sumTo } from './reduce.js';
import { expand, reshape, transpose } from './movement.js';

function matmulShapes(a: readonly number[], b: readonly number[]) {
  if (a.length < 2 || b.length < 2) throw new Error(`matmul: both inputs need at least 2 dimensions, got ${shapeStr(a)} and ${shapeStr(b)}`);
  const [m, k] = a.slice(-2);
  const [k2, n] = b.slice(-2);
  if (k !== k2) throw new Error(`matmul: inner dimensions differ: ${shapeStr(a)} @ ${shapeStr(b)} (${k} vs ${k2})`);
  const batch = broadcastShapes('matmul', a.slice(0, -2), b.slice(0, -2));
  return { m, k, n, batch };
}

/** The kernel call on contiguous operands: batch strides are m*k (n*k) or 0 for a shared operand. */
function matmulKernel(a: Tensor, b: Tensor, m: number, k: number, n: number, batch: number, shareA: boolean, shareB: boolean, out: number[]): Tensor {
  const c = empty(out);
  if (!c.size) return c;
  const r = rt();
  const sA = shareA ? 0 : m * k;
  const sB = shareB ? 0 : k * n;
  if (k % 4 === 0 && n % 4 === 0) {
    r.dispatch(r.kernel('matmul_vec4'), [view(a), view(b), view(c)], new Params().u(m, n, k, sA, sB), [Math.ceil(n / 4 / 8), Math.ceil(m / 32), batch]);
  } else {
    r.dispatch(r.kernel('matmul_strided'), [view(a), view(b), view(c)], new Params().u(m, n, k, sA, k, 1, sB, n, 1), [Math.ceil(n / 32), Math.ceil(m / 32), batch]);
  }
  return c;
}

export const matmulDefs = {
  matmul: {
    forward([a, b], _attrs, save) {
      checkDType('matmul', a, 'f32', 'first input');
      checkDType('matmul', b, 'f32', 'second input');
      const { m, k, n, batch } = matmulShapes(a.shape, b.shape);
      const nb = sizeOf(batch);
      const full = (t: Tensor, rows: number, cols: number) => (sameShape(t.shape.slice(0, -2), batch) || sizeOf(t.shape.slice(0, -2)) === 1 ? t : expand(t, [...batch, rows, cols]));
      const ea = full(a, m, k);
      const eb = full(b, k, n);
      const c = matmulKernel(ea, eb, m, k, n, nb, sizeOf(ea.shape.slice(0, -2)) !== nb || nb === 1, sizeOf(eb.shape.slice(0, -2)) !== nb || nb === 1, [...batch, m, n]);
      if (ea !== a) ea.dispose();
      if (eb !== b) eb.dispose();
      save(a);
      save(b);
      return c;
    },
    backward(g, [a, b]) {
      // dA = g @ B^T, dB = A^T @ g, summed over broadcast batch dimensions.
      const bt = transpose(b);
      const ga = matmul(g, bt);
      let gb: Tensor;
      if (b.ndim === 2 && a.ndim > 2) {
        // A shared B: one matmul over the flattened batch instead of a batch of them and a sum.
        const a2 = reshape(a, [-1, a.shape[a.ndim - 1]]);
        const g2 = reshape(g, [-1, g.shape[g.ndim - 1]]);
        gb = matmul(transpose(a2), g2);
      } else gb = matmul(transpose(a), g);
      return [sumTo(ga, a.shape), sumTo(gb, b.shape)];
    },
    reference([a, b]) {
      const { m, k, n, batch } = matmulShapes(a.shape, b.shape);
      const nb = sizeOf(batch);
      const out = f64([...batch, m, n]);
      const idx = (shape: number[], i: number) => {
        // offset of batch i (of the broadcast batch) in an operand with its own batch shape
        const own = shape.slice(0, -2);
        let rest = i, off = 0, stride = 1;
        for (let d = batch.length - 1; d >= 0; d--) {
          const c = rest % batch[d];
          rest = Math.floor(rest / batch[d]);
          const od = own.length - batch.length + d;
          if (od >= 0) {
            if (own[od] !== 1) off += c * stride;
            stride *= own[od];
          }
        }
        return off;
      };
      for (let bi = 0; bi < nb; bi++) {
        const oa = idx(a.shape, bi) * m * k, ob = idx(b.shape, bi) * k * n, oc = bi * m * n;
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) s += a.data[oa + i * k + p] * b.data[ob + p * n + j];
            out.data[oc + i * n + j] = s;
          }
      }
      return out;
    },
  } satisfies OpDef<Attrs['matmul']>,
};

export const matmul = (a: Tensor, b: Tensor): Tensor => apply('matmul', [a, b], {});
