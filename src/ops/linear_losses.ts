// Row losses and the fused linear losses.
//
// The row-loss contract: a multiclass loss that is a function of log p_y alone (p = softmax(z)) is one
// WGSL function, row_loss(logp) -> (L, dL/dlogp), with up to four scalars (params.a0..a3) and the class
// count (params.C); then dL/dz_c = -dL/dlogp (p_c - [c == y]). Every fused path takes that one body: the
// softmax-fused row kernels (loss_rows_*.wgsl, `crossEntropy`, `rootedLoss`, ... and `rowLoss`) and both
// strategies of the fused linear losses. defineRowLoss() adds a researcher's own: the three fused paths,
// the unfused composition, the reference, gradcheck and the audit come with it.
//
// Fused linear losses, loss(h W^T + b, y) without ever writing the N x V logits:
//   'chunked' (Liger-Kernel's fused linear cross-entropy): rows in chunks; a chunk's logits come from the
//     linear kernel, the row kernel overwrites them with their gradient, and dH (a matmul) and dW, db
//     (accumulated in place over the chunks, in order) are computed during the forward pass, so backward
//     only scales them by g. Peak extra memory: one chunk of logits.
//   'tiled' (Apple's Cut Cross-Entropy): the forward computes the logits 16x8 at a time in registers and
//     folds them into each row's online log-sum-exp (linear_loss_lse.wgsl), the target logit as one dot
//     product; nothing of size N x V exists. The backward recomputes the logits per chunk of rows with the
//     gradient as their epilogue (linear_loss_grad.wgsl), then dH and dW from it.
// Reduction 'none' (a gradient per row, known only in backward) makes the chunked strategy recompute too.
// Deterministic: no atomics, every sum in a fixed order.
import { empty, tidy, Tensor } from '../tensor.js';
import { fromHost } from '../creation.js';
import { registerUserShader, rt } from '../runtime.js';
import { defineKernel, joinParams } from '../kernel.js';
import { registerShader } from '../shaders.js';
import { f64 } from '../reference.js';
import { shapeStr, sizeOf } from '../shape.js';
import { isReferenceMode } from '../backend.js';
import { kernelVariant, registerWorkgroup } from '../variants.js';
import { adapterInfo } from '../gpu.js';
import { defineOps, type Attrs, type OpDef, type Ops, type Reduction } from './def.js';
import { apply, checkDType, view } from './apply.js';
import { checkOptions } from '../options.js';
import { checkIndices, pick } from './gather.js';
import { affine, exp, neg, pow } from './unary.js';
import { add, div, maximum, mul } from './binary.js';
import { ne } from './masks.js';
import { sum } from './reduce.js';
import { logSoftmax } from './softmax.js';
import { reshape, transpose } from './movement.js';
import { cast } from './cast.js';
import { cat } from './joining.js';
import { linear, linearBlockDefines, linearOnView, matmul } from './matmul.js';
import { countValid, multiclass, multiclassDef, ROW_BODIES, checkPositive, checkReduction, reduceRef, scaleGrad, type MulticlassOptions } from './losses.js';
import linearLossRowsWgsl from '../../shaders/linear_loss_rows.wgsl';
import linearLossLseWgsl from '../../shaders/linear_loss_lse.wgsl';
import linearLossCombineWgsl from '../../shaders/linear_loss_combine.wgsl';
import linearLossGradWgsl from '../../shaders/linear_loss_grad.wgsl';
import matmulTnAccWgsl from '../../shaders/matmul_tn_acc.wgsl';
import tnLoadsScalarWgsl from '../../shaders/tn_loads_scalar.wgsl';
import tnLoadsVec4Wgsl from '../../shaders/tn_loads_vec4.wgsl';
import { lossDefs } from './losses.js';
import { reduceDefs } from './reduce.js';
import { recompute } from './higher_order.js';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface LinearLossAttrs {
  /** On h W^T (+ b) for inputs h [N, D], weight [V, D], labels [N] (, bias [V]), the logits never written. */
  linearLoss: { loss: string; scalars: number[]; reduction: Reduction; ignoreIndex: number; labelSmoothing: number; strategy: 'chunked' | 'tiled'; chunkRows: number };
  // a row loss (built-in or defineRowLoss's, by name, with its scalars in order)
  /** On logits, softmax-fused (a defineRowLoss loss; the built-in ones have their own primitives). */
  rowLoss: { reduction: Reduction; ignoreIndex: number; loss: string; scalars: number[] };
}
declare module './def.js' {
  interface Attrs extends LinearLossAttrs {}
}

// ---- the row-loss registry ------------------------------------------------------------------------------

