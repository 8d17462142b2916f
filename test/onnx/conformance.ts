// ONNX's backend test data as rootgrad's conformance suite: every test whose graph inputs and outputs are
// all float32, int32, int64 or bool, run through loadOnnx + run and compared at rtol 1e-3, atol 1e-5.
// Used by test/onnx-conformance.test.ts and by `npm run test:onnx` (scripts/onnx-conformance.ts).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from '../../src/onnx/proto/onnx.js';
import { loadOnnx, decodeTensor, type HostVal } from '../../src/onnx/node.js';
import { memory, tensor, type Tensor } from '../../src/node.js';

export const FOLDERS = ['node', 'pytorch-converted', 'pytorch-operator', 'simple'] as const;
export const RTOL = 1e-3;
export const ATOL = 1e-5;

export function testDataDir(): string {
  return process.env.ONNX_TESTDATA ?? '/usr/include/onnx/backend/test/data';
}

export interface CaseResult {
  folder: string;
  name: string;
  ops: string[];
  opset: number;
  pass: boolean;
  reason: string;
  ms: number;
}

const ALLOWED = new Set([1, 6, 7, 9]); // float32, int32, int64, bool

/** The tests in the data set whose graph inputs and outputs all have the allowed element types. */
export function listCases(root = testDataDir()): { folder: string; name: string; dir: string }[] {
  const out: { folder: string; name: string; dir: string }[] = [];
  for (const folder of FOLDERS) {
    const base = join(root, folder);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base).sort()) {
      const dir = join(base, name);
      const file = join(dir, 'model.onnx');
      if (!existsSync(file) || !existsSync(join(dir, 'test_data_set_0'))) continue;
      let m: onnx.ModelProto;
      try {
        m = onnx.ModelProto.decode(readFileSync(file));
      } catch {
        continue;
      }
      const inits = new Set((m.graph?.initializer ?? []).map((t) => t.name));
      const vals = [...(m.graph?.input ?? []).filter((v) => !inits.has(v.name)), ...(m.graph?.output ?? [])];
      // Tests of the training preview domain (Adam, Adagrad, Momentum, Gradient) are not default-domain ONNX:
      // they are listed apart (excludedCases), as in the issue's count of 907.
      const preview = (m.opsetImport ?? []).some((o) => o.domain === 'ai.onnx.preview.training');
      if (!preview && vals.every((v) => v.type?.tensorType && ALLOWED.has(v.type.tensorType.elemType ?? 0))) out.push({ folder, name, dir });
    }
  }
  return out;
}

function opsOf(dir: string): { ops: string[]; opset: number } {
  const m = onnx.ModelProto.decode(readFileSync(join(dir, 'model.onnx')));
  const ops = new Set<string>();
  const walk = (g: onnx.IGraphProto | null | undefined) => {
    for (const n of g?.node ?? []) {
      ops.add(n.opType ?? '');
      for (const a of n.attribute ?? []) walk(a.g);
    }
  };
  walk(m.graph);
  const def = (m.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return { ops: [...ops].sort(), opset: def ? Number(def.version) : 1 };
}

const asTensor = (h: HostVal): Tensor => tensor(h.dtype === 'f32' ? (h.data as Float32Array) : Int32Array.from(h.data), h.shape, { dtype: h.dtype });

/** Compares an output with the expected tensor; returns the reason it differs, or ''. */
function compare(name: string, got: Tensor, gotData: Float32Array | Int32Array, want: HostVal): string {
  const shape = (s: readonly number[]) => `[${s.join(', ')}]`;
  if (got.shape.length !== want.shape.length || got.shape.some((d, i) => d !== want.shape[i])) return `output '${name}' has shape ${shape(got.shape)}, expected ${shape(want.shape)}`;
  if (got.dtype !== want.dtype) return `output '${name}' is ${got.dtype}, expected ${want.dtype}`;
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < want.size; i++) {
    const a = gotData[i];
    const b = want.data[i];
    if (Number.isNaN(b) && Number.isNaN(a)) continue;
    if (a === b) continue;
    const err = Math.abs(a - b);
    if (!(err <= ATOL + RTOL * Math.abs(b))) {
      if (worst < 0 || err > worstErr || Number.isNaN(err)) [worst, worstErr] = [i, err];
    }
  }
  return worst < 0 ? '' : `output '${name}' differs at ${worst}: got ${gotData[worst]}, expected ${want.data[worst]}`;
}

