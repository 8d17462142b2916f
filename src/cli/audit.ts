// rootgrad audit: every registered op, loss and model (and ops made with defineOp), autograd on the GPU
// against central finite differences of the float64 reference backend, at seeded random shapes.
import { init } from '../gpu.js';
import { writeFileAtomic } from '../io/files.js';
import { runAudit } from '../audit.js';
import { auditModule, moduleAuditHtml, moduleAuditMarkdown, moduleAuditText } from '../audit-module.js';
import { Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseFlags, usage, UsageError, type Flags } from './flags.js';

export const auditFlags: Flags = {
  cases: { kind: 'int', help: 'random cases (shapes and values) per op (default 3)', min: 1 },
  seed: { kind: 'int', help: 'seed of the cases (default 0)', min: 0 },
  only: { kind: 'string', help: 'comma-separated name fragments to audit, e.g. rooted,attention' },
  json: { kind: 'string', help: 'also write the table as JSON to this file' },
  order: { kind: 'int', help: '2: also check second derivatives (double backward against float64 second differences) of every op that has them', min: 1 },
  forward: { kind: 'bool', help: 'also check forward mode (jvp against float64 central differences)' },
  'all-variants': { kind: 'bool', help: "check every kernel variant (each family's CPU-like and GPU kernels forced in turn), not only this adapter's defaults" },
  module: { kind: 'string', help: "audit your own model: a .js/.mjs file (or .ts, with esbuild installed) exporting { model, loss, batch } (see --export)" },
  export: { kind: 'string', help: "with --module: the export that holds { model, loss, batch } (default: default); model and batch may be functions that make them" },
  report: { kind: 'string', help: 'with --module: write the report: FILE.html (the table and a bar chart of the error per parameter) or FILE.md (a markdown table)' },
  full: { kind: 'bool', help: 'with --module: check every element of every parameter (default: fast mode above 10,000 parameters)' },
  example: { kind: 'bool', help: 'include the examples\' own losses (examples/label-smoothed-rooted.ts, examples/smoothed-rooted-row-loss.ts)' },
};

export const AUDIT_HELP = usage('audit', auditFlags, 'Gradient audit: every registered op, loss and model (and ops made with defineOp), autograd on the GPU against\ncentral finite differences of the float64 reference backend, at seeded random shapes. Exit code 1 on any failure.');

export async function auditCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(AUDIT_HELP);
    return 0;
  }
  const f = parseFlags('audit', argv, auditFlags);
  if (f.module) return auditModuleCommand(f.module as string, (f.export as string) ?? 'default', f);
  for (const flag of ['export', 'report', 'full']) if (flag in f) throw new UsageError(`rootgrad audit: --${flag} goes with --module FILE`);
  if (f.order !== undefined && f.order !== 1 && f.order !== 2) throw new UsageError(`rootgrad audit: --order is 1 or 2, got ${f.order}`);
  if (f.example) {
    await import('../../examples/label-smoothed-rooted.js');
    await import('../../examples/smoothed-rooted-row-loss.js'); // a defineRowLoss loss: audited through rowLoss and linearLoss
  }
  await init();
  const t0 = performance.now();
  const header = `${'op'.padEnd(28)} ${'cases'.padStart(5)} ${'max abs error'.padStart(14)} ${'max rel error'.padStart(14)}  status`;
  console.log(header);
  console.log('-'.repeat(header.length));
  const rows = await runAudit({
    cases: (f.cases as number) ?? 3,
    seed: (f.seed as number) ?? 0,
    only: f.only ? (f.only as string).split(',').map((x) => x.trim()).filter(Boolean) : undefined,
    order: f.order === 2 ? 2 : 1,
    forward: !!f.forward,
    allVariants: !!f['all-variants'],
    onRow: (r) =>
      console.log(r.skipped ? `${r.name.padEnd(28)} ${'-'.padStart(5)} ${''.padStart(14)} ${''.padStart(14)}  n/a: ${r.skipped}` : `${r.name.padEnd(28)} ${String(r.cases).padStart(5)} ${r.maxAbsError.toExponential(2).padStart(14)} ${r.maxRelError.toExponential(2).padStart(14)}  ${r.pass ? 'pass' : 'FAIL'}`),
  });
  const failed = rows.filter((r) => !r.pass);
  for (const r of failed) for (const msg of r.failures) console.log(`  ${r.name}: ${msg}`);
  if (!rows.length) throw new UsageError(`rootgrad audit: --only ${f.only} matches nothing`);
  const skipped = rows.filter((r) => r.skipped).length;
  if (skipped) console.log(`${skipped} listed as not applicable (the reason beside each)`);
  console.log(`${rows.length - failed.length - skipped}/${rows.length - skipped} passed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (f.json) writeFileAtomic(f.json as string, JSON.stringify({ rows }, null, 2) + '\n');
  return failed.length ? 1 : 0;
}

/** Loads a module file: .js/.mjs as is; .ts bundled by esbuild next to it first ('rootgrad' left as an
 * import, so that the file and the command share one library). */
async function loadModuleFile(file: string): Promise<Record<string, unknown>> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`rootgrad audit: --module ${file}: no such file`);
  if (!/\.(ts|mts)$/.test(path)) return import(pathToFileURL(path).href);
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new UsageError(`rootgrad audit: --module ${file} is TypeScript and esbuild is not installed; install it (npm i -D esbuild) or give a .js file`);
  }
  const out = join(dirname(path), `.${basename(path).replace(/\.m?ts$/, '')}.rootgrad-audit.mjs`);
  try {
    await esbuild.build({ entryPoints: [path], outfile: out, bundle: true, format: 'esm', platform: 'node', packages: 'external', logLevel: 'error' });
    return await import(pathToFileURL(out).href);
  } finally {
    rmSync(out, { force: true });
  }
}

async function auditModuleCommand(file: string, name: string, f: Record<string, unknown>): Promise<number> {
  const mod = await loadModuleFile(file);
  const spec = mod[name] as { model?: unknown; loss?: unknown; batch?: unknown } | undefined;
  const exports = Object.keys(mod).join(', ') || 'none';
  if (!spec || typeof spec !== 'object') throw new UsageError(`rootgrad audit: ${file} has no export '${name}' holding { model, loss, batch } (its exports: ${exports})`);
  for (const k of ['model', 'loss', 'batch'] as const) if (!(k in spec)) throw new UsageError(`rootgrad audit: ${file}: export '${name}' has no '${k}' (it needs model, loss and batch)`);
  await init();
  const model = typeof spec.model === 'function' && !(spec.model instanceof Module) ? await (spec.model as () => unknown)() : spec.model;
  if (!(model instanceof Module)) throw new UsageError(`rootgrad audit: ${file}: '${name}.model' is not a rootgrad Module (a module file imports rootgrad as 'rootgrad', the package this command belongs to)`);
  if (typeof spec.loss !== 'function') throw new UsageError(`rootgrad audit: ${file}: '${name}.loss' must be a function (model, batch) => loss tensor`);
  const batch = typeof spec.batch === 'function' ? await (spec.batch as () => unknown)() : spec.batch;
  const audit = await auditModule(model, spec.loss as (m: Module, b: unknown) => Tensor, batch, f.full ? { fastMode: false } : {});
  console.log(moduleAuditText(audit));
  if (f.report) writeFileSync(f.report as string, /\.md$/i.test(f.report as string) ? moduleAuditMarkdown(audit) : moduleAuditHtml(audit, `${basename(file)}: ${name}`));
  if (f.json) writeFileAtomic(f.json as string, JSON.stringify(audit, null, 2) + '\n');
  return audit.pass ? 0 : 1;
}
