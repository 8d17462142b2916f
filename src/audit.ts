// The gradient audit behind `rootgrad audit`: gradcheck over every primitive of the op table, every
// loss, every model and every op added with defineOp, at several seeded random shapes. The case table is
// typed by Primitive, so a new primitive without an audit case does not compile.
import { Generator, manualSeed } from './random.js';
import { checkForward, checkValue, criterionText, FULL_CHECK_LIMIT, gradcheck, gradgradcheck, type InputReport, type ValueReport } from './gradcheck.js';
import { checkOptions } from './options.js';
import { ratioChart } from './audit-module.js';
import type { HigherOrder } from './ops/higher_order.js';
import { higherOrder } from './ops/table.js';
import type { Primitive } from './ops/def.js';
import type { Tensor } from './tensor.js';
import { customOps } from './custom.js';
import { rowLossNames } from './ops/linear_losses.js';
import { binaryAuditCases } from './ops/binary.audit.js';
import { castAuditCases } from './ops/cast.audit.js';
import { convAuditCases } from './ops/conv.audit.js';
import { convTransposeAuditCases } from './ops/conv_transpose.audit.js';
import { dropoutAuditCases } from './ops/dropout.audit.js';
import { gatherAuditCases } from './ops/gather.audit.js';
import { indexingAuditCases } from './ops/indexing.audit.js';
import { joiningAuditCases } from './ops/joining.audit.js';
import { linearLossAuditCases } from './ops/linear_losses.audit.js';
import { lossAuditCases } from './ops/losses.audit.js';
import { maskAuditCases } from './ops/masks.audit.js';
import { linearAuditCases, matmulAuditCases } from './ops/matmul.audit.js';
import { movementAuditCases } from './ops/movement.audit.js';
import { normalizationAuditCases } from './ops/normalization.audit.js';
import { poolingAuditCases } from './ops/pooling.audit.js';
import { randomAuditCases } from './ops/random.audit.js';
import { reduceAuditCases } from './ops/reduce.audit.js';
import { resizeAuditCases } from './ops/resize.audit.js';
import { scatterAuditCases } from './ops/scatter.audit.js';
import { softmaxAuditCases } from './ops/softmax.audit.js';
import { transformerAuditCases } from './ops/transformer.audit.js';
import { unaryAuditCases } from './ops/unary.audit.js';

export { rnd, labels, rowLossCase, linearLossCase, type AuditCase, type Sampler } from './ops/audit_cases.js';
import { linearLossCase, rowLossCase, type Sampler } from './ops/audit_cases.js';

/** One case per primitive, gathered from the families' files in the op table's order; `custom` is audited once
 * per op made with defineOp, with that op's own sample. */
export const primitiveCases: Record<Exclude<Primitive, 'custom'>, Sampler> = /* @__PURE__ */ (() => ({
  ...unaryAuditCases(),
  ...binaryAuditCases(),
  ...reduceAuditCases(),
  ...movementAuditCases(),
  ...matmulAuditCases(),
  ...linearAuditCases(),
  ...softmaxAuditCases(),
  ...gatherAuditCases(),
  ...castAuditCases(),
  ...lossAuditCases(),
  ...linearLossAuditCases(),
  ...transformerAuditCases(),
  ...dropoutAuditCases(),
  ...joiningAuditCases(),
  ...maskAuditCases(),
  ...indexingAuditCases(),
  ...randomAuditCases(),
  ...convAuditCases(),
  ...poolingAuditCases(),
  ...normalizationAuditCases(),
  ...scatterAuditCases(),
  ...resizeAuditCases(),
  ...convTransposeAuditCases(),
}))();

/** Whole models: a loss of the model's output with respect to all its parameters (a sample of each). The
 * models sit above the core (src/ never imports models/: test/layers.test.ts), so their cases are registered
 * here by models/audit.ts, whose runAudit the entries and the command export. */
export const modelCases: Record<string, Sampler> = {};

/** Adds a whole-model audit row (models/audit.ts); a name is registered once. */
export function registerModelCase(name: string, sampler: Sampler): void {
  if (name in modelCases) throw new Error(`registerModelCase: '${name}' is registered twice`);
  modelCases[name] = sampler;
}

