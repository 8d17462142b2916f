// PyTorch as the oracle: the differential suite. test/fixtures/oracle/ holds seeded cases for every public op
// with a PyTorch counterpart (made once by scripts/fixtures/torch_oracle.py with PyTorch 1.13): inputs,
// PyTorch's float64 outputs and the gradients of sum(out * R), and PyTorch's own float32 error on the same
// case. Each case runs on the GPU under every kernel set (every variant of every family forced in turn)
// with its gradients, and forward on the float64 reference backend. A GPU value passes within
// 8 max(err32, 2 ulp32(scale)) of PyTorch's float64 (scale: the tensor's largest finite |value|); NaN and
// ±inf must match exactly. A case where rootgrad differs on purpose names its row of the README's table
// (`expectDifference`) and carries rootgrad's value; a case PyTorch refuses must throw here too.
import { appendFileSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { rg, setup } from './helpers.js';
import { kernelSets, withKernelSet } from '../src/variants.js';
import { rt } from '../src/runtime.js';

type Arr = [number, number, 'f4' | 'f8' | 'const'];
interface Input {
  shape: number[];
  dtype: 'f32' | 'i32' | 'bool';
  data?: Arr;
  golden?: { lo: number; hi: number; start: number; round: boolean };
}
interface Output {
  shape: number[];
  dtype: 'f32' | 'i32' | 'bool';
  data: Arr;
  R?: Arr;
  err32?: number;
}
interface Case {
  id: string;
  op: string;
  args: Record<string, any>;
  inputs: Input[];
  outputs?: Output[];
  grads?: ({ data: Arr; err32: number } | null)[];
  error?: string;
  expectDifference?: string;
  note?: string;
  rootgrad?: { outputs?: Arr[]; grads?: (Arr | null)[]; error?: string };
}

const dir = new URL('./fixtures/oracle/', import.meta.url);
const fixture = JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8')) as { torch: string; cases: Case[] };
const bin = readFileSync(new URL('cases.bin', dir));
const bytes = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);

function decode([a, n, kind]: Arr): Float64Array {
  if (kind === 'const') return new Float64Array(n).fill(a);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = kind === 'f4' ? bytes.getFloat32(a + 4 * i, true) : bytes.getFloat64(a + 8 * i, true);
  return out;
}

/** The generator's golden-ratio inputs: float32(lo + (hi - lo) frac((i + start) g)), rounded when asked. */
function golden(n: number, { lo, hi, start, round }: NonNullable<Input['golden']>): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = lo + (hi - lo) * (((i + start) * 0.6180339887498949) % 1);
    // numpy rounds half to even; no value here is a half
    out[i] = Math.fround(round ? Math.round(v) : v);
  }
  return out;
}

const sizeOf = (s: number[]) => s.reduce((a, b) => a * b, 1);
const inputData = (x: Input) => (x.golden ? golden(sizeOf(x.shape), x.golden) : decode(x.data!));

type Fn = (xs: rg.Tensor[], a: Record<string, any>) => rg.Tensor | rg.Tensor[];
const unary = (f: (x: rg.Tensor, a: Record<string, any>) => rg.Tensor): Fn => ([x], a) => f(x, a);
const pair = (f: (a: rg.Tensor, b: rg.Tensor) => rg.Tensor): Fn => ([a, b]) => f(a, b);

