// Helpers the op families share: attributes with defaults, axis normalisation, host arithmetic.
import { Tensor } from '../../core.js';
import { HostVal, type AttrValue } from '../read.js';
import type { OnnxNode, Val } from '../types.js';

export function attr<T extends AttrValue>(n: OnnxNode, name: string, fallback: T): T extends number ? number : T extends string ? string : T;
export function attr<T extends AttrValue>(n: OnnxNode, name: string): T | undefined;
export function attr<T extends AttrValue>(n: OnnxNode, name: string, fallback?: T): unknown {
  return n.attrs.has(name) ? n.attrs.get(name) : fallback;
}

export const isHost = (v: Val | undefined): v is HostVal => v instanceof HostVal;
export const isTensor = (v: Val | undefined): v is Tensor => v instanceof Tensor;

/** An axis in [-rank, rank) as a non-negative one, or an error naming the node. */
export function axisOf(n: OnnxNode, axis: number, rank: number, what = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) throw new Error(`${n.label}: ${what} ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

export function fail(n: OnnxNode, msg: string): never {
  throw new Error(`${n.label}: ${msg}`);
}

/** Numpy broadcasting of shapes, or an error naming the node. */
export function broadcast(n: OnnxNode, ...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const e = s[s.length - rank + i] ?? 1;
      if (e !== 1 && d !== 1 && e !== d) fail(n, `shapes ${shapes.map((x) => `[${x.join(', ')}]`).join(' and ')} do not broadcast`);
      if (e !== 1) d = e;
    }
    out.push(d);
  }
  return out;
}

/** Elementwise on host values with broadcasting. */
export function hostMap(n: OnnxNode, dtype: HostVal['dtype'], xs: HostVal[], f: (...v: number[]) => number): HostVal {
  const shape = broadcast(n, ...xs.map((x) => x.shape));
  const size = shape.reduce((p, d) => p * d, 1);
  const strides = xs.map((x) => {
    const st: number[] = new Array(shape.length).fill(0);
    let s = 1;
    for (let i = x.shape.length - 1; i >= 0; i--) {
      st[shape.length - x.shape.length + i] = x.shape[i] === 1 ? 0 : s;
      s *= x.shape[i];
    }
    return st;
  });
  const out = dtype === 'f32' ? new Float32Array(size) : new Float64Array(size);
  const idx = new Array(shape.length).fill(0);
  const args = new Array(xs.length);
  for (let i = 0; i < size; i++) {
    for (let k = 0; k < xs.length; k++) {
      let o = 0;
      for (let d = 0; d < shape.length; d++) o += idx[d] * strides[k][d];
      args[k] = xs[k].data[o];
    }
    out[i] = f(...args);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return new HostVal(dtype, shape, out);
}

/** Strided index of a host value's element at a multi-index. */
export function hostTranspose(x: HostVal, perm: readonly number[]): HostVal {
  const shape = perm.map((p) => x.shape[p]);
  const inStrides: number[] = [];
  let s = 1;
  for (let i = x.shape.length - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= x.shape[i];
  }
  const out = x.dtype === 'f32' ? new Float32Array(x.size) : new Float64Array(x.size);
  const idx = new Array(shape.length).fill(0);
  for (let i = 0; i < x.size; i++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++) o += idx[d] * inStrides[perm[d]];
    out[i] = x.data[o];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return new HostVal(x.dtype, shape, out);
}