export interface AuditInputCheck {
  input: string;
  shape: number[];
  elements: number;
  /** Elements compared one by one (gradgrad and jvp: 0, they check random directions). */
  checked: number;
  /** Whether a random direction over every element was checked too. */
  directional: boolean;
}

/** What one case checked: its inputs (shapes, elements checked) and its attributes. */
export interface AuditCaseDetail {
  case: number;
  inputs: AuditInputCheck[];
  attrs?: Record<string, unknown>;
}

export interface AuditRow {
  name: string;
  /** What was checked: 'grad' (first order), 'gradgrad' (second order), 'jvp' (forward mode). */
  check?: 'grad' | 'gradgrad' | 'jvp';
  /** Not applicable, with the reason (an op that is not twice differentiable here): listed, not failed. */
  skipped?: string;
  cases: number;
  maxAbsError: number;
  /** max |a - n| / max |n| per input (a scale-relative figure; the criterion is per element). */
  maxRelError: number;
  /** The largest error / bound over every checked element, value and direction (<= 1 passes). */
  worstRatio: number;
  /** The largest |GPU - float64 reference| of the forward value (and of any other path compared). */
  maxValueError: number;
  /** Elements compared one by one, and the elements of the inputs, over every case. */
  checked: number;
  elements: number;
  pass: boolean;
  failures: string[];
  details: AuditCaseDetail[];
}

/** The settings every gradient row of the audit is held to (gradcheck's defaults). */
export const AUDIT_TOLERANCE = { eps: 1e-6, atol: 1e-5, rtol: 5e-3, kappa: 64, valueRtol: 1e-4 };
export const AUDIT_CRITERION = `${criterionText(AUDIT_TOLERANCE)}. Every element of each input up to ${FULL_CHECK_LIMIT} elements; above, a seeded sample of ${FULL_CHECK_LIMIT} plus a random direction over all. Order 2: v^T H u by double backward against float64 second differences (atol 1e-4, rtol 1e-2). Forward mode: jvp against float64 central differences (atol 1e-5, rtol 2e-3 of the largest).`;

const sci = (v: number) => (Number.isFinite(v) ? v.toExponential(3) : String(v));
const at = (coords: number[]) => `[${coords.join(', ')}]`;

/** A failing input in words: where, both values, the bound. */
function inputFailure(c: number, i: InputReport): string {
  const head = `case ${c}, ${i.input} ${at(i.shape)}${i.variant ? ` with kernels ${i.variant}` : ''}`;
  const parts: string[] = [];
  if (i.failed && i.worst) {
    const w = i.worst;
    parts.push(`${i.failed} of ${i.checked} elements over their bound; worst at ${at(w.coords)}: autograd ${sci(w.autograd)}, reference ${sci(w.reference)}, |diff| ${sci(Math.abs(w.autograd - w.reference))} > bound ${sci(w.bound)}`);
  }
  const d = i.directional;
  if (d && !d.pass) parts.push(`along a random direction: autograd ${sci(d.autograd)}, reference ${sci(d.finiteDifference)}, |diff| ${sci(Math.abs(d.autograd - d.finiteDifference))} > bound ${sci(d.bound)}`);
  return `${head}: ${parts.join('; ')}`;
}

function valueFailure(c: number, what: string, v: ValueReport): string {
  const w = v.worst;
  return `case ${c}: ${what} at ${at(w.coords)}: ${sci(w.autograd)} on the GPU, ${sci(w.reference)} by the float64 reference, |diff| ${sci(Math.abs(w.autograd - w.reference))} > bound ${sci(w.bound)} (${v.failed} of ${v.elements} elements)`;
}

interface Entry {
  name: string;
  primitive?: Primitive;
  sampler: Sampler;
}

/** Every audited function by name: the primitives, one row per registered row loss (and per fused linear
 * strategy), the models and every defineOp op. */
