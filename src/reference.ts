// Float64 host tensors and helpers for the reference implementations that sit beside each op.
import type { F64 } from './ops/def.js';
import { broadcastShapes, broadcastStrides, sizeOf, stridesOf } from './shape.js';

export type { F64 };

export function f64(shape: readonly number[], data?: ArrayLike<number>): F64 {
  const out = { shape: [...shape], data: new Float64Array(sizeOf(shape)) };
  if (data) out.data.set(data);
  return out;
}

export function mapF64(x: F64, f: (v: number, i: number) => number): F64 {
  const out = f64(x.shape);
  for (let i = 0; i < x.data.length; i++) out.data[i] = f(x.data[i], i);
  return out;
}

/** Calls f(outIndex, offsets...) for every element of the broadcast of the given shapes. */
export function forEachBroadcast(op: string, shapes: readonly (readonly number[])[], f: (i: number, offs: number[]) => void): number[] {
  const out = shapes.reduce<number[]>((s, t) => broadcastShapes(op, s, t), []);
  const strides = shapes.map((s) => broadcastStrides(s, out));
  const n = sizeOf(out);
  const offs = new Array<number>(shapes.length).fill(0);
  for (let i = 0; i < n; i++) {
    let rest = i;
    offs.fill(0);
    for (let d = out.length - 1; d >= 0; d--) {
      const c = rest % out[d];
      rest = Math.floor(rest / out[d]);
      for (let k = 0; k < shapes.length; k++) offs[k] += c * strides[k][d];
    }
    f(i, offs);
  }
  return out;
}

/** [outer, R, inner] view of a reduction over `axis` (null: everything). */
export function reductionView(shape: readonly number[], axis: number | null): [number, number, number] {
  if (axis === null || shape.length === 0) return [1, sizeOf(shape), 1]; // a 0-d tensor's axis 0 has size 1
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}

export function reducedShape(shape: readonly number[], axis: number | null, keepdim: boolean): number[] {
  if (axis === null) return keepdim ? shape.map(() => 1) : [];
  return keepdim ? shape.map((d, i) => (i === axis ? 1 : d)) : shape.filter((_, i) => i !== axis);
}

/** Gathers a strided view of x into a new contiguous tensor of shape `shape`. */
export function stridedGather(x: F64, shape: readonly number[], strides: readonly number[]): F64 {
  const out = f64(shape);
  const n = out.data.length;
  for (let i = 0; i < n; i++) {
    let rest = i;
    let src = 0;
    for (let d = shape.length - 1; d >= 0; d--) {
      src += (rest % shape[d]) * strides[d];
      rest = Math.floor(rest / shape[d]);
    }
    out.data[i] = x.data[src];
  }
  return out;
}

export { stridesOf };
