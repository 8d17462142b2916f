// auditModule: gradcheck of a user's own model, one row per parameter (elements checked, max absolute
// error, the worst element against its bound, pass/fail), with reports as text, markdown, JSON and a
// standalone HTML page (the table, the criterion and a chart of each parameter's error against its
// tolerance). Fast mode (a random direction per parameter: two evaluations each, whatever its size) by
// default for models over 10,000 parameters; the full check (every element up to gradcheck's limit, a
// seeded sample plus a random direction above) otherwise. `order: 2` adds second directional derivatives
// (gradgradcheck), `forward: true` a jvp check, `allVariants` one row per parameter and kernel set.
import type { Tensor } from './tensor.js';
import type { AnyModule } from './nn/module.js';
import { checkForward, gradcheck, gradgradcheck, type ElementCheck, type GradcheckOptions, type Tolerance } from './gradcheck.js';
import { checkOptions } from './options.js';

export interface ModuleAuditOptions extends Pick<GradcheckOptions, 'eps' | 'atol' | 'rtol' | 'kappa' | 'seed' | 'checkNondeterminism' | 'allVariants'> {
  /** Default: true for models over 10,000 parameters. */
  fastMode?: boolean;
  /** Full mode: check at most this many elements per parameter (a seeded sample); default gradcheck's. */
  samples?: number;
  /** 2: also second directional derivatives v^T H u (double backward against float64 second differences). */
  order?: 1 | 2;
  /** Also forward mode: jvp against float64 central differences. */
  forward?: boolean;
}

export interface ModuleAuditRow {
  parameter: string;
  shape: number[];
  elements: number;
  /** Elements compared one by one (0 in fast mode). */
  checked: number;
  maxAbsError: number;
  maxRelError: number;
  /** Full mode: the element with the largest error / bound; -1 in fast mode (a direction has no index). */
  worstIndex: number;
  /** That element: coordinates, autograd's and the reference's values and its bound. */
  worst?: ElementCheck;
  /** The largest error / bound (element or direction): <= 1 passes. */
  ratio: number;
  tolerance: Tolerance;
  /** With allVariants: the kernel set. */
  variant?: string;
  pass: boolean;
}

export interface ModuleAudit {
  pass: boolean;
  mode: 'fast' | 'full';
  parameters: number;
  seconds: number;
  /** The criterion in words, with its settings. */
  criterion: string;
  rows: ModuleAuditRow[];
  /** The forward value (the loss) on the GPU against the float64 reference. */
  value: { gpu: number; reference: number; bound: number; pass: boolean };
  /** order 2: per direction pair, v^T H u by double backward and by float64 second differences. */
  secondOrder?: { autograd: number; finiteDifference: number; error: number; bound: number; pass: boolean }[];
  /** forward: jvp against float64 central differences. */
  forward?: { maxAbsError: number; bound: number; pass: boolean };
  deterministic?: boolean;
}

/** Gradcheck of lossFn(model, batch) with respect to every trainable parameter of the model. */
export async function auditModule<B>(model: AnyModule, lossFn: (model: AnyModule, batch: B) => Tensor, batch: B, opts: ModuleAuditOptions = {}): Promise<ModuleAudit> {
  checkOptions('auditModule', opts, ['eps', 'atol', 'rtol', 'kappa', 'seed', 'checkNondeterminism', 'allVariants', 'fastMode', 'samples', 'order', 'forward']);
  if (opts.order !== undefined && opts.order !== 1 && opts.order !== 2) throw new Error(`auditModule: order is 1 or 2, got ${opts.order}`);
  const params = model.namedParameters().filter(([, p]) => p.requiresGrad);
  if (!params.length) throw new Error('auditModule: the model has no trainable parameters');
  const total = params.reduce((a, [, p]) => a + p.size, 0);
  const fastMode = opts.fastMode ?? total > 10_000;
  const t0 = performance.now();
  const { order, forward, ...gc } = opts;
  const named = Object.fromEntries(params);
  const fn = () => lossFn(model, batch);
  const r = await gradcheck(fn, named, { ...gc, fastMode });
  const rows: ModuleAuditRow[] = r.inputs.map((i) => {
    const k = params.findIndex(([n]) => n === i.input);
    const ratios = [i.worst ? Math.abs(i.worst.autograd - i.worst.reference) / i.worst.bound : 0, i.directional ? Math.abs(i.directional.autograd - i.directional.finiteDifference) / i.directional.bound : 0];
    return { parameter: i.input, shape: i.shape, elements: params[k][1].size, checked: i.checked, maxAbsError: i.maxAbsError, maxRelError: i.maxRelError, worstIndex: i.worstIndex, ...(i.worst ? { worst: i.worst } : {}), ratio: Math.max(...ratios), tolerance: i.tolerance, ...(i.variant ? { variant: i.variant } : {}), pass: i.pass };
  });
  const w = r.value.worst;
  const out: ModuleAudit = { pass: r.pass, mode: fastMode ? 'fast' : 'full', parameters: total, seconds: 0, criterion: r.criterion, rows, value: { gpu: w.autograd, reference: w.reference, bound: w.bound, pass: r.value.pass }, ...(r.deterministic === undefined ? {} : { deterministic: r.deterministic }) };
  if (order === 2) {
    const g2 = await gradgradcheck(fn, named, { seed: opts.seed ?? 0 });
    out.secondOrder = g2.checks;
    out.pass &&= g2.pass;
  }
  if (forward) {
    const f = await checkForward(fn, named, { seed: opts.seed ?? 0 });
    out.forward = { maxAbsError: f.maxAbsError, bound: f.bound, pass: f.pass };
    out.pass &&= f.pass;
  }
  out.seconds = (performance.now() - t0) / 1000;
  return out;
}