function entries(): Entry[] {
  const out: Entry[] = [];
  const names = rowLossNames();
  for (const [p, sampler] of Object.entries(primitiveCases) as [Primitive, Sampler][]) {
    if (p === 'rowLoss') for (const n of names) out.push({ name: `rowLoss: ${n}`, primitive: p, sampler: rowLossCase(n) });
    else if (p === 'linearLoss') for (const n of names) for (const st of ['chunked', 'tiled'] as const) out.push({ name: `linearLoss: ${n} (${st})`, primitive: p, sampler: linearLossCase(n, st) });
    else out.push({ name: p, primitive: p, sampler });
  }
  for (const [name, sampler] of Object.entries(modelCases)) out.push({ name, sampler });
  for (const [name, op] of customOps.entries())
    out.push({
      name: `custom: ${name}`,
      primitive: 'custom',
      sampler: (g) => {
        const { inputs, attrs } = op.spec.sample(g);
        const grads = op.spec.gradients ?? op.spec.inputs.map((d, i) => (d === 'f32' ? i : -1)).filter((i) => i >= 0);
        const named = Object.fromEntries(grads.map((i) => [`input ${i}`, inputs[i]]));
        return { inputs: named, fn: (...xs) => op(inputs.map((t, i) => (grads.includes(i) ? xs[grads.indexOf(i)] : t)), attrs), ...(attrs && Object.keys(attrs).length ? { attrs } : {}) };
      },
    });
  return out;
}

/** The names of the audit's rows (what --only matches against). */
export const auditNames = (): string[] => entries().map((e) => e.name);

export interface AuditOptions {
  seed?: number;
  cases?: number;
  /** Name fragments: a row runs when its name contains one. */
  only?: string[];
  onRow?: (r: AuditRow) => void;
  order?: 1 | 2;
  forward?: boolean;
  allVariants?: boolean;
}

