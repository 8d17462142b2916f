// Kernel declarations: each WGSL kernel's parameters and bindings are declared once, here in TypeScript,
// next to the op that dispatches it. The declaration gives both sides:
// - the WGSL prelude prepended to the kernel's file: `struct Params { ... }` at @binding(0) (read as
//   `params.name`) and one `var<storage, ...>` per binding, in order from @binding(1);
// - the TypeScript types of a dispatch: `run(K, defines, { X: view(x), ... }, { n, a, b }, groups)` does
//   not compile with a missing, extra or misspelt parameter or binding, and packs the words in order.
// Kernels without a declaration (defineOp's) read raw words with pu()/pf() from raw_params.wgsl.
import type { BufferView } from './runtime.js';

/** A parameter's WGSL type; 'u32[]' is a runtime-sized array (per-axis extents and strides), last only. */
export type ParamType = 'u32' | 'i32' | 'f32' | 'u32[]';
/** A binding: its access and its WGSL element type (a define such as {{T}} allowed), e.g. 'read f32'. */
export type BindingDecl = `${'read' | 'read_write'} ${string}`;

export interface KernelDecl<P extends Record<string, ParamType> = Record<string, ParamType>, B extends Record<string, BindingDecl> = Record<string, BindingDecl>> {
  /** The .wgsl file (without extension). */
  file: string;
  params: P;
  bindings: B;
  /** Generated once from the declaration. */
  prelude: string;
  /** Parameter names, their types and binding names in order (for the packer on the hot path). */
  paramNames: string[];
  paramTypes: ParamType[];
  bindingNames: string[];
}

export type ParamValues<P extends Record<string, ParamType>> = { [K in keyof P]: P[K] extends 'u32[]' ? readonly number[] : number };
export type BindingValues<B extends Record<string, BindingDecl>> = { [K in keyof B]: BufferView };

const declared = new Map<string, KernelDecl>();

export function defineKernel<const P extends Record<string, ParamType>, const B extends Record<string, BindingDecl>>(file: string, params: P, bindings: B): KernelDecl<P, B> {
  if (declared.has(file)) throw new Error(`defineKernel: '${file}' is declared twice`);
  const names = Object.keys(params);
  names.forEach((n, i) => {
    if (params[n] === 'u32[]' && i !== names.length - 1) throw new Error(`defineKernel ${file}: the array parameter '${n}' must be the last`);
  });
  const members = names.length ? names.map((n) => `${n}: ${params[n] === 'u32[]' ? 'array<u32>' : params[n]},`).join(' ') : '_unused: u32,';
  const vars = Object.entries(bindings).map(([n, b], i) => {
    const [access, ...type] = b.split(' ');
    return `@group(0) @binding(${i + 1}) var<storage, ${access}> ${n}: array<${type.join(' ')}>;`;
  });
  const prelude = [`// ---- declared in TypeScript (src/kernel.ts): parameters and bindings`, `struct Params { ${members} }`, '@group(0) @binding(0) var<storage, read> params: Params;', ...vars, ''].join('\n');
  const decl = { file, params, bindings, prelude, paramNames: names, paramTypes: names.map((n) => params[n]), bindingNames: Object.keys(bindings) };
  declared.set(file, decl);
  return decl;
}

/** The declaration of a kernel file, if it has one (the runtime prepends its prelude). */
export function kernelDecl(file: string): KernelDecl | undefined {
  return declared.get(file);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** How many 32-bit words the parameter values take (an empty array still takes one: it must bind). */
export function paramWordCount<P extends Record<string, ParamType>>(k: KernelDecl<P>, values: ParamValues<P>): number {
  const types = k.paramTypes;
  const last = types.length - 1;
  if (last < 0) return 1;
  if (types[last] !== 'u32[]') return types.length;
  return last + Math.max(1, (values[k.paramNames[last]] as readonly number[]).length);
}

/** Packs parameter values in declaration order into out[at...] (one 32-bit word each; an array's words
 * at the end). Writes straight into the runtime's params arena: no per-dispatch arrays on the hot path. */
export function packParamsInto<P extends Record<string, ParamType>>(k: KernelDecl<P>, values: ParamValues<P>, out: Uint32Array, at: number): void {
  const names = k.paramNames;
  const types = k.paramTypes;
  if (!names.length) out[at] = 0;
  for (let i = 0; i < names.length; i++) {
    const v = values[names[i]] as number | readonly number[];
    switch (types[i]) {
      case 'u32':
        out[at++] = (v as number) >>> 0;
        break;
      case 'i32':
        out[at++] = ((v as number) | 0) >>> 0;
        break;
      case 'f32':
        f32[0] = v as number;
        out[at++] = u32[0];
        break;
      default: {
        const xs = v as readonly number[];
        for (let j = 0; j < xs.length; j++) out[at++] = xs[j] >>> 0;
        if (!xs.length) out[at++] = 0; // a runtime-sized array binds at least one element
      }
    }
  }
}

/** The packed words of parameter values, as a fresh array (compiled steps re-pack refreshed values). */
export function packParams<P extends Record<string, ParamType>>(k: KernelDecl<P>, values: ParamValues<P>): Uint32Array {
  const out = new Uint32Array(paramWordCount(k, values));
  packParamsInto(k, values, out, 0);
  return out;
}