/** Each op as a user calls it, with the generator's arguments. */
const ops: Record<string, Fn> = {
  neg: unary(rg.neg), exp: unary(rg.exp), log: unary(rg.log), sqrt: unary(rg.sqrt), tanh: unary(rg.tanh), relu: unary(rg.relu),
  sigmoid: unary(rg.sigmoid), abs: unary(rg.abs), sign: unary(rg.sign), erf: unary(rg.erf), silu: unary(rg.silu),
  gelu: unary((x, a) => rg.gelu(x, a)),
  clamp: unary((x, a) => rg.clamp(x, a.min, a.max)),
  softplus: unary((x, a) => rg.softplus(x, a.beta, a.threshold)),
  leakyRelu: unary((x, a) => rg.leakyRelu(x, a.slope)),
  pow: unary((x, a) => rg.pow(x, a.p)),
  affine: unary((x, a) => rg.affine(x, a.a, a.b)),
  add: pair(rg.add), sub: pair(rg.sub), mul: pair(rg.mul), div: pair(rg.div), minimum: pair(rg.minimum), maximum: pair(rg.maximum),
  sum: unary((x, a) => rg.sum(x, a.axis, a.keepdim)),
  mean: unary((x, a) => rg.mean(x, a.axis, a.keepdim)),
  max: unary((x, a) => rg.max(x, a.axis, a.keepdim)),
  min: unary((x, a) => rg.min(x, a.axis, a.keepdim)),
  argmax: unary((x, a) => rg.argmax(x, a.axis, a.keepdim)),
  argmin: unary((x, a) => rg.argmin(x, a.axis, a.keepdim)),
  variance: unary((x, a) => rg.variance(x, a.axis, { correction: a.correction, keepdim: a.keepdim })),
  std: unary((x, a) => rg.std(x, a.axis, { correction: a.correction, keepdim: a.keepdim })),
  logsumexp: unary((x, a) => rg.logsumexp(x, a.axis, a.keepdim)),
  cumsum: unary((x, a) => rg.cumsum(x, a.axis)),
  topk: ([x], a) => {
    const { values, indices } = rg.topk(x, a.k, a.axis);
    return [values, indices];
  },
  reshape: unary((x, a) => rg.reshape(x, a.shape)),
  permute: unary((x, a) => rg.permute(x, a.perm)),
  transpose: unary((x, a) => rg.transpose(x, a.dim0, a.dim1)),
  expand: unary((x, a) => rg.expand(x, a.shape)),
  flatten: unary((x, a) => rg.flatten(x, a.start, a.end)),
  squeeze: unary((x, a) => rg.squeeze(x, a.axis)),
  unsqueeze: unary((x, a) => rg.unsqueeze(x, a.axis)),
  slice: unary((x, a) => rg.slice(x, a.axis, a.start, a.end, a.step)),
  narrow: unary((x, a) => rg.narrow(x, a.axis, a.start, a.length)),
  cat: (xs, a) => rg.cat(xs, a.axis),
  stack: (xs, a) => rg.stack(xs, a.axis),
  split: ([x], a) => rg.split(x, a.size, a.axis),
  chunk: ([x], a) => rg.chunk(x, a.chunks, a.axis),
  pad: unary((x, a) => rg.pad(x, a.pads, a.value)),
  tril: unary((x, a) => rg.tril(x, a.diagonal)),
  triu: unary((x, a) => rg.triu(x, a.diagonal)),
  indexSelect: ([x, i], a) => rg.indexSelect(x, a.axis, i),
  gather: ([x, i], a) => rg.gather(x, a.axis, i),
  scatterAdd: ([x, i, s], a) => rg.scatterAdd(x, a.axis, i, s),
  embedding: pair(rg.embedding),
  pick: pair(rg.pick),
  eq: pair(rg.eq), ne: pair(rg.ne), lt: pair(rg.lt), le: pair(rg.le), gt: pair(rg.gt), ge: pair(rg.ge),
  logicalAnd: pair(rg.logicalAnd), logicalOr: pair(rg.logicalOr), logicalNot: unary(rg.logicalNot),
  where: ([c, a, b]) => rg.where(c, a, b),
  maskedFill: ([x, m], a) => rg.maskedFill(x, m, a.value),
  cast: unary((x, a) => rg.cast(x, a.dtype)),
  matmul: pair(rg.matmul),
  linear: ([x, w, b], a) => rg.linear(x, w, b, a.activation),
  softmax: unary((x, a) => rg.softmax(x, a.axis)),
  logSoftmax: unary((x, a) => rg.logSoftmax(x, a.axis)),
  layerNorm: ([x, w, b], a) => rg.layerNorm(x, w, b, a.eps),
  batchNorm: ([x, w, b, rm, rv], a) => rg.batchNorm(x, w, b, { training: a.training, runningMean: rm, runningVar: rv }),
  groupNorm: ([x, w, b], a) => rg.groupNorm(x, a.groups, w, b),
  rmsNorm: ([x, w]) => rg.rmsNorm(x, w),
  attention: ([q, k, v], a) => rg.attention(q, k, v, { causal: a.causal }),
  conv2d: ([x, w, b], a) => rg.conv2d(x, w, b, a),
  maxPool2d: unary((x, a) => rg.maxPool2d(x, a as rg.PoolOptions)),
  avgPool2d: unary((x, a) => rg.avgPool2d(x, a as rg.PoolOptions)),
  adaptiveAvgPool2d: unary((x, a) => rg.adaptiveAvgPool2d(x, a.output)),
  globalAvgPool2d: unary(rg.globalAvgPool2d),
  crossEntropy: ([z, y], a) => rg.crossEntropy(z, y, a),
  focalLoss: ([z, y], a) => rg.focalLoss(z, y, a),
  rootedLoss: ([z, y], a) => rg.rootedLoss(z, y, a),
  binaryCrossEntropy: ([z, y], a) => rg.binaryCrossEntropy(z, y, a),
  rootedLogisticLoss: ([z, y], a) => rg.rootedLogisticLoss(z, y, a),
  linearCrossEntropy: ([h, w, y, b], a) => rg.linearCrossEntropy(h, w, y, { ...a, bias: b }),
  multinomial: unary((p, a) => rg.multinomial(p, a.n, { replacement: a.replacement })),
};

