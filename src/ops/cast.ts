// dtype conversion (cast.wgsl): the bridge between f32 values and i32 labels (argmax is in reduce.ts).
import { empty, Tensor } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { f64, reducedShape, reductionView } from '../reference.js';
import { normAxis } from '../shape.js';
import type { Attrs, OpDef } from './def.js';
import { apply, checkDType, view } from './apply.js';

const CAST = defineKernel('cast', { n: 'u32' }, { X: 'read {{FROM}}', Y: 'read_write {{TO}}' });

export const castDefs = {
  cast: {
    infer([x], { dtype }) {
      if (dtype !== 'f32' && dtype !== 'i32') throw new Error(`cast: dtype must be 'f32' or 'i32', got '${dtype}'`);
      return { shape: x.shape, dtype };
    },
    forward([x], { dtype }) {
      if (x.dtype === dtype) return new Tensor(x.storage('cast').retain(), x.shape, dtype);
      const y = empty(x.shape, dtype);
      if (y.size) {
        const r = rt();
        r.run(CAST, { FROM: x.dtype, TO: dtype }, { X: view(x), Y: view(y) }, { n: x.size }, r.groups1d(x.size, 256));
      }
      return y;
    },
    backward(g, _s, { dtype }, [x]) {
      // Only an f32 -> f32 cast carries a gradient; integers are not differentiable.
      return [x.dtype === 'f32' && dtype === 'f32' ? g : null];
    },
    reference([x], { dtype }) {
      return dtype === 'i32' ? f64(x.shape, Array.from(x.data, Math.trunc)) : f64(x.shape, x.data);
    },
  } satisfies OpDef<Attrs['cast']>,
};

export const cast = (x: Tensor, dtype: 'f32' | 'i32'): Tensor => apply('cast', [x], { dtype });
