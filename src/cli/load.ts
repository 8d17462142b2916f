// User files the command loads (--import, --module): ES modules, or TypeScript bundled by esbuild first.
// Wherever the file lives, its `import 'rootgrad'` is this running rootgrad (the same Tensor class, the
// same registries of defineOp and defineRowLoss): a module-resolution hook answers 'rootgrad' with a
// small module that re-exports the library this command runs on, so nothing needs linking or installing.
import { existsSync, rmSync } from 'node:fs';
import { register } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as library from '../node.js';
import { UsageError } from './flags.js';

const KEY = 'rootgrad.library';
let hooked = false;

/** Makes `import 'rootgrad'` (from any file loaded after this) resolve to the running library. */
export function shareRootgrad(): void {
  if (hooked) return;
  hooked = true;
  (globalThis as Record<symbol, unknown>)[Symbol.for(KEY)] = library;
  const names = Object.keys(library).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default');
  const shim = `const m = globalThis[Symbol.for(${JSON.stringify(KEY)})];\nexport const { ${names.join(', ')} } = m;\nexport default m;\n`;
  const hooks = `let url;
export async function initialize(data) { url = data.url; }
export async function resolve(specifier, context, next) {
  if (specifier === 'rootgrad') return { url, shortCircuit: true };
  return next(specifier, context);
}`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { url: `data:text/javascript,${encodeURIComponent(shim)}` } });
}

/** Imports a user's file: .js/.mjs as is; .ts/.mts bundled by esbuild next to it first ('rootgrad' left as
 * an import, answered by the hook). `flag` names the option in errors, e.g. '--import'. */
export async function loadUserFile(cmd: string, flag: string, file: string): Promise<Record<string, unknown>> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`rootgrad ${cmd}: ${flag} ${file}: no such file`);
  shareRootgrad();
  if (!/\.(ts|mts)$/.test(path)) return import(pathToFileURL(path).href);
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new UsageError(`rootgrad ${cmd}: ${flag} ${file} is TypeScript and esbuild is not installed; install it (npm i -D esbuild) or give a .js file`);
  }
  const out = join(dirname(path), `.${basename(path).replace(/\.m?ts$/, '')}.rootgrad-${process.pid}.mjs`);
  try {
    await esbuild.build({ entryPoints: [path], outfile: out, bundle: true, format: 'esm', platform: 'node', packages: 'external', logLevel: 'error' });
    return await import(pathToFileURL(out).href);
  } finally {
    rmSync(out, { force: true });
  }
}

/** Pulls every `--import FILE` (also `--import=FILE`) out of argv: the files, and the other arguments. */
export function takeImports(argv: string[]): { imports: string[]; rest: string[] } {
  const imports: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--import') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError('rootgrad: --import needs a file (an ES module, or .ts with esbuild)');
      imports.push(v);
    } else if (a.startsWith('--import=')) imports.push(a.slice('--import='.length));
    else rest.push(a);
  }
  return { imports, rest };
}
