// Elementwise fusion inside compiled steps (compile(fn, { fuse: true })).
//
// While a step is recorded, the elementwise kernels (unary.wgsl, unary_backward.wgsl, binary.wgsl in its
// same-shape and trailing-broadcast modes) describe what they compute: the expression, the scalars, the
// element views they read and the one they write (Elementwise, attached to the recorded dispatch). When the
// plan is made, each run of consecutive elementwise dispatches over the same number of elements becomes
// one generated kernel: every op's expression becomes a WGSL function, values flow in registers, and only
// the values read after the run (by a later command, as a step output, or in a tensor that outlives the
// step) are stored. Generated kernels are registered as WGSL files (fused_<hash>) and go through the
// runtime's pipeline cache; ROOTGRAD_DEBUG=2 prints them.
//
// A run stops where fusing would change what a thread sees: an op reading, at another index (a broadcast),
// a value the run wrote; two different views of one buffer; more buffers than a shader stage may bind.
// Per element the ops run in their recorded order on the same f32 values, so results match eager up to
// the compiler's freedom to contract a multiply and an add across what were two kernels.
import { registerShader, shaderNames } from './shaders.js';
import { rt, type BufferView, type Kernel } from './runtime.js';

/** What an elementwise dispatch computes, element i of n. */
export interface Elementwise {
  kind: 'unary' | 'unaryBackward' | 'binary';
  /** unary: in x, a, b; unaryBackward: in x, y, g, a, b; binary: in a, b (the inputs). */
  expr: string;
  /** The scalars a, b of unary and unaryBackward. */
  scalars: [number, number];
  /** The views read, in the order of the expression's inputs; sizes[j] elements each: n (read at i) or a
   * trailing block read at i % sizes[j]. */
  inputs: BufferView[];
  sizes: number[];
  output: BufferView;
  n: number;
}

/** A recorded dispatch, as much of it as fusion needs. */
export interface FusibleDispatch {
  kind: 'dispatch';
  kernel: Kernel;
  bindings: BufferView[];
  words: Uint32Array;
  groups: [number, number?, number?];
  refresh?: () => Uint32Array;
  elementwise?: Elementwise;
}

/** A buffer budget per fused kernel: the params binding plus 9 (Chromium allows 10 storage buffers). */
const MAX_BUFFERS = 9;

const sameView = (a: BufferView, b: BufferView) => a.buffer === b.buffer && (a.offset ?? 0) === (b.offset ?? 0) && a.bytes === b.bytes;

const f32Bits = new Float32Array(1);
const u32Bits = new Uint32Array(f32Bits.buffer);
/** An exact f32 literal (the bits of the scalar as the eager kernel's params word held it). */
function literal(x: number): string {
  f32Bits[0] = x;
  return `bitcast<f32>(${u32Bits[0]}u)`;
}

/** FNV-1a of the generated source: the kernel's file name. */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Buffers used after position `end` of the commands (or outside the step): their last values must be stored. */
export type NeededAfter = (buffer: GPUBuffer, end: number) => boolean;

/**
 * Replaces runs of two or more fusible elementwise dispatches by generated kernels; other commands pass
 * through. Returns the new command list and how many dispatches it saved.
 */
export function fuseCommands<C extends { kind: string }>(commands: C[], neededAfter: NeededAfter): { commands: C[]; saved: number } {
  const out: C[] = [];
  let saved = 0;
  let run: { cmd: FusibleDispatch; e: Elementwise }[] = [];
  let runEnd = -1;
  const flush = () => {
    if (run.length >= 2) {
      out.push(generate(run.map((r) => r.e), (b) => neededAfter(b, runEnd)) as unknown as C);
      saved += run.length - 1;
    } else out.push(...run.map((r) => r.cmd as unknown as C));
    run = [];
  };
  commands.forEach((c, i) => {
    const e = c.kind === 'dispatch' ? (c as unknown as FusibleDispatch).elementwise : undefined;
    if (!e) {
      flush();
      out.push(c);
      return;
    }
    if (run.length && !fits(run.map((r) => r.e), e)) flush();
    run.push({ cmd: c as unknown as FusibleDispatch, e });
    runEnd = i;
  });
  flush();
  return { commands: out, saved };
}

/** Whether e can join the run: same n, one view per buffer, no broadcast read of a value the run wrote,
 * no write over a buffer the run read by broadcast, and few enough buffers. */