/** |got - want| within tol, NaN and ±inf exactly; the first failure as a message, or null. float32 results
 * (f32) are compared with the wanted value rounded to float32 where it overflows (PyTorch's float32 too). */
function mismatch(got: ArrayLike<number>, want: Float64Array, tol: number, f32 = false): string | null {
  if (got.length !== want.length) return `length ${got.length}, want ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = f32 && Math.abs(want[i]) > 3.4028234663852886e38 ? Math.fround(want[i]) : want[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g) : Number.isFinite(w) ? Math.abs(g - w) <= tol : g === w;
    if (!ok) return `element ${i}: got ${g}, want ${w} (tolerance ${tol.toExponential(2)})`;
  }
  return null;
}

/** got and want of an elementwise op where its input and wanted output are finite (NaN elsewhere on both
 * sides, so they compare equal): WGSL leaves NaN and inf through its math to the implementation. */
function finiteOnly(got: ArrayLike<number>, want: Float64Array, x: Float64Array): [Float64Array, Float64Array] {
  const keep = (i: number) => Number.isFinite(x[i]) && Number.isFinite(Math.fround(want[i]));
  return [Float64Array.from(got, (v, i) => (keep(i) ? v : NaN)), want.map((v, i) => (keep(i) ? v : NaN))];
}

/** ORACLE_ERRORS=file appends each tensor's largest error beside PyTorch's float32 error (for measuring). */
function logError(c: Case, set: string, what: string, got: ArrayLike<number>, want: Float64Array, err32 = 0): void {
  const file = process.env.ORACLE_ERRORS;
  if (!file) return;
  let worst = 0;
  for (let i = 0; i < want.length; i++) if (Number.isFinite(want[i]) && Number.isFinite(got[i])) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  appendFileSync(file, `${c.id}\t${set}\t${what}\t${worst.toExponential(3)}\t${err32.toExponential(3)}\t${(worst / Math.max(err32, 2 * ULP32 * scaleOf(want), 1e-300)).toFixed(2)}\n`);
}

function scaleOf(want: Float64Array): number {
  let s = 0;
  for (const v of want) if (Number.isFinite(v)) s = Math.max(s, Math.abs(v));
  return s;
}

const ULP32 = 2 ** -23;
/** The GPU's tolerance: 8 times PyTorch's own float32 error on the case, at least 16 float32 ulps of the
 * scale (WGSL's exp, log and division are accurate to a few ulps, PyTorch's CPU ones to one or two). */
const gpuTol = (want: Float64Array, err32 = 0) => 8 * Math.max(err32, 2 * ULP32 * scaleOf(want));
/** The float64 reference's: float64 rounding over the case, and series approximations (erf) near 1e-12. */
const refTol = (want: Float64Array) => 1e-10 * Math.max(1, scaleOf(want));

/** What rootgrad should give: PyTorch's values, or for a documented difference rootgrad's own. */
function wanted(c: Case) {
  const outs = c.outputs!.map((o, j) => (c.rootgrad?.outputs ? decode(c.rootgrad.outputs[j]) : decode(o.data)));
  const grads = c.grads!.map((g, i) => {
    const own = c.rootgrad?.grads?.[i];
    return own ? decode(own) : g ? decode(g.data) : null;
  });
  return { outs, grads };
}

function makeInputs(c: Case): rg.Tensor[] {
  return c.inputs.map((x, i) => {
    const data = inputData(x);
    const grad = !!c.grads?.[i];
    return rg.tensor(x.dtype === 'f32' ? Float32Array.from(data) : Int32Array.from(data), x.shape, { dtype: x.dtype, requiresGrad: grad });
  });
}

const asList = (y: rg.Tensor | rg.Tensor[]) => (Array.isArray(y) ? y : [y]);
/** Why rootgrad must throw: PyTorch raises, or rootgrad refuses on purpose (a documented difference). */
const refusal = (c: Case) => c.error ?? c.rootgrad?.error;

/** Runs a case on the GPU: outputs, then the gradients of sum(out * R); the failures as messages. */
async function runGpu(c: Case, set: string): Promise<string[]> {
  const fn = ops[c.op];
  const xs = makeInputs(c);
  const fail: string[] = [];
  try {
    if (refusal(c)) {
      let threw = false;
      try {
        const ys = asList(fn(xs, c.args));
        for (const y of ys) await y.data();
        ys.forEach((y) => y.dispose());
      } catch {
        threw = true;
      }
      if (!threw) fail.push(`${set}: expected a refusal (${refusal(c)}) but rootgrad did not throw`);
      return fail;
    }
    const { outs, grads } = wanted(c);
    const ys = asList(fn(xs, c.args));
    if (ys.length !== c.outputs!.length) return [`${set}: ${ys.length} outputs, want ${c.outputs!.length}`];
    let loss: rg.Tensor | null = null;
    for (const [j, o] of c.outputs!.entries()) {
      const y = ys[j];
      if (y.dtype !== o.dtype || y.shape.join() !== o.shape.join()) {
        fail.push(`${set}: output ${j} is ${y.dtype} [${y.shape}], want ${o.dtype} [${o.shape}]`);
        continue;
      }
      let [got, want] = [await y.data() as ArrayLike<number>, outs[j]];
      if (c.expectDifference === 'NaN and inf through WGSL math') [got, want] = finiteOnly(got, want, inputData(c.inputs[0]));
      const m = mismatch(got, want, o.dtype === 'f32' ? gpuTol(want, o.err32) : 0, true);
      if (o.dtype === 'f32') logError(c, set, `output ${j}`, got, want, o.err32);
      if (m) fail.push(`${set}: output ${j}: ${m}`);
      if (o.R && y.requiresGrad) {
        const term = rg.sum(rg.mul(y, rg.tensor(Float32Array.from(decode(o.R)), o.shape)));
        loss = loss ? rg.add(loss, term) : term;
      }
    }
    if (loss && !fail.length) {
      loss.backward();
      for (const [i, g] of grads.entries()) {
        if (!g) continue;
        const got = xs[i].grad ? await xs[i].grad!.data() : new Float32Array(g.length);
        const m = mismatch(got, g, gpuTol(g, c.grads![i]!.err32), true);
        logError(c, set, `gradient ${i}`, got, g, c.grads![i]!.err32);
        if (m) fail.push(`${set}: gradient of input ${i}: ${m}`);
      }
    }
    loss?.dispose();
    ys.forEach((y) => y.dispose());
  } catch (e) {
    fail.push(`${set}: threw unexpectedly: ${(e as Error).message}`);
  } finally {
    xs.forEach((x) => x.dispose());
  }
  return fail;
}

/** Runs a case's forward on the float64 reference backend. */
function runReference(c: Case): string[] {
  const xs = makeInputs(c);
  const values = new Map(xs.map((t, i) => [t, { shape: [...t.shape], data: inputData(c.inputs[i]) }]));
  try {
    if (refusal(c)) {
      try {
        rg.withBackend('reference', () => ops[c.op](xs, c.args), values);
      } catch {
        return [];
      }
      return [`reference: expected a refusal (${refusal(c)}) but the reference did not throw`];
    }
    const ys = asList(rg.withBackend('reference', () => ops[c.op](xs, c.args), values));
    const { outs } = wanted(c);
    const fail: string[] = [];
    for (const [j, o] of c.outputs!.entries()) {
      const y = ys[j];
      if (y.shape.join() !== o.shape.join()) {
        fail.push(`reference: output ${j} is [${y.shape}], want [${o.shape}]`);
        continue;
      }
      const m = mismatch(y.ref!.data, outs[j], o.dtype === 'f32' ? refTol(outs[j]) : 0);
      if (m) fail.push(`reference: output ${j}: ${m}`);
    }
    return fail;
  } catch (e) {
    return [`reference: threw unexpectedly: ${(e as Error).message}`];
  } finally {
    xs.forEach((x) => x.dispose());
  }
}

beforeAll(setup);

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const byOp = new Map<string, Case[]>();
for (const c of fixture.cases) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c]);

describe(`PyTorch ${fixture.torch} as the oracle: ${fixture.cases.length} cases over ${byOp.size} ops`, () => {
  test('every op of the fixture is run, and every documented difference is in the README table', () => {
    expect([...byOp.keys()].filter((op) => !ops[op])).toEqual([]);
    const table = readme.slice(readme.indexOf('## Differences from PyTorch'));
    const keys = new Set(fixture.cases.flatMap((c) => (c.expectDifference ? [c.expectDifference] : [])));
    expect([...keys].filter((k) => !table.includes(`| ${k} |`))).toEqual([]);
  });

  test('batched matmul, conv2d and attention split into dispatches of one batch workgroup agree too', async () => {
    const r = rt();
    const saved = r.maxBatchGroups;
    r.maxBatchGroups = 1;
    const fail: string[] = [];
    try {
      const split = ['matmul/broadcast batch', 'attention/causal true', 'conv2d/groups 2 no bias'];
      for (const c of fixture.cases.filter((c) => split.includes(c.id))) {
        for (const { name, variants } of kernelSets()) fail.push(...(await withKernelSet(variants, () => runGpu(c, name))).map((m) => `${c.id}: ${m}`));
      }
    } finally {
      r.maxBatchGroups = saved;
    }
    expect(fail).toEqual([]);
  });

  for (const [op, cs] of byOp) {
    test(op, async () => {
      const fail: string[] = [];
      for (const c of cs) {
        const msgs: string[] = [];
        // Dispatches of more than 65,535 workgroups run under the adapter's own kernels only: the GPU kernels'
        // 70,000 workgroups of 256 invocations take minutes on SwiftShader. Every variant splits them through
        // the same runBatches, which the test above exercises on small batches with the limit lowered.
        if (c.id.includes('beyond 65535')) msgs.push(...(await runGpu(c, 'adapter defaults')));
        else for (const { name, variants } of kernelSets()) msgs.push(...(await withKernelSet(variants, () => runGpu(c, name))));
        msgs.push(...runReference(c));
        fail.push(...msgs.map((m) => `${c.id}: ${m}`));
      }
      if (process.env.ORACLE_REPORT) for (const f of fail) appendFileSync(process.env.ORACLE_REPORT, f + '\n');
      expect(fail).toEqual([]);
    });
  }
});
