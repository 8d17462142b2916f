// Test helpers: the GPU device, fast-check generators for shapes and values, and the two checks every
// op gets: forward against its f64 reference, and autograd against finite differences of that reference.
import fc from 'fast-check';
import { expect } from 'vitest';
import * as rg from '../src/node.js';
import type { F64 } from '../src/node.js';
import { tol } from './tolerance.js';

export { rg, tol };

/** Live tensors and bytes with what the garbage collector freed added back: tensors that earlier tests
 * dropped may be finalized at any time, and must not look like a change made by the code under test. */
export function accounted(): { tensors: number; bytes: number } {
  const m = rg.memory();
  return { tensors: m.liveTensors + m.finalizedTensors, bytes: m.liveBytes + m.finalizedBytes };
}

/** Runs the garbage collector (vitest starts workers with --expose-gc) and lets the finalizers run. */
export async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('collectGarbage: run node with --expose-gc');
  // A dropped graph is freed one level per collection (each freed node lets go of its inputs): repeat
  // until two collections in a row free nothing more.
  for (let i = 0, last = -1, stable = 0; i < 30 && stable < 2; i++) {
    stable = rg.memory().finalizedTensors === last ? stable + 1 : 0;
    last = rg.memory().finalizedTensors;
    gc();
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function setup(): Promise<void> {
  await rg.init();
}

export function f64(shape: number[], data: ArrayLike<number>): F64 {
  return { shape, data: Float64Array.from(data) };
}

/** Sizes that are 1, odd, and not multiples of any workgroup size. */
export const dim = fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 13, 17, 33);
export const shapeArb = (minRank = 0, maxRank = 3) => fc.array(dim, { minLength: minRank, maxLength: maxRank });

/** Values on a 1e-3 grid: never subnormal (SwiftShader flushes them), exactly representable-ish in f32. */
export function valuesArb(n: number, lo = -3, hi = 3): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: Math.round(lo * 1000), max: Math.round(hi * 1000) }), { minLength: n, maxLength: n }).map((xs) => xs.map((x) => Math.fround(x / 1000)));
}

export const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Two shapes that broadcast together: some axes set to 1, some leading axes dropped, on either side. */
export const broadcastPairArb = shapeArb(0, 4).chain((out) =>
  fc.tuple(fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }), fc.nat(out.length), fc.nat(out.length)).map(([oneA, oneB, dropA, dropB]) => {
    const a = out.map((d, i) => (oneA[i] ? 1 : d)).slice(Math.min(dropA, out.length));
    const b = out.map((d, i) => (oneB[i] && !oneA[i] ? 1 : d)).slice(Math.min(dropB, out.length));
    return [a, b] as [number[], number[]];
  }),
);

export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, t: { atol: number; rtol: number }, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= t.atol + t.rtol * scale)) {
      throw new Error(`${what}: element ${i}: got ${got[i]}, want ${want[i]} (error ${err.toExponential(2)} > ${(t.atol + t.rtol * scale).toExponential(2)})`);
    }
  }
}

export interface OpCase {
  name: string;
  /** Input values and shapes (f32 unless listed in `int`). */
  inputs: { shape: number[]; data: number[]; int?: boolean }[];
  gpu: (xs: rg.Tensor[]) => rg.Tensor;
  ref: (xs: F64[]) => F64;
  /** Inputs to check gradients for (default: every f32 input). */
  grad?: number[];
}

/** Seeded index sample (deterministic per case). */
function sample(n: number, k: number, seed: number): number[] {
  if (n <= k) return [...Array(n).keys()];
  const g = new rg.Generator(seed);
  const idx = [...Array(n).keys()];
  g.shuffle(idx);
  return idx.slice(0, k).sort((a, b) => a - b);
}

/** Forward against the reference, then gradients against finite differences of the reference. */
export async function checkOp(c: OpCase): Promise<void> {
  const before = accounted().tensors;
  const xs = c.inputs.map((x) => rg.tensor(x.data, x.shape, { dtype: x.int ? 'i32' : 'f32', requiresGrad: !x.int }));
  const refIn = c.inputs.map((x) => f64(x.shape, x.int ? x.data : x.data.map(Math.fround)));
  const want = c.ref(refIn);
  const out = c.gpu(xs);
  expect(out.shape, `${c.name}: shape`).toEqual(want.shape);
  expectClose(await out.data(), want.data, tol.forward, `${c.name} forward`);

  // Upstream gradient w: the checked quantity is L = sum(out * w).
  const w = Array.from({ length: want.data.length }, (_, i) => Math.fround(((i * 7919) % 13) / 6.5 - 1));
  const wt = rg.tensor(w, out.shape);
  out.backward(wt);
  const gradInputs = c.grad ?? c.inputs.map((x, i) => (x.int ? -1 : i)).filter((i) => i >= 0);
  const L = (ins: F64[]) => {
    const o = c.ref(ins);
    let s = 0;
    for (let i = 0; i < o.data.length; i++) s += o.data[i] * w[i];
    return s;
  };
  for (const j of gradInputs) {
    const g = xs[j].grad;
    expect(g, `${c.name}: input ${j} has a gradient`).toBeTruthy();
    const got = await g!.data();
    const idx = sample(refIn[j].data.length, tol.fdSamples, j + 1);
    const fd: number[] = [];
    for (const e of idx) {
      const x0 = refIn[j].data[e];
      const h = tol.fdStep * Math.max(1, Math.abs(x0));
      refIn[j].data[e] = x0 + h;
      const lp = L(refIn);
      refIn[j].data[e] = x0 - h;
      const lm = L(refIn);
      refIn[j].data[e] = x0;
      fd.push((lp - lm) / (2 * h));
    }
    expectClose(idx.map((e) => got[e]), fd, tol.gradient, `${c.name} gradient of input ${j}`);
  }
  for (const x of xs) {
    x.grad?.dispose();
    x.dispose();
  }
  out.dispose();
  wt.dispose();
  expect(accounted().tensors, `${c.name}: tensors leaked`).toBe(before);
}

export async function property<T>(arb: fc.Arbitrary<T>, check: (v: T) => Promise<void>, runs = tol.runs): Promise<void> {
  await fc.assert(fc.asyncProperty(arb, check), { numRuns: runs, seed: tol.seed, endOnFailure: true });
}

/** Runs the command in-process, capturing what it logs. */
export async function runQuiet(argv: string[]): Promise<{ code: number; out: string }> {
  const { main } = await import('../src/cli/main.js');
  let out = '';
  const log = console.log;
  console.log = (...a: unknown[]) => void (out += a.join(' ') + '\n');
  try {
    return { code: await main(argv), out };
  } finally {
    console.log = log;
  }
}
