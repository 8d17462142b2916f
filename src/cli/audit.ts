// rootgrad audit: every registered op, loss and model (and ops made with defineOp), autograd on the GPU
// against central finite differences of the float64 reference backend, at seeded random shapes.
import { init } from '../gpu.js';
import { writeFileAtomic } from '../io/files.js';
import { auditNames, runAudit } from '../../models/audit.js'; // with the whole-model rows
import { AUDIT_CRITERION, AUDIT_TOLERANCE, auditHtml, auditMarkdown, checkedText } from '../audit.js';
import { FULL_CHECK_LIMIT } from '../gradcheck.js';
import { adapterLine } from './common.js';
import { loadUserFile } from './load.js';
import { auditModule, moduleAuditHtml, moduleAuditMarkdown, moduleAuditText } from '../audit-module.js';
import { Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';
import { basename } from 'node:path';
import { parseFlags, usage, UsageError, type Flags } from './flags.js';

export const auditFlags: Flags = {
  cases: { kind: 'int', help: 'random cases (shapes and values) per op (default 3)', min: 1 },
  seed: { kind: 'int', help: 'seed of the cases, of the sampled elements and of the random directions (default 0)', min: 0 },
  only: { kind: 'string', help: 'comma-separated name fragments to audit, e.g. rooted,attention or a defineRowLoss loss by name' },
  json: { kind: 'string', help: 'also write the table as JSON to this file' },
  order: { kind: 'int', help: '2: also check second derivatives (double backward against float64 second differences) of every op that has them', min: 1 },
  forward: { kind: 'bool', help: 'also check forward mode (jvp against float64 central differences)' },
  'all-variants': { kind: 'bool', help: "check every kernel variant (each family's CPU-like and GPU kernels forced in turn), not only this adapter's defaults" },
  module: { kind: 'string', help: "audit your own model: a .js/.mjs file (or .ts, with esbuild installed) exporting { model, loss, batch } (see --export)" },
  export: { kind: 'string', help: "with --module: the export that holds { model, loss, batch } (default: default); model and batch may be functions that make them" },
  report: { kind: 'string', help: 'write the report: FILE.html (the table, a chart of each error against its tolerance, the cases) or FILE.md' },
  full: { kind: 'bool', help: 'with --module: check every element of every parameter (default: fast mode above 10,000 parameters)' },
  example: { kind: 'bool', help: 'include the examples\' own losses (examples/label-smoothed-rooted.ts, examples/smoothed-rooted-row-loss.ts)' },
};

export const AUDIT_HELP = usage('audit', auditFlags, `Gradient audit: every registered op, loss (one row per row loss and fused strategy) and model, and ops made
with defineOp, autograd on the GPU against central finite differences of the float64 reference backend, at
seeded random shapes; each forward value against the reference too. Exit code 1 on any failure.
Per element: |a_i - n_i| <= atol_i + rtol |n_i|, atol_i = atol + kappa rho (S + |n_i|) (atol 1e-5, rtol 5e-3,
kappa 64, rho: float32's spread from float64 on that case, S: max |n| of the input); every element of inputs
up to ${FULL_CHECK_LIMIT} elements, a seeded sample plus a random direction above.`);

const sci = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : String(v));