/** Runs the audit; `only` filters by name substring. */
export async function runAudit(opts: AuditOptions = {}): Promise<AuditRow[]> {
  checkOptions('runAudit', opts, ['seed', 'cases', 'only', 'onRow', 'order', 'forward', 'allVariants']);
  const { seed = 0, cases = 3, only } = opts;
  const checks: NonNullable<AuditRow['check']>[] = ['grad', ...(opts.order === 2 ? (['gradgrad'] as const) : []), ...(opts.forward ? (['jvp'] as const) : [])];
  const all = entries();
  const rows: AuditRow[] = [];
  for (const check of checks)
    for (const { name, primitive, sampler } of all) {
      if (only && !only.some((o) => name.includes(o))) continue;
      const row: AuditRow = { name: check === 'grad' ? name : `${name} (${check})`, check, cases: 0, maxAbsError: 0, maxRelError: 0, worstRatio: 0, maxValueError: 0, checked: 0, elements: 0, pass: true, failures: [], details: [] };
      const rule = primitive ? (higherOrder[primitive] as HigherOrder<unknown> | undefined) : undefined;
      if (check !== 'grad' && (primitive === 'custom' || (rule && 'none' in rule))) {
        row.skipped = rule && 'none' in rule ? rule.none : "a defineOp op's backward is its own kernel, which has no derivative";
        rows.push(row);
        opts.onRow?.(row);
        continue;
      }
      const unsupported: string[] = [];
      for (let c = 0; c < cases; c++) {
        const caseSeed = seed * 1000 + c;
        const g = new Generator(caseSeed);
        manualSeed(caseSeed);
        let tensors: Tensor[] = [];
        try {
          const cs = sampler(g);
          tensors = Object.values(cs.inputs);
          const detail: AuditCaseDetail = { case: c, inputs: Object.entries(cs.inputs).map(([input, t]) => ({ input, shape: [...t.shape], elements: t.size, checked: 0, directional: check !== 'grad' })), ...(cs.attrs ? { attrs: cs.attrs } : {}) };
          row.details.push(detail);
          for (const i of detail.inputs) row.elements += i.elements;
          if (check === 'grad') {
            const r = await gradcheck(cs.fn, cs.inputs, { ...(cs.samples ? { samples: cs.samples } : {}), seed: caseSeed, allVariants: opts.allVariants });
            for (const i of r.inputs) {
              if (!i.variant || i.variant === r.inputs[0].variant) {
                const d = detail.inputs.find((x) => x.input === i.input)!;
                d.checked = i.checked;
                d.directional = !!i.directional;
                row.checked += i.checked;
              }
              row.maxAbsError = Math.max(row.maxAbsError, i.maxAbsError);
              row.maxRelError = Math.max(row.maxRelError, i.maxRelError);
              if (i.worst) row.worstRatio = Math.max(row.worstRatio, Math.abs(i.worst.autograd - i.worst.reference) / i.worst.bound);
              if (i.directional) row.worstRatio = Math.max(row.worstRatio, Math.abs(i.directional.autograd - i.directional.finiteDifference) / i.directional.bound);
              if (!i.pass) row.failures.push(inputFailure(c, i));
            }
            row.maxValueError = Math.max(row.maxValueError, r.value.maxAbsError);
            row.worstRatio = Math.max(row.worstRatio, Math.abs(r.value.worst.autograd - r.value.worst.reference) / r.value.worst.bound);
            if (!r.value.pass) row.failures.push(valueFailure(c, 'forward value', r.value));
            for (const other of cs.compare ?? []) {
              const v = await checkValue(other.fn, cs.fn, cs.inputs, { atol: AUDIT_TOLERANCE.atol, valueRtol: AUDIT_TOLERANCE.valueRtol, kappa: AUDIT_TOLERANCE.kappa });
              row.maxValueError = Math.max(row.maxValueError, v.maxAbsError);
              if (!v.pass) row.failures.push(valueFailure(c, `forward value of ${other.label}`, v));
            }
            if (r.deterministic === false) row.failures.push(`case ${c}: a second backward gave different bits`);
          } else if (check === 'gradgrad') {
            const r = await gradgradcheck(cs.fn, cs.inputs, { directions: 1, seed: c });
            for (const k of r.checks) {
              row.maxAbsError = Math.max(row.maxAbsError, k.error);
              row.maxRelError = Math.max(row.maxRelError, k.error / Math.max(Math.abs(k.finiteDifference), 1e-4));
              row.worstRatio = Math.max(row.worstRatio, k.error / k.bound);
              if (!k.pass) row.failures.push(`case ${c}: v^T H u ${k.autograd.toExponential(4)} by double backward, ${k.finiteDifference.toExponential(4)} by float64 second differences, |diff| ${sci(k.error)} > bound ${sci(k.bound)}`);
            }
          } else {
            const r = await checkForward(cs.fn, cs.inputs, { seed: c });
            row.maxAbsError = Math.max(row.maxAbsError, r.maxAbsError);
            row.maxRelError = Math.max(row.maxRelError, r.maxAbsError / Math.max(r.scale, 1e-5));
            row.worstRatio = Math.max(row.worstRatio, r.maxAbsError / r.bound);
            if (!r.pass) row.failures.push(`case ${c}: jvp off by ${r.maxAbsError.toExponential(2)} at output ${at(r.worst.coords)} (jvp ${sci(r.worst.autograd)}, float64 ${sci(r.worst.reference)}; bound ${sci(r.bound)})`);
          }
        } catch (e) {
          const msg = (e as Error).message;
          // a model through an op without a recorded backward: listed with that op's reason
          if (check !== 'grad' && /cannot record its backward/.test(msg)) unsupported.push(msg);
          else row.failures.push(`case ${c}: ${msg}`);
        }
        for (const t of tensors) t.dispose();
        row.cases++;
      }
      // listed as not applicable when no case had a rule; otherwise the cases that had one count
      if (unsupported.length === row.cases) row.skipped = unsupported[0];
      else row.cases -= unsupported.length;
      row.pass = row.failures.length === 0;
      rows.push(row);
      opts.onRow?.(row);
    }
  return rows;
}

/** "all 341" or "1200 of 9000 (+ a random direction)": the elements a row compared one by one. */
export function checkedText(r: AuditRow): string {
  if (r.check && r.check !== 'grad') return 'directions';
  const dir = r.details.some((d) => d.inputs.some((i) => i.directional && i.checked < i.elements));
  return r.checked === r.elements ? `all ${r.elements}` : `${r.checked}/${r.elements}${dir ? '+dir' : ''}`;
}

/** One line per case: its inputs' shapes and elements checked, and its attributes. */
export function caseText(d: AuditCaseDetail): string {
  const ins = d.inputs.map((i) => `${i.input} ${at(i.shape)} ${i.checked}/${i.elements}${i.directional ? ' +direction' : ''}`).join(', ');
  const attrs = d.attrs ? Object.entries(d.attrs).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ') : '';
  return `case ${d.case}: ${ins}${attrs ? `; ${attrs}` : ''}`;
}

const escHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The audit as markdown: the criterion and its values, one table row per audited function, the cases
 * (shapes, attributes, elements checked) and every failure. */
export function auditMarkdown(rows: AuditRow[], meta: { seed: number; cases: number; seconds?: number; adapter?: string }): string {
  const live = rows.filter((r) => !r.skipped);
  const failed = live.filter((r) => !r.pass);
  const out = [
    `# rootgrad audit`,
    '',
    `${live.length - failed.length}/${live.length} passed (seed ${meta.seed}, ${meta.cases} cases per row${meta.seconds === undefined ? '' : `, ${meta.seconds.toFixed(1)} s`}${meta.adapter ? `, on ${meta.adapter}` : ''}).`,
    '',
    `Criterion: ${AUDIT_CRITERION}`,
    '',
    '| name | cases | elements checked | max abs error | max rel error | worst error / bound | max value error | status |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => (r.skipped ? `| ${r.name} | - | - | - | - | - | - | n/a: ${r.skipped} |` : `| ${r.name} | ${r.cases} | ${checkedText(r)} | ${sci(r.maxAbsError)} | ${sci(r.maxRelError)} | ${sci(r.worstRatio)} | ${sci(r.maxValueError)} | ${r.pass ? 'pass' : '**FAIL**'} |`)),
    '',
    '## Cases',
    '',
    ...live.flatMap((r) => [`- **${r.name}**`, ...r.details.map((d) => `  - ${caseText(d)}`)]),
  ];
  if (failed.length) out.push('', '## Failures', '', ...failed.flatMap((r) => r.failures.map((f) => `- ${r.name}: ${f}`)));
  return out.join('\n') + '\n';
}

/** A standalone page: the criterion, a chart of each row's worst error / bound (log scale, the tolerance
 * drawn at 1) and the markdown's table. */
export function auditHtml(rows: AuditRow[], meta: { seed: number; cases: number; seconds?: number; adapter?: string }): string {
  const live = rows.filter((r) => !r.skipped);
  const chart = ratioChart(live.map((r) => ({ label: r.name, ratio: r.worstRatio, pass: r.pass })), 'worst |autograd - reference| / bound per row (log scale; the bound is the tolerance, at 1)');
  const table = rows.map((r) => `<tr class="${r.pass ? '' : 'fail'}"><td>${escHtml(r.name)}</td><td>${r.skipped ? '-' : r.cases}</td><td>${r.skipped ? '-' : checkedText(r)}</td><td>${r.skipped ? '-' : sci(r.maxAbsError)}</td><td>${r.skipped ? '-' : sci(r.worstRatio)}</td><td>${r.skipped ? '-' : sci(r.maxValueError)}</td><td>${r.skipped ? `n/a: ${escHtml(r.skipped)}` : r.pass ? 'pass' : 'FAIL'}</td></tr>`);
  const cases = live.map((r) => `<details><summary>${escHtml(r.name)}</summary><ul>${r.details.map((d) => `<li>${escHtml(caseText(d))}</li>`).join('')}${r.failures.map((f) => `<li class="fail">${escHtml(f)}</li>`).join('')}</ul></details>`);
  const failed = live.filter((r) => !r.pass).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rootgrad audit</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child,th:first-child{text-align:left}tr.fail,li.fail{background:#fdd}</style>
</head><body>
<h1 style="font-size:1.2rem">rootgrad audit</h1>
<p>${live.length - failed}/${live.length} passed (seed ${meta.seed}, ${meta.cases} cases per row${meta.seconds === undefined ? '' : `, ${meta.seconds.toFixed(1)} s`}${meta.adapter ? `, on ${escHtml(meta.adapter)}` : ''}).</p>
<p>Criterion: ${escHtml(AUDIT_CRITERION)}</p>
${chart}
<table><tr><th>name</th><th>cases</th><th>elements checked</th><th>max abs error</th><th>worst error / bound</th><th>max value error</th><th>status</th></tr>
${table.join('\n')}
</table>
<h2 style="font-size:1rem">Cases</h2>
${cases.join('\n')}
</body></html>
`;
}