const sci = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : String(v));
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const label = (r: ModuleAuditRow) => (r.variant ? `${r.parameter} (${r.variant})` : r.parameter);
const checkedOf = (r: ModuleAuditRow) => (r.checked === r.elements ? `all ${r.elements}` : `${r.checked}/${r.elements}${r.worstIndex < 0 || r.checked < r.elements ? '+dir' : ''}`);
const worstOf = (r: ModuleAuditRow) => (r.worst ? `[${r.worst.coords.join(', ')}]: ${sci(r.worst.autograd)} vs ${sci(r.worst.reference)} (bound ${sci(r.worst.bound)})` : '-');

function summary(a: ModuleAudit): string {
  const failed = a.rows.filter((r) => !r.pass).length;
  return `${a.rows.length - failed}/${a.rows.length} parameters pass (${a.mode} mode, ${a.parameters.toLocaleString('en-US')} values, ${a.seconds.toFixed(1)} s${a.deterministic === undefined ? '' : a.deterministic ? ', deterministic' : ', NOT deterministic'})`;
}

/** The other checks (value, second order, forward mode), one line each. */
function extras(a: ModuleAudit): string[] {
  const out = [`loss value: ${sci(a.value.gpu)} on the GPU, ${sci(a.value.reference)} by the float64 reference (bound ${sci(a.value.bound)}): ${a.value.pass ? 'pass' : 'FAIL'}`];
  for (const [i, c] of (a.secondOrder ?? []).entries()) out.push(`second order, direction pair ${i}: v^T H u ${sci(c.autograd)} by double backward, ${sci(c.finiteDifference)} by float64 second differences (bound ${sci(c.bound)}): ${c.pass ? 'pass' : 'FAIL'}`);
  if (a.forward) out.push(`forward mode: jvp off by ${sci(a.forward.maxAbsError)} (bound ${sci(a.forward.bound)}): ${a.forward.pass ? 'pass' : 'FAIL'}`);
  return out;
}

/** The per-parameter table as plain text, for a terminal. */
export function moduleAuditText(a: ModuleAudit): string {
  const w = Math.max(9, ...a.rows.map((r) => label(r).length));
  const head = `${'parameter'.padEnd(w)} ${'shape'.padEnd(14)} ${'checked'.padStart(12)} ${'max abs error'.padStart(13)} ${'error/bound'.padStart(11)}  status  worst element: autograd vs reference`;
  const lines = a.rows.map((r) => `${label(r).padEnd(w)} ${`[${r.shape.join(', ')}]`.padEnd(14)} ${checkedOf(r).padStart(12)} ${sci(r.maxAbsError).padStart(13)} ${sci(r.ratio).padStart(11)}  ${r.pass ? 'pass' : 'FAIL'}    ${worstOf(r)}`);
  return [`criterion: ${a.criterion}`, head, '-'.repeat(head.length), ...lines, ...extras(a), summary(a)].join('\n') + '\n';
}