/** Runs one test case. Every tensor it makes is freed. */
export async function runCase(c: { folder: string; name: string; dir: string }): Promise<CaseResult> {
  const t0 = performance.now();
  const { ops, opset } = opsOf(c.dir);
  const result = (pass: boolean, reason: string): CaseResult => ({ folder: c.folder, name: c.name, ops, opset, pass, reason, ms: performance.now() - t0 });
  let model;
  try {
    model = await loadOnnx(join(c.dir, 'model.onnx'), { trainable: false });
  } catch (e) {
    return result(false, `load: ${(e as Error).message}`);
  }
  const feeds: Record<string, Tensor> = {};
  const made: Tensor[] = [];
  try {
    const data = join(c.dir, 'test_data_set_0');
    model.inputNames.forEach((name, i) => {
      const file = join(data, `input_${i}.pb`);
      if (existsSync(file)) made.push((feeds[name] = asTensor(decodeTensor(readFileSync(file), file))));
    });
    const outs = await model.run(feeds);
    made.push(...Object.values(outs));
    for (const [i, name] of model.outputNames.entries()) {
      const want = decodeTensor(readFileSync(join(data, `output_${i}.pb`)), `output_${i}.pb`);
      const got = outs[name];
      const why = compare(name, got, await got.data(), want);
      if (why) return result(false, why);
    }
    return result(true, '');
  } catch (e) {
    return result(false, `run: ${(e as Error).message}`);
  } finally {
    for (const t of made) if (!t.disposed) t.dispose();
    model.dispose();
  }
}

export async function runAll(root = testDataDir(), filter?: (name: string) => boolean): Promise<CaseResult[]> {
  const cases = listCases(root).filter((c) => !filter || filter(c.name));
  const out: CaseResult[] = [];
  for (const c of cases) out.push(await runCase(c));
  void memory;
  return out;
}

/** docs/onnx-conformance.md: totals per folder, pass/fail per op and per test, the reason per failure. */
export function report(results: CaseResult[], seconds: number): string {
  const lines: string[] = [];
  const pct = (a: number, b: number) => `${b ? ((100 * a) / b).toFixed(1) : '0.0'}%`;
  const passed = results.filter((r) => r.pass).length;
  lines.push('# ONNX conformance');
  lines.push('');
  lines.push(`Generated by \`npm run test:onnx\`: ONNX's backend test data (Debian's libonnx-testdata, onnx 1.12), the tests whose graph inputs and outputs are all float32, int32, int64 or bool, each run through \`loadOnnx\` and \`run\` and compared with its expected outputs at rtol ${RTOL}, atol ${ATOL}. One run on SwiftShader took ${seconds.toFixed(0)} s.`);
  lines.push('');
  lines.push('The tests of the `ai.onnx.preview.training` domain (Adam, Adagrad, Momentum, Gradient: 9 tests) are left out; they are not default-domain ONNX.');
  lines.push('');
  lines.push(`**${passed} of ${results.length} pass (${pct(passed, results.length)}).**`);
  lines.push('');
  lines.push('| folder | pass | tests | rate |');
  lines.push('|---|---:|---:|---:|');
  for (const f of FOLDERS) {
    const rs = results.filter((r) => r.folder === f);
    const p = rs.filter((r) => r.pass).length;
    lines.push(`| ${f} | ${p} | ${rs.length} | ${pct(p, rs.length)} |`);
  }
  lines.push('');
  lines.push('## Per op');
  lines.push('');
  lines.push('Tests counted under every op of their graph (the node/ tests mostly have one).');
  lines.push('');
  lines.push('| op | pass | tests |');
  lines.push('|---|---:|---:|');
  const byOp = new Map<string, [number, number]>();
  for (const r of results) for (const op of r.ops) {
    const e = byOp.get(op) ?? [0, 0];
    e[1]++;
    if (r.pass) e[0]++;
    byOp.set(op, e);
  }
  for (const [op, [p, t]] of [...byOp].sort((a, b) => a[0].localeCompare(b[0]))) lines.push(`| ${op} | ${p} | ${t} |`);
  lines.push('');
  lines.push('## Per test');
  lines.push('');
  lines.push('| folder | test | opset | result |');
  lines.push('|---|---|---:|---|');
  for (const r of results) lines.push(`| ${r.folder} | ${r.name} | ${r.opset} | ${r.pass ? 'pass' : `FAIL: ${r.reason.replace(/\|/g, '\\|').replace(/\n/g, ' ').slice(0, 300)}`} |`);
  lines.push('');
  return lines.join('\n');
}
