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
import { registerShader, registerWgsl, shaderNames } from './shaders.js';
import commonWgsl from '../shaders/common.wgsl';
import mathWgsl from '../shaders/math.wgsl';
import reduceRangeWgsl from '../shaders/reduce_range.wgsl';
import reduceSumMainWgsl from '../shaders/reduce_sum_main.wgsl';
import { rt, type Kernel } from './runtime.js';
import type { BufferView, Elementwise } from './dispatch-types.js';

export type { Elementwise } from './dispatch-types.js';

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

/** Storage buffers one generated kernel may bind, its params words included: the device's limit (10 where
 * Chromium gives 10, 8 on adapters with WebGPU's minimum). */
const bufferLimit = () => rt().device.limits.maxStorageBuffersPerShaderStage;

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
  const limit = bufferLimit();
  const flush = () => {
    if (run.length >= 2) {
      out.push(generate(run.map((r) => r.e), (b) => neededAfter(b, runEnd)) as unknown as C);
      saved += run.length - 1;
    } else out.push(...run.map((r) => r.cmd as unknown as C));
    run = [];
  };
  commands.forEach((c, i) => {
    const e = c.kind === 'dispatch' ? (c as unknown as FusibleDispatch).elementwise : undefined;
    if (e?.kind === 'sum') {
      // The run's last value summed, and nothing else of the run read later: one kernel does both.
      const last = run[run.length - 1]?.e;
      const x = e.inputs[0].buffer;
      const only = last && last.output.buffer === x && last.n === e.n && run.every((r) => r.e.output.buffer === x || !neededAfter(r.e.output.buffer, runEnd));
      const reads = run.flatMap((r) => r.e.inputs.map((v) => v.buffer));
      // The sum's kernel binds every buffer the run reads, its output and the params words.
      const fitsLimit = new Set(reads).size + 2 <= limit;
      if (only && fitsLimit && !neededAfter(x, i) && !reads.includes(e.output.buffer) && run.every((r) => r.e.inputs.every((v, j) => r.e.sizes[j] === r.e.n || !run.some((w) => w.e.output.buffer === v.buffer)))) {
        out.push(generateSum(run.map((r) => r.e), c as unknown as FusibleDispatch) as unknown as C);
        saved += run.length;
        run = [];
        return;
      }
      flush();
      out.push(c);
      return;
    }
    if (!e) {
      flush();
      out.push(c);
      return;
    }
    if (run.length && !fits(run.map((r) => r.e), e, limit - 1)) flush();
    run.push({ cmd: c as unknown as FusibleDispatch, e });
    runEnd = i;
  });
  flush();
  return { commands: out, saved };
}

/** Whether e can join the run: same n, one view per buffer, no broadcast read of a value the run wrote,
 * no write over a buffer the run read by broadcast, and at most maxBuffers buffers. */
function fits(run: Elementwise[], e: Elementwise, maxBuffers: number): boolean {
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
  return views.size <= maxBuffers;
}

/** The WGSL of a run: a function per op, and the statements computing element i (or vec4 i) into
 * registers; `current` maps each buffer the run wrote to the register with its last value. */
function chainCode(run: Elementwise[], vec4: boolean, slot: (v: BufferView, written: boolean) => string) {
  const n = run[0].n;
  const w = vec4 ? 4 : 1;
  const lanes = (call: (lane: string) => string) => (vec4 ? `vec4<f32>(${['.x', '.y', '.z', '.w'].map(call).join(', ')})` : call(''));
  const fns: string[] = [];
  const body: string[] = [];
  const current = new Map<GPUBuffer, string>();
  const lastWrite = new Map<GPUBuffer, string>();
  run.forEach((e, k) => {
    const args = e.inputs.map((v, j) => {
      const name = slot(v, false);
      if (e.sizes[j] !== n) return `${name}[i % ${e.sizes[j] / w}u]`;
      let reg = current.get(v.buffer);
      if (!reg) {
        reg = `l${body.length}`;
        body.push(`  let ${reg} = ${name}[i];`);
        current.set(v.buffer, reg);
      }
      return reg;
    });
    const [a, b] = e.scalars;
    const params = e.kind === 'binary' ? 'a: f32, b: f32' : e.kind === 'unary' ? 'x: f32, a: f32, b: f32' : 'x: f32, y: f32, g: f32, a: f32, b: f32';
    fns.push(`// ${e.kind}\nfn op${k}(${params}) -> f32 {\n  return ${e.expr};\n}`);
    const call = lanes((l) => (e.kind === 'binary' ? `op${k}(${args.map((x) => x + l).join(', ')})` : `op${k}(${[...args.map((x) => x + l), literal(a), literal(b)].join(', ')})`));
    const reg = `v${k}`;
    body.push(`  let ${reg} = ${call};`);
    current.set(e.output.buffer, reg);
    lastWrite.set(e.output.buffer, reg);
  });
  return { fns, body, lastWrite };
}