export interface RowLossSpec {
  /** An identifier: the loss's name in errors, the audit and the op table's attributes. */
  name: string;
  /** WGSL defining `fn row_loss(logp: f32) -> vec2<f32>`: (L, dL/dlogp) at logp = log p_y, which the
   * kernels clamp at 0 (never p_y > 1); it reads its scalars as params.a0 .. params.a3 (in the order of
   * `scalars`) and the class count as params.C. The helpers of math.wgsl (expm1_ and log1p_, accurate near
   * 0; pow_scalar, ...) are available: 1 - p_y is -expm1_(logp). */
  wgsl: string;
  /** Names of the loss's scalar options (at most 4), e.g. ['k', 'm']. */
  scalars?: string[];
  /** Their default values. */
  defaults?: Record<string, number>;
  /** The row loss in float64, L(logp), for the reference backend, gradcheck and the audit. */
  reference: (logp: number, scalars: Record<string, number>, C: number) => number;
  /** The same loss from differentiable ops on logp [N] (the unfused path, `{ fused: false }`). */
  compose: (logp: Tensor, scalars: Record<string, number>, C: number) => Tensor;
  /** Throws (naming the loss and the value) for scalars it does not accept. */
  check?: (scalars: Record<string, number>) => void;
}

interface RowLossEntry {
  spec: RowLossSpec;
  /** The WGSL file the {{LOSS}} define names. */
  file: string;
}

const rowLosses = /* @__PURE__ */ builtInRowLosses();

function rowLossEntry(op: string, name: string): RowLossEntry {
  const e = rowLosses.get(name);
  if (!e) throw new Error(`${op}: no row loss named '${name}' (defined: ${[...rowLosses.keys()].join(', ')})`);
  return e;
}

/** The registered row losses' names (built-in and defineRowLoss's). */
export const rowLossNames = (): string[] => [...rowLosses.keys()];

/** Removes a defineRowLoss loss from the registry (a test, a notebook redefining one); built-in ones stay. */
export function undefineRowLoss(name: string): void {
  const e = rowLossEntry('undefineRowLoss', name);
  if (!e.spec.wgsl) throw new Error(`undefineRowLoss: '${name}' is built in`);
  rowLosses.delete(name);
}

/** A registered row loss's scalar options and their defaults. */
export function rowLossScalars(name: string): { scalars: string[]; defaults: Record<string, number> } {
  const e = rowLossEntry('rowLossScalars', name);
  return { scalars: [...(e.spec.scalars ?? [])], defaults: { ...e.spec.defaults } };
}

