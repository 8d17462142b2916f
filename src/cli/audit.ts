// rootgrad audit: every registered op, loss and model (and ops made with defineOp), autograd on the GPU
// against central finite differences of the float64 reference backend, at seeded random shapes.
import { init } from '../gpu.js';
import { writeFileAtomic } from '../io/files.js';
import { runAudit } from '../audit.js';
import { parseFlags, usage, UsageError, type Flags } from './flags.js';

export const auditFlags: Flags = {
  cases: { kind: 'int', help: 'random cases (shapes and values) per op (default 3)', min: 1 },
  seed: { kind: 'int', help: 'seed of the cases (default 0)', min: 0 },
  only: { kind: 'string', help: 'comma-separated name fragments to audit, e.g. rooted,attention' },
  json: { kind: 'string', help: 'also write the table as JSON to this file' },
  order: { kind: 'int', help: '2: also check second derivatives (double backward against float64 second differences) of every op that has them', min: 1 },
  forward: { kind: 'bool', help: 'also check forward mode (jvp against float64 central differences)' },
  example: { kind: 'bool', help: 'include the examples\' own losses (examples/label-smoothed-rooted.ts, examples/smoothed-rooted-row-loss.ts)' },
};

export const AUDIT_HELP = usage('audit', auditFlags, 'Gradient audit: every registered op, loss and model (and ops made with defineOp), autograd on the GPU against\ncentral finite differences of the float64 reference backend, at seeded random shapes. Exit code 1 on any failure.');

export async function auditCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(AUDIT_HELP);
    return 0;
  }
  const f = parseFlags('audit', argv, auditFlags);
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