/** Bindings of a generated kernel: one per buffer, read_write where something writes it. */
function slotsOf() {
  const slots = new Map<GPUBuffer, { name: string; view: BufferView; written: boolean }>();
  const slot = (v: BufferView, written: boolean) => {
    let s = slots.get(v.buffer);
    if (!s) slots.set(v.buffer, (s = { name: `B${slots.size}`, view: v, written: false }));
    s.written ||= written;
    return s.name;
  };
  return { slots, slot };
}

function register(source: string): Kernel {
  // the files the generated kernels include
  for (const f of [commonWgsl, mathWgsl, reduceRangeWgsl, reduceSumMainWgsl]) registerWgsl(f);
  const name = `fused_${hash(source)}`;
  if (!shaderNames().includes(name)) registerShader(name, source);
  return rt().kernel(name);
}

/** The generated kernel of a run, as a dispatch command. */
function generate(run: Elementwise[], stored: (b: GPUBuffer) => boolean): FusibleDispatch {
  const n = run[0].n;
  // vec4 lanes when every count allows (vector loads: about 2x on SwiftShader), as the eager kernels do
  const vec4 = n % 4 === 0 && run.every((e) => e.sizes.every((s) => s % 4 === 0));
  const w = vec4 ? 4 : 1;
  const { slots, slot } = slotsOf();
  const { fns, body, lastWrite } = chainCode(run, vec4, slot);
  for (const [buffer, reg] of lastWrite) if (stored(buffer)) body.push(`  ${slot(run.find((e) => e.output.buffer === buffer)!.output, true)}[i] = ${reg};`);
  const bindings = [...slots.values()];
  const source = [
    `// Generated by src/fuse.ts (compile({ fuse: true })): ${run.length} elementwise ops over n elements,`,
    `// ${vec4 ? 'one vec4 per invocation (n counts vec4s)' : 'one element per invocation'}, values in registers; stores only what is read after them.`,
    `// Ops: ${run.map((e) => `${e.kind} ${e.expr}`).join(' | ')}`,
    '// Workgroup: 256 invocations.',
    'struct Params { n: u32, }',
    '@group(0) @binding(0) var<storage, read> params: Params;',
    ...bindings.map((s, j) => `@group(0) @binding(${j + 1}) var<storage, ${s.written ? 'read_write' : 'read'}> ${s.name}: array<${vec4 ? 'vec4<f32>' : 'f32'}>;`),
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
  return { kind: 'dispatch', kernel: register(source), bindings: bindings.map((s) => s.view), words: Uint32Array.of(n / w), groups: rt().groups1d(n / w, 256) };
}

/** A run of ops and the sum of its last value, as one reduce_sum kernel whose load_x computes the run. */
function generateSum(run: Elementwise[], sum: FusibleDispatch): FusibleDispatch {
  const { slots, slot } = slotsOf();
  const { fns, body, lastWrite } = chainCode(run, false, slot);
  const x = sum.elementwise!.inputs[0].buffer;
  const y = sum.elementwise!.output;
  const bindings = [...slots.values()];
  const source = [
    `// Generated by src/fuse.ts (compile({ fuse: true })): a sum (reduce_sum_main.wgsl) whose input is computed`,
    `// on the fly by ${run.length} elementwise ops, never stored: ${run.map((e) => `${e.kind} ${e.expr}`).join(' | ')}`,
    '// Params as reduce_sum.wgsl. Workgroup: 64 invocations.',
    'struct Params { outer: u32, R: u32, inner: u32, chunks: u32, clen: u32, scale: f32, }',
    '@group(0) @binding(0) var<storage, read> params: Params;',
    ...bindings.map((s, j) => `@group(0) @binding(${j + 1}) var<storage, read> ${s.name}: array<f32>;`),
    `@group(0) @binding(${bindings.length + 1}) var<storage, read_write> Y: array<f32>;`,
    '#include "common.wgsl"',
    '#include "math.wgsl"',
    '#include "reduce_range.wgsl"',
    ...fns,
    'fn load_x(i: u32) -> f32 {',
    ...body,
    `  return ${lastWrite.get(x)};`,
    '}',
    '#include "reduce_sum_main.wgsl"',
    '',
  ].join('\n');
  return { kind: 'dispatch', kernel: register(source), bindings: [...bindings.map((s) => s.view), y], words: sum.words, groups: sum.groups };
}
