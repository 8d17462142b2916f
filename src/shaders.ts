// Every WGSL file, inlined at build time (scripts/shader-registry.mjs makes the registry module from the
// shaders/ folder; esbuild's text loader, or a vite plugin under vitest, inlines each file), so that
// nothing reads files at run time and adding a kernel is adding its file. `#include "x.wgsl"` pulls in a shared helper file once;
// `{{NAME}}` is replaced by a define given at pipeline creation (an expression, a bool, a type).
import builtIn from 'virtual:rootgrad-shaders';

/** Every built-in kernel file (the registry is generated at build time from shaders/*.wgsl), plus defineOp's. */
const files: Record<string, string> = { ...builtIn };

export const shaderNames = (): string[] => Object.keys(files);

/** Adds a kernel file at run time (defineOp). */
export function registerShader(name: string, source: string): void {
  if (files[name] !== undefined) throw new Error(`rootgrad: a WGSL file '${name}' already exists`);
  files[name] = source;
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
    const src = files[file];
    if (src === undefined) throw new Error(`rootgrad: no WGSL file '${file}.wgsl' (kernel '${name}')`);
    return subst(src).replace(/^#include "([\w-]+)\.wgsl"\s*$/gm, (_, inc: string) => {
      if (included.has(inc)) return '';
      included.add(inc);
      return expand(inc);
    });
  };
  return subst(prelude) + expand(name);
}
