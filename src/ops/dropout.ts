// Dropout as a primitive: the mask comes from a counter-based hash of (seed, index) on the GPU
// (dropout_mask.wgsl), and the float64 reference computes the same hash with 32-bit integer arithmetic,
// so dropout in training mode runs on the reference backend, in gradcheck and in the audit too.
import { empty, Tensor } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { f64 } from '../reference.js';
import { globalGenerator } from '../random.js';
import { defineOps, type Attrs, type OpDef, type Ops } from './def.js';
import { apply, checkDType, view } from './apply.js';
import { binaryForward, mul } from './binary.js';
import dropoutMaskWgsl from '../../shaders/dropout_mask.wgsl';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface DropoutAttrs {
  // the mask from a counter-based hash of (seed, index)
  dropout: { p: number; seed: number };
}
declare module './def.js' {
  interface Attrs extends DropoutAttrs {}
}

/** The mask kernel's hash (PCG-style integer mixing), bit for bit (multinomial.wgsl uses it too). */
export function hashU32(x: number): number {
  let h = (Math.imul(x >>> 0, 747796405) + 2891336453) >>> 0;
  h = Math.imul(((h >>> ((h >>> 28) + 4)) ^ h) >>> 0, 277803737) >>> 0;
  return ((h >>> 22) ^ h) >>> 0;
}

/** Element i is kept when u_i < keep, with u_i = hash(hash(i) ^ seed) >> 8 over 2^24 (exact in f32 and f64). */
export function dropoutKeeps(i: number, seed: number, keep: number): boolean {
  return (hashU32((hashU32(i) ^ seed) >>> 0) >>> 8) / 16777216 < keep;
}

const DROPOUT_MASK = /* @__PURE__ */ defineKernel(dropoutMaskWgsl, { n: 'u32', seed: 'u32', keep: 'f32' }, { Y: 'read_write f32' });

/** The seed dropout() just drew from the global generator, while its op runs: a compiled step's replay
 * draws again there, as eager code would. */
let drawnSeed: number | null = null;

function mask(size: number, shape: readonly number[], p: number, seed: number): Tensor {
  const m = empty(shape);
  if (size) {
    const r = rt();
    const redraw = drawnSeed === seed ? () => ({ n: size, seed: globalGenerator.nextU32(), keep: 1 - p }) : undefined;
    r.run(DROPOUT_MASK, {}, { Y: view(m) }, { n: size, seed, keep: 1 - p }, r.groups1d(size, 256), redraw);
  }
  return m;
}

export const dropoutDefs: Ops<keyof DropoutAttrs> = /* @__PURE__ */ defineOps(() => ({
  dropout: {
    infer([x], { p, seed }) {
      checkDType('dropout', x, 'f32');
      if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new Error(`dropout: p must be in [0, 1), got ${p}`);
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`dropout: seed must be a 32-bit unsigned integer, got ${seed}`);
      return { shape: x.shape, dtype: 'f32' };
    },
    forward([x], { p, seed }, save) {
      const m = mask(x.size, x.shape, p, seed);
      const y = binaryForward('dropout', 'a * b', x, m);
      save(m);
      m.dispose();
      return y;
    },
    backward(g, [m]) {
      return [mul(g, m)];
    },
    reference([x], { p, seed }) {
      const keep = Math.fround(1 - p);
      const scale = 1 / keep;
      return f64(x.shape, Array.from(x.data, (v, i) => (dropoutKeeps(i, seed, keep) ? v * scale : 0)));
    },
  } satisfies OpDef<Attrs['dropout']>,
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  dropout: { ops: true }, // g times the saved mask, a constant
}));

/** Zeroes each element with probability p and scales the rest by 1/(1 - p) while training; x itself
 * otherwise (and for p = 0). The mask's seed comes from the global generator, so manualSeed repeats it. */
export function dropout(x: Tensor, p: number, training = true): Tensor {
  if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new Error(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  drawnSeed = globalGenerator.nextU32();
  try {
    return apply(dropoutDefs.dropout, [x], { p, seed: drawnSeed });
  } finally {
    drawnSeed = null;
  }
}

/** Dropout with a given mask seed (the same mask at every call: for gradcheck and the audit). */
export function dropoutWithSeed(x: Tensor, p: number, seed: number): Tensor {
  return apply(dropoutDefs.dropout, [x], { p, seed });
}
