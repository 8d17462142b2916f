// The WGSL the runtime compiles, by file name. A kernel's file is a module (`import f from
// '../../shaders/x.wgsl'`, made at build time by scripts/shader-registry.mjs) that its op registers through
// defineKernel, with the helper files it includes; so a bundle carries only the kernels of the ops it
// uses. `#include "x.wgsl"` pulls in a registered file once; `{{NAME}}` is replaced by a define given at
// pipeline creation (an expression, a bool, a type, or the name of a registered file to include).
// defineOp, defineRowLoss and the fuser add generated files by name (registerShader).

/** A WGSL file as a module: its name (without .wgsl), its text, and the files its `#include` lines name. */
export interface WgslFile {
  readonly name: string;
  readonly source: string;
  readonly includes: readonly WgslFile[];
}

const files = new Map<string, string>();

/** Registers a kernel file and the files it includes (again is a no-op; another text under a taken name throws). */
export function registerWgsl(file: WgslFile): void {
  const known = files.get(file.name);
  if (known === file.source) return;
  if (known !== undefined) throw new Error(`rootgrad: two different WGSL files are named '${file.name}'`);
  files.set(file.name, file.source);
  for (const inc of file.includes) registerWgsl(inc);
}

/** The names of the registered files. */
export const shaderNames = (): string[] => [...files.keys()];

/** Adds a generated kernel file at run time (defineOp, defineRowLoss, the fuser). */
export function registerShader(name: string, source: string): void {
  if (files.has(name)) throw new Error(`rootgrad: a WGSL file '${name}' already exists`);
  files.set(name, source);
}

/** The complete WGSL of a kernel file: defines substituted (in include lines too, so that a body can
 * include the file a define names), then includes resolved, each file once. */
export function wgslSource(name: string, defines: Record<string, string | number> = {}, prelude = ''): string {
  const included = new Set<string>([name]);
  const subst = (src: string) =>
    src.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
      if (!(key in defines)) throw new Error(`rootgrad: kernel '${name}' needs the define {{${key}}}`);
      return String(defines[key]);
    });
  const expand = (file: string): string => {
    const src = files.get(file);
    if (src === undefined) throw new Error(`rootgrad: no WGSL file '${file}.wgsl' is registered (kernel '${name}'; an op registers its kernels through defineKernel)`);
    return subst(src).replace(/^#include "([\w-]+)\.wgsl"\s*$/gm, (_, inc: string) => {
      if (included.has(inc)) return '';
      included.add(inc);
      return expand(inc);
    });
  };
  return subst(prelude) + expand(name);
}