export function moduleAuditMarkdown(a: ModuleAudit): string {
  const rows = a.rows.map((r) => `| ${label(r)} | [${r.shape.join(', ')}] | ${checkedOf(r)} | ${sci(r.maxAbsError)} | ${sci(r.maxRelError)} | ${sci(r.ratio)} | ${worstOf(r)} | ${r.pass ? 'pass' : '**FAIL**'} |`);
  return [`${summary(a)}.`, '', `Criterion: ${a.criterion}.`, '', '| parameter | shape | checked | max abs error | max rel error | error / bound | worst element: autograd vs reference | status |', '| --- | --- | --- | --- | --- | --- | --- | --- |', ...rows, '', ...extras(a).map((l) => `- ${l}`)].join('\n') + '\n';
}

/** A bar per row of log10(error / bound), the tolerance (ratio 1) drawn as a dashed red line. */
export function ratioChart(bars: { label: string; ratio: number; pass: boolean }[], title: string): string {
  const barH = 14, left = Math.min(320, 8 + 7 * Math.max(8, ...bars.map((b) => b.label.length))), width = 420;
  const lo = -8, hi = 2;
  const x = (v: number) => left + ((Math.min(hi, Math.max(lo, Math.log10(Math.max(v, 1e-30)))) - lo) / (hi - lo)) * width;
  const h = 30 + bars.length * barH + 30;
  const rects = bars.map((b, i) => {
    const y = 24 + i * barH;
    return `<text x="${left - 6}" y="${y + 10}" text-anchor="end" font-size="10">${esc(b.label)}</text><rect x="${left}" y="${y + 2}" width="${Math.max(1, x(b.ratio) - left).toFixed(1)}" height="${barH - 4}" fill="${b.pass ? '#1f77b4' : '#d62728'}"><title>${esc(b.label)}: error / bound ${sci(b.ratio)}</title></rect>`;
  });
  const ticks = [-8, -6, -4, -2, 0, 2].map((t) => `<line x1="${x(10 ** t)}" x2="${x(10 ** t)}" y1="20" y2="${h - 26}" stroke="#ddd"/><text x="${x(10 ** t)}" y="${h - 12}" text-anchor="middle" font-size="10">1e${t}</text>`);
  const tol = `<line class="tolerance" x1="${x(1)}" x2="${x(1)}" y1="18" y2="${h - 26}" stroke="#d62728" stroke-width="1.5" stroke-dasharray="4 2"/><text x="${x(1) + 4}" y="${h - 28}" font-size="10" fill="#d62728">tolerance</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 60}" height="${h}" font-family="sans-serif"><text x="${left}" y="14" font-size="12">${esc(title)}</text>${ticks.join('')}${rects.join('')}${tol}</svg>`;
}

/** A standalone page: the summary, the criterion, a chart of each parameter's worst error / bound (log
 * scale, red when failing, the tolerance drawn at 1) and the table. */
export function moduleAuditHtml(a: ModuleAudit, title = 'rootgrad audit'): string {
  const svg = ratioChart(a.rows.map((r) => ({ label: label(r), ratio: r.ratio, pass: r.pass })), 'worst |autograd - reference| / bound per parameter (log scale; the tolerance at 1)');
  const rows = a.rows.map((r) => `<tr class="${r.pass ? '' : 'fail'}"><td>${esc(label(r))}</td><td>[${r.shape.join(', ')}]</td><td>${checkedOf(r)}</td><td>${sci(r.maxAbsError)}</td><td>${sci(r.maxRelError)}</td><td>${sci(r.ratio)}</td><td>${esc(worstOf(r))}</td><td>${r.pass ? 'pass' : 'FAIL'}</td></tr>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child,th:first-child{text-align:left}tr.fail{background:#fdd}</style>
</head><body>
<h1 style="font-size:1.2rem">${esc(title)}</h1>
<p>${esc(summary(a))}</p>
<p>Criterion: ${esc(a.criterion)}</p>
${svg}
<table><tr><th>parameter</th><th>shape</th><th>checked</th><th>max abs error</th><th>max rel error</th><th>error / bound</th><th>worst element: autograd vs reference</th><th>status</th></tr>
${rows.join('\n')}
</table>
<ul>${extras(a).map((l) => `<li>${esc(l)}</li>`).join('')}</ul>
</body></html>
`;
}