function fits(run: Elementwise[], e: Elementwise): boolean {
  if (e.n !== run[0].n) return false;
  const views = new Map<GPUBuffer, BufferView>();
  const written = new Set<GPUBuffer>();
  const broadcastRead = new Set<GPUBuffer>();
  for (const r of run) {
    r.inputs.forEach((v, j) => {
      views.set(v.buffer, v);
      if (r.sizes[j] !== r.n) broadcastRead.add(v.buffer);
    });
    views.set(r.output.buffer, r.output);
    written.add(r.output.buffer);
  }
  for (const v of [...e.inputs, e.output]) {
    const seen = views.get(v.buffer);
    if (seen && !sameView(seen, v)) return false;
    views.set(v.buffer, v);
  }
  if (e.inputs.some((v, j) => e.sizes[j] !== e.n && written.has(v.buffer))) return false;
  if (broadcastRead.has(e.output.buffer) || e.inputs.some((v, j) => e.sizes[j] !== e.n && v.buffer === e.output.buffer)) return false;
  return views.size <= MAX_BUFFERS;
}

/** The generated kernel of a run, as a dispatch command. */
function generate(run: Elementwise[], stored: (b: GPUBuffer) => boolean): FusibleDispatch {
  const n = run[0].n;
  const slots = new Map<GPUBuffer, { name: string; view: BufferView; written: boolean }>();
  const slot = (v: BufferView) => {
    let s = slots.get(v.buffer);
    if (!s) slots.set(v.buffer, (s = { name: `B${slots.size}`, view: v, written: false }));
    return s;
  };
  const fns: string[] = [];
  const body: string[] = [];
  /** The register holding each buffer's current value at element i (loaded or computed). */
  const current = new Map<GPUBuffer, string>();
  const lastWrite = new Map<GPUBuffer, string>();
  run.forEach((e, k) => {
    const args = e.inputs.map((v, j) => {
      const s = slot(v);
      if (e.sizes[j] !== n) return `${s.name}[i % ${e.sizes[j]}u]`;
      let reg = current.get(v.buffer);
      if (!reg) {
        reg = `l${body.length}`;
        body.push(`  let ${reg} = ${s.name}[i];`);
        current.set(v.buffer, reg);
      }
      return reg;
    });
    const [a, b] = e.scalars;
    const params = e.kind === 'binary' ? 'a: f32, b: f32' : e.kind === 'unary' ? 'x: f32, a: f32, b: f32' : 'x: f32, y: f32, g: f32, a: f32, b: f32';
    fns.push(`// ${e.kind}\nfn op${k}(${params}) -> f32 {\n  return ${e.expr};\n}`);
    const call = e.kind === 'binary' ? `op${k}(${args.join(', ')})` : `op${k}(${[...args, literal(a), literal(b)].join(', ')})`;
    const reg = `v${k}`;
    body.push(`  let ${reg} = ${call};`);
    const s = slot(e.output);
    s.written = true;
    current.set(e.output.buffer, reg);
    lastWrite.set(e.output.buffer, reg);
  });
  for (const [buffer, reg] of lastWrite) if (stored(buffer)) body.push(`  ${slots.get(buffer)!.name}[i] = ${reg};`);
  const bindings = [...slots.values()];
  const source = [
    `// Generated by src/fuse.ts (compile({ fuse: true })): ${run.length} elementwise ops over n elements,`,
    '// one element per invocation, values in registers; stores only what is read after them.',
    `// Ops: ${run.map((e) => `${e.kind} ${e.expr}`).join(' | ')}`,
    '// Workgroup: 256 invocations.',
    'struct Params { n: u32, }',
    '@group(0) @binding(0) var<storage, read> params: Params;',
    ...bindings.map((s, j) => `@group(0) @binding(${j + 1}) var<storage, ${s.written ? 'read_write' : 'read'}> ${s.name}: array<f32>;`),
    '#include "common.wgsl"',
    '#include "math.wgsl"',
    ...fns,
    '@compute @workgroup_size(256)',
    'fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {',
    '  let i = flat_id(gid, nwg, 256u);',
    '  if (i >= params.n) { return; }',
    ...body,
    '}',
    '',
  ].join('\n');
  const name = `fused_${hash(source)}`;
  if (!shaderNames().includes(name)) registerShader(name, source);
  const r = rt();
  return { kind: 'dispatch', kernel: r.kernel(name), bindings: bindings.map((s) => s.view), words: Uint32Array.of(n), groups: r.groups1d(n, 256) };
}