/** The scalars of a row loss in their order, from the options (defaults filled in), checked. */
function scalarValues(op: string, e: RowLossEntry, opts: Record<string, unknown>): number[] {
  const s: Record<string, number> = {};
  for (const k of e.spec.scalars ?? []) {
    const v = opts[k] ?? e.spec.defaults?.[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${op}: ${k} must be a finite number, got ${v}`);
    s[k] = v;
  }
  e.spec.check?.(s);
  return (e.spec.scalars ?? []).map((k) => s[k]);
}

const named = (e: RowLossEntry, values: readonly number[]) => Object.fromEntries((e.spec.scalars ?? []).map((k, i) => [k, values[i]]));

function register(spec: RowLossSpec, file: string): void {
  rowLosses.set(spec.name, { spec, file });
}

/** The built-in losses (made on first use: a bundle without linear losses drops them); their row bodies are
 * the files the softmax-fused losses include (ROW_BODIES). */
function builtInRowLosses(): Map<string, RowLossEntry> {
  const m = new Map<string, RowLossEntry>();
  const builtIn = (spec: RowLossSpec, file: string) => m.set(spec.name, { spec, file });
  builtIn({ name: 'crossEntropy', wgsl: '', reference: (lp) => -lp, compose: (lp) => neg(lp) }, 'cross_entropy_fused');
  builtIn({
    name: 'focalLoss',
    wgsl: '',
    scalars: ['alpha', 'gamma'],
    defaults: { alpha: 0.25, gamma: 3 },
    reference: (lp, { alpha, gamma }) => -alpha * (-Math.expm1(lp)) ** gamma * lp,
    compose: (lp, { alpha, gamma }) => affine(mul(pow(affine(exp(lp), -1, 1), gamma), lp), -alpha),
    check: ({ alpha, gamma }) => {
      checkPositive('focalLoss', 'alpha', alpha);
      if (!(gamma >= 0)) throw new Error(`focalLoss: gamma must be a finite number >= 0, got ${gamma}`);
    },
  }, 'focal_loss_fused');
  builtIn({
    name: 'rootedLoss',
    wgsl: '',
    scalars: ['k', 'm'],
    defaults: { k: 3, m: 3 },
    reference: (lp, { k, m }) => -m * Math.expm1(lp / k),
    compose: (lp, { k, m }) => affine(exp(affine(lp, 1 / k)), -m, m),
    check: ({ k, m }) => {
      checkPositive('rootedLoss', 'k', k);
      checkPositive('rootedLoss', 'm', m);
    },
  }, 'rooted_loss_fused');
  return m;
}

// ---- kernels ----------------------------------------------------------------------------------------------

const lossScalars = { a0: 'f32', a1: 'f32', a2: 'f32', a3: 'f32', ignore: 'i32', eps: 'f32' } as const;
const ROWS = /* @__PURE__ */ defineKernel(linearLossRowsWgsl, /* @__PURE__ */ joinParams({ R: 'u32', C: 'u32', row0: 'u32', scale: 'f32', need_grad: 'u32' }, lossScalars), { ZD: 'read_write f32', Y: 'read i32', LOSS: 'read_write f32', LSE: 'read_write f32', COEF: 'read_write f32' }, ROW_BODIES);
const LSE_PARTS = /* @__PURE__ */ defineKernel(linearLossLseWgsl, { N: 'u32', C: 'u32', K: 'u32', S: 'u32', bias: 'u32' }, { X: 'read {{XTYPE}}', W: 'read {{XTYPE}}', Bias: 'read f32', PART: 'read_write vec4<f32>' });
const COMBINE = /* @__PURE__ */ defineKernel(linearLossCombineWgsl, /* @__PURE__ */ joinParams({ N: 'u32', C: 'u32', K: 'u32', segments: 'u32', bias: 'u32' }, lossScalars), { X: 'read f32', W: 'read f32', Bias: 'read f32', Y: 'read i32', PART: 'read vec4<f32>', LOSS: 'read_write f32', LSE: 'read_write f32', COEF: 'read_write f32' }, ROW_BODIES);
const GRAD = /* @__PURE__ */ defineKernel(linearLossGradWgsl, { M: 'u32', C: 'u32', K: 'u32', row0: 'u32', R: 'u32', bias: 'u32', per_row: 'u32', scale: 'f32', eps: 'f32', ignore: 'i32' }, { X: 'read {{XTYPE}}', W: 'read {{XTYPE}}', Bias: 'read f32', Y: 'read i32', LSE: 'read f32', COEF: 'read f32', G: 'read f32', DZ: 'read_write f32' });
const TN_ACC = /* @__PURE__ */ defineKernel(matmulTnAccWgsl, { R: 'u32', V: 'u32', D: 'u32', accumulate: 'u32', bias: 'u32', row0: 'u32', ignore: 'i32' }, { A: 'read {{T}}', B: 'read {{T}}', C: 'read_write f32', CB: 'read_write f32', Y: 'read i32' }, [tnLoadsScalarWgsl, tnLoadsVec4Wgsl]);


/** Rows r0 .. r0+R of a contiguous [*, cols] tensor as a binding (r0 a multiple of 64: 256-byte aligned). */
function rowsView(t: Tensor, r0: number, R: number, cols: number) {
  const v = view(t);
  return { buffer: v.buffer, bytes: R * cols * 4, offset: (v.offset ?? 0) + r0 * cols * 4 };
}

type LinearLossOpAttrs = Attrs['linearLoss'];

/** Rows per chunk: the option, or about 1/16 of the rows (a multiple of 64, at least 64), so that a
 * chunk's logits are at most ~1/16 of N x V (and at most 64 MiB). */
export function chunkRowsFor(N: number, V: number, option: number): number {
  if (option) return option;
  const byShare = Math.floor(N / 16 / 64) * 64;
  const byBytes = Math.max(64, Math.floor((64 << 20) / (4 * V) / 64) * 64);
  return Math.max(64, Math.min(byShare || 64, byBytes));
}

function smoothing(a: LinearLossOpAttrs): string {
  return String(a.labelSmoothing > 0);
}

function lossParams(a: LinearLossOpAttrs) {
  const [a0 = 0, a1 = 0, a2 = 0, a3 = 0] = a.scalars;
  return { a0, a1, a2, a3, ignore: a.ignoreIndex, eps: a.labelSmoothing };
}

/** dZ^T H (and the column sums of dZ) of a chunk into dW (and db): stored for the first chunk, added after.
 * Rows labelled ignoreIndex are skipped (their hidden states are never read). */
function accumulateWeightGrad(dz: Tensor, h: Tensor, y: Tensor, ignoreIndex: number, r0: number, R: number, dw: Tensor | null, db: Tensor | null, first: boolean) {
  if (!dw && !db) return;
  const [V, D] = [dz.shape[1], h.shape[1]];
  const [wx, wy] = registerWorkgroup();
  // stand-ins for what is not wanted (two writable bindings, or a writable and a read one, may not alias)
  const c = dw ?? empty([4]);
  const cb = db ?? empty([4]);
  const vec4 = V % 4 === 0 && D % 4 === 0;
  const defines = { WG_X: wx, WG_Y: wy, T: vec4 ? 'vec4<f32>' : 'f32', LOADS: vec4 ? 'tn_loads_vec4' : 'tn_loads_scalar' };
  rt().run(TN_ACC, defines, { A: view(dz), B: rowsView(h, r0, R, D), C: view(c), CB: view(cb), Y: view(y) }, { R, V, D, accumulate: first ? 0 : 1, bias: db ? 1 : 0, row0: r0, ignore: ignoreIndex }, [Math.ceil(D / 8 / wx), Math.ceil(V / 16 / wy)]);
  if (!dw) c.dispose();
  if (!db) cb.dispose();
}

/** Per chunk of rows: the gradient dZ recomputed from h, W, lse and coef (g per row or one g), then dH
 * rows by matmul and dW, db accumulated. */
function recomputeGrads(h: Tensor, w: Tensor, y: Tensor, b: Tensor | null, lse: Tensor, coef: Tensor, g: Tensor, attrs: LinearLossOpAttrs, wants: Wants, scale: number) {
  const [N, K] = h.shape;
  const V = w.shape[0];
  const R = Math.min(N, chunkRowsFor(N, V, attrs.chunkRows));
  const [dw, db] = weightGrads(wants, N, V, K);
  const dhParts: Tensor[] = [];
  const defines = linearBlockDefines(K);
  for (let r0 = 0; r0 < N; r0 += R) {
    const rows = Math.min(R, N - r0);
    const dz = empty([rows, V]);
    rt().run(GRAD, defines, { X: view(h), W: view(w), Bias: view(b ?? lse), Y: view(y), LSE: view(lse), COEF: view(coef), G: view(g), DZ: view(dz) },
      { M: N, C: V, K, row0: r0, R: rows, bias: b ? 1 : 0, per_row: g.size > 1 ? 1 : 0, scale, eps: attrs.labelSmoothing, ignore: attrs.ignoreIndex },
      [Math.ceil(V / 8 / defines.WG_X), Math.ceil(rows / 16 / defines.WG_Y)]);
    if (wants.h) dhParts.push(matmul(dz, w));
    accumulateWeightGrad(dz, h, y, attrs.ignoreIndex, r0, rows, dw, db, r0 === 0);
    dz.dispose();
  }
  return { dh: wants.h ? joinRows(dhParts, K) : null, dw, db };
}

/** dW [V, K] and db [V] (null where not wanted), accumulated over the chunks of N rows; zeros when there are
 * no rows (no chunk writes them, and a pooled buffer holds old values). */
function weightGrads(wants: Wants, N: number, V: number, K: number): [Tensor | null, Tensor | null] {
  const make = (shape: number[]) => (N ? empty(shape) : fromHost(new Float32Array(sizeOf(shape)), shape, 'f32'));
  return [wants.w ? make([V, K]) : null, wants.b ? make([V]) : null];
}

/** The chunks' rows of dh as one [rows, K] tensor ([0, K] for no chunks). */
function joinRows(parts: Tensor[], K: number): Tensor {
  if (!parts.length) return empty([0, K]);
  if (parts.length === 1) return parts[0];
  const out = cat(parts, 0);
  for (const p of parts) p.dispose();
  return out;
}

interface Wants {
  h: boolean;
  w: boolean;
  b: boolean;
}

function checkLinearLoss(op: string, inputs: readonly Tensor[], a: LinearLossOpAttrs): void {
  const [h, w, y, b] = inputs;
  checkDType(op, h, 'f32', 'hidden states');
  checkDType(op, w, 'f32', 'weight');
  checkDType(op, y, 'i32', 'labels');
  if (h.ndim !== 2 || w.ndim !== 2 || h.shape[1] !== w.shape[1]) throw new Error(`${op}: expects hidden states [N, D] and weight [V, D] (Linear's layout), got ${shapeStr(h.shape)} and ${shapeStr(w.shape)}`);
  if (y.ndim !== 1 || y.shape[0] !== h.shape[0]) throw new Error(`${op}: labels must be [N] = [${h.shape[0]}] for hidden states ${shapeStr(h.shape)}, got ${shapeStr(y.shape)}`);
  if (b) {
    checkDType(op, b, 'f32', 'bias');
    if (b.ndim !== 1 || b.shape[0] !== w.shape[0]) throw new Error(`${op}: bias must be [V] = [${w.shape[0]}], got ${shapeStr(b.shape)}`);
  }
  if (w.shape[0] < 1 || h.shape[1] < 1) throw new Error(`${op}: needs at least one class and one feature, got weight ${shapeStr(w.shape)}`);
  checkIndices(op, y, w.shape[0], 'label', a.ignoreIndex);
  rowLossEntry(op, a.loss);
}

const PUBLIC: Record<string, string> = { crossEntropy: 'linearCrossEntropy', rootedLoss: 'linearRootedLoss', focalLoss: 'linearFocalLoss' };
/** The op's name in errors: the public function's (a defineRowLoss loss: `name.linear`). */
const opName = (a: LinearLossOpAttrs) => PUBLIC[a.loss] ?? `${a.loss}.linear`;

export const linearLossDefs: Ops<keyof LinearLossAttrs> = /* @__PURE__ */ defineOps(() => ({
  /** A registered row loss of logits h W^T (+ b) and labels, the logits never materialised. */
  linearLoss: {
    infer(inputs, attrs) {
      checkLinearLoss(opName(attrs), inputs, attrs);
      return { shape: attrs.reduction === 'none' ? [inputs[0].shape[0]] : [], dtype: 'f32' };
    },
    forward(inputs, attrs, save, needsGrad) {
      const [h, w, y, b = null] = inputs;
      const [N, K] = h.shape;
      const V = w.shape[0];
      const e = rowLossEntry(opName(attrs), attrs.loss);
      const count = attrs.reduction === 'mean' ? countValid(y, attrs.ignoreIndex) : 1;
      const scale = attrs.reduction === 'mean' ? (count ? 1 / count : 0) : 1;
      const rows = empty([N]);
      const lse = empty([N]);
      const coef = empty([N]);
      const r = rt();
      const wants: Wants = { h: needsGrad && h.requiresGrad, w: needsGrad && w.requiresGrad, b: !!b && needsGrad && b.requiresGrad };
      const eager = needsGrad && attrs.strategy === 'chunked' && attrs.reduction !== 'none';
      let grads: { dh: Tensor | null; dw: Tensor | null; db: Tensor | null } = { dh: null, dw: null, db: null };
      const defines = { ...linearBlockDefines(K), LOSS: e.file, SMOOTH: smoothing(attrs) };
      if (!N) {
        // No rows: nothing to compute (the tiled partials of no rows would be a 0-byte binding). The chunked
        // strategy's gradients, made in this pass, are those of no rows: zeros, and an empty dh.
        if (eager) {
          const [dw, db] = weightGrads(wants, N, V, K);
          grads = { dh: wants.h ? empty([0, K]) : null, dw, db };
        }
      } else if (attrs.strategy === 'tiled') {
        const S = adapterInfo().software ? 512 : 128; // classes per segment: fewer, longer ones on CPUs
        const segments = Math.ceil(V / S);
        const part = empty([segments, N, 4]);
        r.run(LSE_PARTS, defines, { X: view(h), W: view(w), Bias: view(b ?? lse), PART: view(part) }, { N, C: V, K, S, bias: b ? 1 : 0 }, [Math.ceil(segments / defines.WG_X), Math.ceil(N / 16 / defines.WG_Y)]);
        const noBias = b ? null : empty([4]);
        r.run(COMBINE, { LOSS: e.file, SMOOTH: smoothing(attrs) }, { X: view(h), W: view(w), Bias: view(b ?? noBias!), Y: view(y), PART: view(part), LOSS: view(rows), LSE: view(lse), COEF: view(coef) },
          { N, C: V, K, segments, bias: b ? 1 : 0, ...lossParams(attrs) }, r.groups1d(N, 64));
        part.dispose();
        noBias?.dispose();
      } else {
        const R = Math.min(N, chunkRowsFor(N, V, attrs.chunkRows));
        const [dw, db] = eager ? weightGrads(wants, N, V, K) : [null, null];
        const dhParts: Tensor[] = [];
        const zeroBias = b ? null : fromHost(new Float32Array(V), [V], 'f32');
        for (let r0 = 0; r0 < N; r0 += R) {
          const n = Math.min(R, N - r0);
          const zd = linearRows(h, r0, n, w, b ?? zeroBias!);
          r.run(ROWS, { LOSS: e.file, SMOOTH: smoothing(attrs), ZIN: 'ZD', ZOUT: 'ZD' }, { ZD: view(zd), Y: view(y), LOSS: view(rows), LSE: view(lse), COEF: view(coef) },
            { R: n, C: V, row0: r0, scale, need_grad: eager ? 1 : 0, ...lossParams(attrs) }, r.groups1d(n, 64));
          if (eager) {
            if (wants.h) dhParts.push(matmul(zd, w));
            accumulateWeightGrad(zd, h, y, attrs.ignoreIndex, r0, n, dw, db, r0 === 0);
          }
          zd.dispose();
        }
        zeroBias?.dispose();
        grads = { dh: eager && wants.h ? joinRows(dhParts, K) : null, dw, db };
      }
      for (const t of [h, w, y, lse, coef]) save(t);
      if (b) save(b);
      for (const t of [grads.dh, grads.dw, grads.db]) if (t) save(t);
      lse.dispose();
      coef.dispose();
      for (const t of [grads.dh, grads.dw, grads.db]) t?.dispose();
      if (attrs.reduction === 'none') return rows;
      const out = apply(reduceDefs.sum, [rows], { axis: null, keepdim: false, scale: attrs.reduction === 'mean' ? scale : 1 });
      rows.dispose();
      return out;
    },
    backward(g, saved, attrs, inputs) {
      const [h, w, y, lse, coef, ...rest] = saved;
      const b = inputs.length === 4 ? rest.shift()! : null;
      const wants: Wants = { h: inputs[0].requiresGrad, w: inputs[1].requiresGrad, b: inputs.length === 4 && inputs[3].requiresGrad };
      let dh: Tensor | null, dw: Tensor | null, db: Tensor | null;
      if (attrs.strategy === 'chunked' && attrs.reduction !== 'none') {
        // computed during the forward pass, for a unit upstream gradient: scale by g
        dh = wants.h ? scaleGrad(rest.shift()!, g) : null;
        dw = wants.w ? scaleGrad(rest.shift()!, g) : null;
        db = wants.b ? scaleGrad(rest.shift()!, g) : null;
      } else {
        const count = attrs.reduction === 'mean' ? countValid(y, attrs.ignoreIndex) : 1;
        const scale = attrs.reduction === 'mean' ? (count ? 1 / count : 0) : 1;
        ({ dh, dw, db } = recomputeGrads(h, w, y, b, lse, coef, g, attrs, wants, scale));
      }
      return inputs.length === 4 ? [dh, dw, null, db] : [dh, dw, null];
    },
    reference([h, w, y, b], attrs) {
      const [N, K] = h.shape;
      const V = w.shape[0];
      const e = rowLossEntry(opName(attrs), attrs.loss);
      const s = named(e, attrs.scalars);
      const eps = attrs.labelSmoothing;
      const rows = new Float64Array(N);
      const z = new Float64Array(V);
      let count = 0;
      for (let i = 0; i < N; i++) {
        if (y.data[i] === attrs.ignoreIndex) continue;
        count++;
        for (let v = 0; v < V; v++) {
          let acc = b ? b.data[v] : 0;
          for (let k = 0; k < K; k++) acc += h.data[i * K + k] * w.data[v * K + k];
          z[v] = acc;
        }
        let mx = -Infinity;
        for (let v = 0; v < V; v++) mx = Math.max(mx, z[v]);
        let se = 0;
        for (let v = 0; v < V; v++) se += Math.exp(z[v] - mx);
        const lse = mx + Math.log(se);
        let meanNll = 0;
        for (let v = 0; v < V; v++) meanNll += (lse - z[v]) / V;
        rows[i] = (1 - eps) * e.spec.reference(z[y.data[i]] - lse, s, V) + eps * meanNll;
      }
      if (attrs.reduction !== 'mean') return reduceRef(rows, attrs.reduction);
      return f64([], [count ? rows.reduce((a, v) => a + v, 0) / count : 0]);
    },
  } satisfies OpDef<LinearLossOpAttrs>,

  /** A defineRowLoss loss on logits, softmax-fused: the row kernels of the built-in losses with its body. */
  rowLoss: multiclassDef<Attrs['rowLoss']>('rowLoss', (a) => rowLossEntry('rowLoss', a.loss).file, (a) => a.scalars, (lp, a, C) => {
    const e = rowLossEntry('rowLoss', a.loss);
    return e.spec.reference(lp, named(e, a.scalars), C);
  }),
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  linearLoss: recompute(([h, w, y, b], a) => {
    const z = b ? add(matmul(h, transpose(w)), b) : matmul(h, transpose(w));
    return rowLossOn('linearLoss', a.loss, z, y, { reduction: a.reduction, ignoreIndex: a.ignoreIndex, fused: false }, a.scalars, a.labelSmoothing);
  }),
  // through the loss's own composition (defineRowLoss's `compose`, in ops) on the logits
  rowLoss: recompute(([z, y], a) => rowLossOn('rowLoss', a.loss, z, y, { reduction: a.reduction, ignoreIndex: a.ignoreIndex, fused: false }, a.scalars, 0)),
}));

/** h[r0 .. r0+n) W^T + b as a new [n, V] tensor: the register-blocked linear kernel on a view of h's rows,
 * whatever the size (not the linear op, whose small layers sum in another order). The backward of
 * reduction 'none' recomputes these logits with the same block (linear_loss_grad.wgsl) against the
 * forward's log-sum-exp: they must be the same bits, or a large logit's rounding moves exp(z - lse). */
function linearRows(h: Tensor, r0: number, n: number, w: Tensor, b: Tensor): Tensor {
  return linearOnView(rowsView(h, r0, n, h.shape[1]), n, w, b);
}

// ---- public functions ------------------------------------------------------------------------------------

/** The option keys of a row loss on logits and of a fused linear loss (besides the loss's scalars). */
const ROW_LOSS_OPTIONS = ['reduction', 'ignoreIndex', 'fused'];
const LINEAR_LOSS_OPTIONS = [...ROW_LOSS_OPTIONS, 'bias', 'strategy', 'chunkRows'];

export interface LinearLossOptions extends MulticlassOptions {
  /** The classifier's bias [V] (Linear's), or none. */
  bias?: Tensor | null;
  /** 'chunked' (Liger), 'tiled' (Cut Cross-Entropy) or 'auto': the adapter's default or autotune's choice. */
  strategy?: 'auto' | 'chunked' | 'tiled';
  /** Rows per chunk (a multiple of 64); default about 1/16 of the rows. */
  chunkRows?: number;
}

/** The shared front: h [..., D] and labels [...] flattened, options checked, the strategy resolved; the
 * materialised path (`fused: false`: the logits, then the softmax-fused loss) for comparison. */
export function linearLoss(op: string, loss: string, h: Tensor, weight: Tensor, labels: Tensor, opts: LinearLossOptions, labelSmoothing = 0): Tensor {
  const { reduction = 'mean', ignoreIndex = -100, bias = null, strategy = 'auto', chunkRows = 0, fused = true } = opts;
  checkReduction(op, reduction);
  if (!(h instanceof Tensor) || !(weight instanceof Tensor) || !(labels instanceof Tensor)) throw new Error(`${op}: hidden states, weight and labels must be Tensors`);
  if (bias !== null && !(bias instanceof Tensor)) throw new Error(`${op}: bias must be a Tensor or null`);
  if (!Number.isInteger(ignoreIndex)) throw new Error(`${op}: ignoreIndex must be an integer, got ${ignoreIndex}`);
  if (!['auto', 'chunked', 'tiled'].includes(strategy)) throw new Error(`${op}: strategy must be 'auto', 'chunked' or 'tiled', got '${strategy}'`);
  if (!(Number.isInteger(chunkRows) && chunkRows >= 0 && chunkRows % 64 === 0)) throw new Error(`${op}: chunkRows must be a positive multiple of 64 (a chunk's rows start at 256-byte boundaries), got ${chunkRows}`);
  if (h.ndim < 1) throw new Error(`${op}: hidden states must be [..., D], got a scalar`);
  const lead = h.shape.slice(0, -1);
  if (labels.ndim !== lead.length || labels.shape.some((d, i) => d !== lead[i])) throw new Error(`${op}: labels must be ${shapeStr(lead)} for hidden states ${shapeStr(h.shape)}, got ${shapeStr(labels.shape)}`);
  const e = rowLossEntry(op, loss);
  const scalars = scalarValues(op, e, opts as Record<string, unknown>);
  if (!fused) {
    const logits = bias ? linear(h, weight, bias) : matmulT(h, weight);
    try {
      return rowLossOn(op, loss, logits, labels, { ...opts, reduction, ignoreIndex }, scalars, labelSmoothing);
    } finally {
      logits.dispose();
    }
  }
  const D = h.shape[h.ndim - 1];
  const x = h.ndim === 2 ? h : reshape(h, [-1, D]);
  const y = labels.ndim === 1 ? labels : reshape(labels, [-1]);
  const chosen = strategy === 'auto' ? kernelVariant('linearLoss', 'any') : strategy;
  const attrs = (reduction: Reduction): LinearLossOpAttrs => ({ loss, scalars, reduction, ignoreIndex, labelSmoothing, strategy: chosen, chunkRows });
  const inputs = bias ? [x, weight, y, bias] : [x, weight, y];
  try {
    if (reduction !== 'mean' || y.host || isReferenceMode()) {
      const out = apply(linearLossDefs.linearLoss, inputs, attrs(reduction), op);
      if (reduction !== 'none' || lead.length === 1) return out;
      const shaped = reshape(out, lead);
      out.dispose();
      return shaped;
    }
    // GPU-made labels: the count of non-ignored rows is on the GPU
    return tidy(() => div(sum(apply(linearLossDefs.linearLoss, inputs, attrs('none'), op)), maximum(sum(cast(ne(y, ignoreIndex), 'f32')), 1)));
  } finally {
    if (x !== h) x.dispose();
    if (y !== labels) y.dispose();
  }
}

/** h W^T for h [..., D], W [V, D]. */
function matmulT(h: Tensor, w: Tensor): Tensor {
  return tidy(() => matmul(h, transpose(w)));
}

/** The loss on materialised logits: the built-in fused kernels, or rowLoss for a defineRowLoss loss. */
export function rowLossOn(op: string, loss: string, logits: Tensor, labels: Tensor, opts: MulticlassOptions, scalars: number[], labelSmoothing: number): Tensor {
  const e = rowLossEntry(op, loss);
  const s = named(e, scalars);
  return multiclass(op, logits, labels, opts, (z, y, reduction, ignoreIndex) => {
    if (loss === 'crossEntropy') return apply(lossDefs.crossEntropy, [z, y], { reduction, ignoreIndex, labelSmoothing });
    if (loss === 'focalLoss') return apply(lossDefs.focalLoss, [z, y], { reduction, ignoreIndex, alpha: s.alpha, gamma: s.gamma });
    if (loss === 'rootedLoss') return apply(lossDefs.rootedLoss, [z, y], { reduction, ignoreIndex, k: s.k, m: s.m });
    return apply(linearLossDefs.rowLoss, [z, y], { reduction, ignoreIndex, loss, scalars });
  }, (z, y) => {
    const rows = e.spec.compose(pick(logSoftmax(z, -1), y), s, z.shape[1]);
    if (!labelSmoothing) return rows;
    return tidy(() => {
      const meanNll = affine(sum(logSoftmax(z, -1), -1), -1 / z.shape[1]);
      return add(affine(rows, 1 - labelSmoothing), affine(meanNll, labelSmoothing));
    });
  });
}

/** Cross-entropy of logits h W^T (+ bias), never materialised: h [..., D], weight [V, D] (Linear's layout,
 * so a tied embedding works), labels [...]; ignoreIndex, reduction and labelSmoothing as crossEntropy. */
export function linearCrossEntropy(h: Tensor, weight: Tensor, labels: Tensor, opts: LinearLossOptions & { labelSmoothing?: number } = {}): Tensor {
  checkOptions('linearCrossEntropy', opts, [...LINEAR_LOSS_OPTIONS, 'labelSmoothing']);
  const { labelSmoothing = 0 } = opts;
  if (typeof labelSmoothing !== 'number' || !(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new Error(`linearCrossEntropy: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  return linearLoss('linearCrossEntropy', 'crossEntropy', h, weight, labels, opts, labelSmoothing);
}

/** The rooted loss m (1 - p_y^(1/k)) of logits h W^T (+ bias), never materialised; defaults k = 3, m = 3. */
export function linearRootedLoss(h: Tensor, weight: Tensor, labels: Tensor, opts: LinearLossOptions & { k?: number; m?: number } = {}): Tensor {
  checkOptions('linearRootedLoss', opts, [...LINEAR_LOSS_OPTIONS, 'k', 'm']);
  return linearLoss('linearRootedLoss', 'rootedLoss', h, weight, labels, opts);
}

/** The focal loss of logits h W^T (+ bias), never materialised; defaults alpha = 0.25, gamma = 3. */
export function linearFocalLoss(h: Tensor, weight: Tensor, labels: Tensor, opts: LinearLossOptions & { alpha?: number; gamma?: number } = {}): Tensor {
  checkOptions('linearFocalLoss', opts, [...LINEAR_LOSS_OPTIONS, 'alpha', 'gamma']);
  return linearLoss('linearFocalLoss', 'focalLoss', h, weight, labels, opts);
}

/** Any registered row loss by name (built-in or defineRowLoss's) on logits [..., C] and labels [...],
 * softmax-fused; its scalars by name in opts (defaults filled in). */
export function rowLoss(name: string, logits: Tensor, labels: Tensor, opts: MulticlassOptions & Record<string, unknown> = {}): Tensor {
  const e = rowLossEntry('rowLoss', name);
  checkOptions(e.spec.wgsl ? `${name}.loss` : 'rowLoss', opts, [...ROW_LOSS_OPTIONS, ...(e.spec.scalars ?? [])]);
  const { reduction = 'mean', ignoreIndex = -100 } = opts;
  checkReduction(name, reduction);
  return rowLossOn(name, name, logits, labels, { ...opts, reduction, ignoreIndex }, scalarValues(name, e, opts), 0);
}

/** Any registered row loss by name fused with the classifier h W^T (+ bias), as `RowLoss.linear` (the
 * built-in ones as linearCrossEntropy, linearRootedLoss, linearFocalLoss). */
export function linearRowLoss(name: string, h: Tensor, weight: Tensor, labels: Tensor, opts: LinearLossOptions & Record<string, unknown> = {}): Tensor {
  const e = rowLossEntry('linearRowLoss', name);
  const op = PUBLIC[name] ?? `${name}.linear`;
  checkOptions(op, opts, [...LINEAR_LOSS_OPTIONS, ...(e.spec.scalars ?? []), ...(name === 'crossEntropy' ? ['labelSmoothing'] : [])]);
  if (name === 'crossEntropy') return linearCrossEntropy(h, weight, labels, opts);
  return linearLoss(op, name, h, weight, labels, opts);
}

// ---- defineRowLoss ------------------------------------------------------------------------------------------

export interface RowLoss {
  name: string;
  /** On logits [..., C] and labels [...]: the softmax-fused kernel (`fused: false`: the composition). */
  loss(logits: Tensor, labels: Tensor, opts?: MulticlassOptions & Record<string, number | string | boolean | undefined>): Tensor;
  /** On h [..., D] and a weight [V, D], the logits never materialised (`fused: false`: materialised). */
  linear(h: Tensor, weight: Tensor, labels: Tensor, opts?: LinearLossOptions & Record<string, unknown>): Tensor;
}

/** Registers a researcher's row loss (see RowLossSpec): its WGSL body joins the softmax-fused row kernels
 * and both fused linear strategies; the reference and the composition give gradcheck, the audit and the
 * unfused comparison. */
export function defineRowLoss(spec: RowLossSpec): RowLoss {
  if (!/^[A-Za-z_]\w*$/.test(spec.name)) throw new Error(`defineRowLoss: name must be an identifier, got '${spec.name}'`);
  if (rowLosses.has(spec.name)) throw new Error(`defineRowLoss: a row loss named '${spec.name}' is already defined`);
  if ((spec.scalars?.length ?? 0) > 4) throw new Error(`defineRowLoss: at most 4 scalars (params.a0..a3), got ${spec.scalars!.length}`);
  if (!/fn\s+row_loss\s*\(/.test(spec.wgsl)) throw new Error(`defineRowLoss: ${spec.name}'s wgsl must define fn row_loss(logp: f32) -> vec2<f32>`);
  const file = `row_loss_${spec.name}`;
  registerShader(file, `// ${spec.name}: a row loss made with defineRowLoss (the contract: loss_rows_options.wgsl)\n${spec.wgsl}`);
  registerUserShader(file, `row loss '${spec.name}' (defineRowLoss)`);
  register(spec, file);
  return {
    name: spec.name,
    loss: (logits, labels, opts = {}) => rowLoss(spec.name, logits, labels, opts),
    linear: (h, weight, labels, opts = {}) => linearRowLoss(spec.name, h, weight, labels, opts),
  };
}