export async function auditCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(AUDIT_HELP);
    return 0;
  }
  const f = parseFlags('audit', argv, auditFlags);
  if (f.order !== undefined && f.order !== 1 && f.order !== 2) throw new UsageError(`rootgrad audit: --order is 1 or 2, got ${f.order}`);
  if (f.report && !/\.(md|html?)$/i.test(f.report as string)) throw new UsageError(`rootgrad audit: --report writes FILE.html or FILE.md, got '${f.report}'`);
  if (f.module) return auditModuleCommand(f.module as string, (f.export as string) ?? 'default', f);
  for (const flag of ['export', 'full']) if (flag in f) throw new UsageError(`rootgrad audit: --${flag} goes with --module FILE`);
  if (f.example) {
    await import('../../examples/label-smoothed-rooted.js');
    await import('../../examples/smoothed-rooted-row-loss.js'); // a defineRowLoss loss: audited through rowLoss and linearLoss
  }
  const info = await init();
  const t0 = performance.now();
  const w = 38;
  console.log(`criterion: ${AUDIT_CRITERION}`);
  const header = `${'name'.padEnd(w)} ${'cases'.padStart(5)} ${'checked'.padStart(12)} ${'max abs error'.padStart(13)} ${'error/bound'.padStart(11)}  status`;
  console.log(header);
  console.log('-'.repeat(header.length));
  const seed = (f.seed as number) ?? 0;
  const cases = (f.cases as number) ?? 3;
  const rows = await runAudit({
    cases,
    seed,
    only: f.only ? (f.only as string).split(',').map((x) => x.trim()).filter(Boolean) : undefined,
    order: f.order === 2 ? 2 : 1,
    forward: !!f.forward,
    allVariants: !!f['all-variants'],
    onRow: (r) =>
      console.log(r.skipped ? `${r.name.padEnd(w)} ${'-'.padStart(5)} ${''.padStart(12)} ${''.padStart(13)} ${''.padStart(11)}  n/a: ${r.skipped}` : `${r.name.padEnd(w)} ${String(r.cases).padStart(5)} ${checkedText(r).padStart(12)} ${sci(r.maxAbsError).padStart(13)} ${sci(r.worstRatio).padStart(11)}  ${r.pass ? 'pass' : 'FAIL'}`),
  });
  const failed = rows.filter((r) => !r.pass);
  for (const r of failed) for (const msg of r.failures) console.log(`  ${r.name}: ${msg}`);
  if (!rows.length) throw new UsageError(`rootgrad audit: --only ${f.only} matches nothing (names: ${auditNames().join(', ')})`);
  const skipped = rows.filter((r) => r.skipped).length;
  if (skipped) console.log(`${skipped} listed as not applicable (the reason beside each)`);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`${rows.length - failed.length - skipped}/${rows.length - skipped} passed in ${seconds.toFixed(1)} s`);
  const meta = { seed, cases, seconds, adapter: adapterLine(info) };
  if (f.json) writeFileAtomic(f.json as string, JSON.stringify({ criterion: AUDIT_CRITERION, tolerance: AUDIT_TOLERANCE, fullCheckLimit: FULL_CHECK_LIMIT, ...meta, rows }, null, 2) + '\n');
  if (f.report) writeFileAtomic(f.report as string, /\.md$/i.test(f.report as string) ? auditMarkdown(rows, meta) : auditHtml(rows, meta));
  return failed.length ? 1 : 0;
}

async function auditModuleCommand(file: string, name: string, f: Record<string, unknown>): Promise<number> {
  if (f.cases !== undefined) throw new UsageError('rootgrad audit: --cases draws random shapes of the built-in ops; a --module file gives one model and one batch (use --seed to change the sampled elements and directions)');
  if (f.only !== undefined || f.example) throw new UsageError(`rootgrad audit: --${f.only !== undefined ? 'only' : 'example'} selects among the built-in ops; it does not go with --module`);
  const mod = await loadUserFile('audit', '--module', file);
  const spec = mod[name] as { model?: unknown; loss?: unknown; batch?: unknown } | undefined;
  const exports = Object.keys(mod).join(', ') || 'none';
  if (!spec || typeof spec !== 'object') throw new UsageError(`rootgrad audit: ${file} has no export '${name}' holding { model, loss, batch } (its exports: ${exports})`);
  for (const k of ['model', 'loss', 'batch'] as const) if (!(k in spec)) throw new UsageError(`rootgrad audit: ${file}: export '${name}' has no '${k}' (it needs model, loss and batch)`);
  await init();
  const model = typeof spec.model === 'function' && !(spec.model instanceof Module) ? await (spec.model as () => unknown)() : spec.model;
  if (!(model instanceof Module)) throw new UsageError(`rootgrad audit: ${file}: '${name}.model' is not a rootgrad Module (a module file imports rootgrad as 'rootgrad', the package this command belongs to)`);
  if (typeof spec.loss !== 'function') throw new UsageError(`rootgrad audit: ${file}: '${name}.loss' must be a function (model, batch) => loss tensor`);
  const batch = typeof spec.batch === 'function' ? await (spec.batch as () => unknown)() : spec.batch;
  const audit = await auditModule(model, spec.loss as (m: Module, b: unknown) => Tensor, batch, {
    ...(f.full ? { fastMode: false } : {}),
    ...(f.seed !== undefined ? { seed: f.seed as number } : {}),
    ...(f.order === 2 ? { order: 2 as const } : {}),
    ...(f.forward ? { forward: true } : {}),
    ...(f['all-variants'] ? { allVariants: true } : {}),
  });
  console.log(moduleAuditText(audit));
  if (f.report) writeFileAtomic(f.report as string, /\.md$/i.test(f.report as string) ? moduleAuditMarkdown(audit) : moduleAuditHtml(audit, `${basename(file)}: ${name}`));
  if (f.json) writeFileAtomic(f.json as string, JSON.stringify(audit, null, 2) + '\n');
  return audit.pass ? 0 : 1;
}
