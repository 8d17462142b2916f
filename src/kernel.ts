// Kernel declarations: each WGSL kernel's parameters and bindings are declared once, here in TypeScript,
// next to the op that dispatches it. The declaration gives both sides:
// - the WGSL prelude prepended to the kernel's file: `struct Params { ... }` at @binding(0) (read as
//   `params.name`) and one `var<storage, ...>` per binding, in order from @binding(1);
// - the TypeScript types of a dispatch: `run(K, defines, { X: view(x), ... }, { n, a, b }, groups)` does
//   not compile with a missing, extra or misspelt parameter or binding, and packs the words in order.
// Kernels without a declaration (defineOp's) read raw words with pu()/pf() from raw_params.wgsl.
// The layout types, the registry and the packer live one layer down in src/kernel-params.ts (the runtime
// uses them without importing this file); they are re-exported here for the ops.
import { registerKernelDecl, type BindingDecl, type KernelDecl, type ParamType } from './kernel-params.js';
import { registerWgsl, type WgslFile } from './shaders.js';

export { kernelDecl, paramWordCount, packParamsInto, packParams, type ParamType, type BindingDecl, type KernelDecl, type ParamValues, type BindingValues } from './kernel-params.js';

/** Declares the kernel in `wgsl` (its imported file: registering it and its includes is what puts it in a
 * bundle); `uses` are the files it includes by a define (`#include "{{LOSS}}.wgsl"`), registered with it. */
export function defineKernel<const P extends Record<string, ParamType>, const B extends Record<string, BindingDecl>>(wgsl: WgslFile, params: P, bindings: B, uses: readonly WgslFile[] = []): KernelDecl<P, B> {
  registerWgsl(wgsl);
  for (const f of uses) registerWgsl(f);
  const file = wgsl.name;
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
  registerKernelDecl(decl);
  return decl;
}

/** Two parameter lists in order, as one (a spread in defineKernel's arguments would keep an unused kernel in
 * a bundle: the bundler cannot tell a spread has no side effects; call this with a pure annotation). */
export function joinParams<const A extends Record<string, ParamType>, const B extends Record<string, ParamType>>(a: A, b: B): A & B {
  return { ...a, ...b };
}
