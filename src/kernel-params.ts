// Kernel parameter layout: the declaration record of a WGSL kernel (its parameters and bindings), the
// registry of declarations, and the packing of parameter values into 32-bit words. This is the contract
// between a kernel and the runtime, so it sits below both: src/runtime.ts reads declarations and packs
// parameters from here, and src/kernel.ts (defineKernel, which the ops call) builds and registers them.
// Keeping it apart keeps the runtime from importing the kernel layer (test/layers.test.ts checks that).
import type { BufferView } from './dispatch-types.js';

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

/** Records a kernel's declaration (defineKernel in src/kernel.ts builds it); a file is declared once. */
export function registerKernelDecl(decl: KernelDecl): void {
  if (declared.has(decl.file)) throw new Error(`defineKernel: '${decl.file}' is declared twice`);
  declared.set(decl.file, decl);
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
