// Random tensors from the seeded generators (manualSeed repeats them): randint and randperm on the host
// generator, multinomial on the GPU (multinomial.wgsl) with a seed drawn from the global generator.
import { empty, Tensor } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { fromHost } from '../creation.js';
import { f64 } from '../reference.js';
import { globalGenerator } from '../random.js';
import { checkShape, shapeStr, sizeOf } from '../shape.js';
import { defineOps, type Attrs, type OpDef, type Ops } from './def.js';
import { apply, checkDType, view } from './apply.js';
import { hashU32 } from './dropout.js';
import { checkIndexRange } from '../anomaly.js';
import { hostValue, isReferenceMode } from '../backend.js';
import { checkOptions } from '../options.js';
import multinomialWgsl from '../../shaders/multinomial.wgsl';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface RandomAttrs {
  // samples from a counter-based hash of (seed, row, draw)
  multinomial: { n: number; replacement: boolean; seed: number };
}
declare module './def.js' {
  interface Attrs extends RandomAttrs {}
}

const MULTINOMIAL = /* @__PURE__ */ defineKernel(multinomialWgsl, { rows: 'u32', C: 'u32', n: 'u32', seed: 'u32' }, { P: 'read f32', OUT: 'read_write i32' });

/** PyTorch's checks of multinomial's input, on host-known probabilities [rows, C]: finite, >= 0, some mass
 * per row, and without replacement at least n categories with mass. */
function checkDistribution(p: ArrayLike<number>, rows: number, C: number, n: number, replacement: boolean): void {
  for (let row = 0; row < rows; row++) {
    let total = 0;
    let nonZero = 0;
    for (let c = 0; c < C; c++) {
      const v = p[row * C + c];
      if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`multinomial: probabilities must be finite and >= 0, got ${v} at row ${row}, category ${c}`);
      total += v;
      if (v > 0) nonZero++;
    }
    if (!(total > 0) && n > 0) throw new Error(`multinomial: row ${row} has no probability mass (every probability is 0)`);
    if (!replacement && nonZero < n) throw new Error(`multinomial: cannot draw ${n} samples without replacement from row ${row}, which has ${nonZero} categor${nonZero === 1 ? 'y' : 'ies'} with non-zero probability`);
  }
}

/** multinomial's draws in float64 code that repeats the kernel's f32 arithmetic (Math.fround each step). */
function referenceDraws(p: Float64Array, rows: number, C: number, n: number, replacement: boolean, seed: number): number[] {
  const f = Math.fround;
  const out: number[] = [];
  for (let row = 0; row < rows; row++) {
    const chosen: number[] = [];
    for (let s = 0; s < n; s++) {
      const skip = (c: number) => !replacement && chosen.includes(c);
      let total = 0;
      for (let c = 0; c < C; c++) if (!skip(c)) total = f(total + p[row * C + c]);
      const u = (hashU32((hashU32((seed ^ row) >>> 0) ^ s) >>> 0) >>> 8) / 16777216;
      const target = f(u * total);
      let acc = 0;
      let pick = -1;
      let last = -1;
      for (let c = 0; c < C; c++) {
        if (skip(c)) continue;
        if (p[row * C + c] > 0) last = c;
        acc = f(acc + p[row * C + c]);
        if (pick < 0 && target < acc) pick = c;
      }
      chosen.push(pick < 0 ? last : pick);
    }
    out.push(...chosen);
  }
  return out;
}

export const randomDefs: Ops<keyof RandomAttrs> = /* @__PURE__ */ defineOps(() => ({
  multinomial: {
    infer([probs], { n, replacement }) {
      checkDType('multinomial', probs, 'f32', 'probabilities');
      if (probs.ndim !== 1 && probs.ndim !== 2) throw new Error(`multinomial: probabilities must be [C] or [rows, C], got ${shapeStr(probs.shape)}`);
      const C = probs.shape[probs.ndim - 1];
      if (!replacement && n > C) throw new Error(`multinomial: cannot draw ${n} samples without replacement from ${C} categories`);
      // the reference backend's values are on the host; the GPU's are checked by the kernel (see forward)
      if (isReferenceMode()) checkDistribution(hostValue(probs, 'multinomial').data, probs.ndim === 1 ? 1 : probs.shape[0], C, n, replacement);
      return { shape: probs.ndim === 1 ? [n] : [probs.shape[0], n], dtype: 'i32' };
    },
    forward([probs], { n, replacement, seed }) {
      const C = probs.shape[probs.ndim - 1];
      const rows = probs.ndim === 1 ? 1 : probs.shape[0];
      const out = empty(probs.ndim === 1 ? [n] : [rows, n], 'i32');
      if (out.size) {
        const r = rt();
        r.run(MULTINOMIAL, { REPLACEMENT: String(replacement) }, { P: view(probs), OUT: view(out) }, { rows, C, n, seed }, r.groups1d(rows, 64));
        // f32 probabilities are not on the host: a row PyTorch refuses gets -1 draws, reported at the next
        // readback (the reference backend checks its host values in infer)
        checkIndexRange(out, C, `multinomial: invalid probabilities [${probs.shape.join(', ')}]: a row has a negative, NaN or infinite entry, no mass, or fewer non-zero categories than ${n} draws without replacement`, true);
      }
      return out;
    },
    backward() {
      return [null]; // samples are not differentiable
    },
    reference([probs], { n, replacement, seed }) {
      const C = probs.shape[probs.shape.length - 1];
      const rows = probs.shape.length === 1 ? 1 : probs.shape[0];
      return f64(probs.shape.length === 1 ? [n] : [rows, n], referenceDraws(probs.data, rows, C, n, replacement, seed));
    },
  } satisfies OpDef<Attrs['multinomial']>,
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  multinomial: { none: 'sampling has integer outputs: no gradient' },
}));

/** n category indices per row of unnormalised, non-negative probabilities [C] or [rows, C]
 * (torch.multinomial); without replacement (the default) each category is drawn at most once per row. */
export function multinomial(probs: Tensor, n: number, opts: { replacement?: boolean } = {}): Tensor {
  checkOptions('multinomial', opts, ['replacement']);
  if (!Number.isInteger(n) || n < 0) throw new Error(`multinomial: the number of samples must be a non-negative integer, got ${n}`);
  return apply(randomDefs.multinomial, [probs], { n, replacement: opts.replacement ?? false, seed: globalGenerator.nextU32() });
}

/** Integers uniform in [low, high) of the given shape (i32), from the global generator. */
export function randint(low: number, high: number, shape: readonly number[]): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) throw new Error(`randint: needs integers low < high, got ${low} and ${high}`);
  checkShape('randint', shape);
  const v = new Int32Array(sizeOf(shape));
  for (let i = 0; i < v.length; i++) v[i] = low + globalGenerator.int(high - low);
  return fromHost(v, shape, 'i32');
}

/** A random permutation of 0..n-1 (i32), from the global generator. */
export function randperm(n: number): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new Error(`randperm: n must be a non-negative integer, got ${n}`);
  const v = Int32Array.from({ length: n }, (_, i) => i);
  globalGenerator.shuffle(v);
  return fromHost(v, [n], 'i32');
}

/** multinomial with a given seed (the same draws at every call: for gradcheck and the audit). */
export function multinomialWithSeed(probs: Tensor, n: number, replacement: boolean, seed: number): Tensor {
  return apply(randomDefs.multinomial, [probs], { n, replacement, seed });
}
