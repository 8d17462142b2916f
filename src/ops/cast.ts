// dtype conversion (cast.wgsl): the bridge between f32 values, i32 labels and bool masks.
import { empty, Tensor, tensorMethods } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { f64 } from '../reference.js';
import type { DType } from '../tensor.js';
import { defineOps, type Attrs, type OpDef, type Ops } from './def.js';
import { apply, view } from './apply.js';
import castWgsl from '../../shaders/cast.wgsl';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface CastAttrs {
  cast: { dtype: DType };
}
declare module './def.js' {
  interface Attrs extends CastAttrs {}
}

const CAST = /* @__PURE__ */ defineKernel(castWgsl, { n: 'u32' }, { X: 'read {{FROM}}', Y: 'read_write {{TO}}' });
/** A dtype's element type in WGSL (bool is a 0/1 word). */
export const wgslType = (d: DType) => (d === 'bool' ? 'u32' : d);
const DTYPES: readonly DType[] = ['f32', 'i32', 'bool'];

export const castDefs: Ops<keyof CastAttrs> = /* @__PURE__ */ defineOps(() => ({
  cast: {
    infer([x], { dtype }) {
      if (!DTYPES.includes(dtype)) throw new Error(`cast: dtype must be 'f32', 'i32' or 'bool', got '${dtype}'`);
      return { shape: x.shape, dtype };
    },
    forward([x], { dtype }) {
      if (x.dtype === dtype) return new Tensor(x.storage('cast').retain(), x.shape, dtype);
      const y = empty(x.shape, dtype);
      if (y.size) {
        const r = rt();
        const [from, to] = [wgslType(x.dtype), wgslType(dtype)];
        // NaN is true, as PyTorch (found by its bits: WGSL's != may ignore NaN)
        const conv = dtype === 'bool' ? (from === 'f32' ? 'select(0u, 1u, x != 0.0 || is_nan(x))' : `select(0u, 1u, x != ${from}(0))`) : `${to}(x)`;
        r.run(CAST, { FROM: from, TO: to, CONV: conv }, { X: view(x), Y: view(y) }, { n: x.size }, r.groups1d(x.size, 256));
      }
      return y;
    },
    backward(g, _s, { dtype }, [x]) {
      // Only an f32 -> f32 cast carries a gradient; integers are not differentiable.
      return [x.dtype === 'f32' && dtype === 'f32' ? g : null];
    },
    reference([x], { dtype }) {
      if (dtype === 'bool') return f64(x.shape, Array.from(x.data, (v) => (v !== 0 ? 1 : 0)));
      // an integer to f32 rounds above 2^24, as PyTorch's .float() (f32 values pass unrounded: gradcheck)
      return dtype === 'i32' ? f64(x.shape, Array.from(x.data, Math.trunc)) : f64(x.shape, Array.from(x.data, (v) => (Number.isInteger(v) ? Math.fround(v) : v)));
    },
  } satisfies OpDef<Attrs['cast']>,
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  cast: { ops: true },
}));

/** Converts to another dtype: f32 <-> i32 by value (truncating), bool <-> numbers as 0/1 and x != 0. */
export const cast = (x: Tensor, dtype: DType): Tensor => apply(castDefs.cast, [x], { dtype });

// Tensor methods (a.cast(...) reads as cast(a, ...)): installed when this file loads, so it is listed in
// package.json's sideEffects.
declare module '../tensor.js' {
  interface Tensor {
    cast(dtype: DType): Tensor;
  }
}
tensorMethods({
  cast(dtype: DType) { return cast(this, dtype); },
});
