// auditModule: gradcheck of a user's own model, one row per parameter (max absolute and relative error,
// worst index, pass/fail), with reports as markdown, JSON and a standalone HTML page (the table and a bar
// chart of the error per parameter). Fast mode (a random direction per parameter: two evaluations each,
// whatever its size) by default for models over 10,000 parameters; the full check (every element, or a
// seeded sample of `samples` per parameter) otherwise.
import type { Tensor } from './tensor.js';
import type { AnyModule } from './nn/module.js';
import { gradcheck, type GradcheckOptions } from './gradcheck.js';

export interface ModuleAuditOptions extends Pick<GradcheckOptions, 'eps' | 'atol' | 'rtol' | 'seed' | 'checkNondeterminism'> {
  /** Default: true for models over 10,000 parameters. */
  fastMode?: boolean;
  /** Full mode: check at most this many elements per parameter (a seeded sample); default all. */
  samples?: number;
}

export interface ModuleAuditRow {
  parameter: string;
  shape: number[];
  elements: number;
  checked: number;
  maxAbsError: number;
  maxRelError: number;
  /** Full mode: the element with the largest error; -1 in fast mode (a direction has no index). */
  worstIndex: number;
  pass: boolean;
}

export interface ModuleAudit {
  pass: boolean;
  mode: 'fast' | 'full';
  parameters: number;
  seconds: number;
  rows: ModuleAuditRow[];
  deterministic?: boolean;
}

/** Gradcheck of lossFn(model, batch) with respect to every trainable parameter of the model. */
export async function auditModule<B>(model: AnyModule, lossFn: (model: AnyModule, batch: B) => Tensor, batch: B, opts: ModuleAuditOptions = {}): Promise<ModuleAudit> {
  const params = model.namedParameters().filter(([, p]) => p.requiresGrad);
  if (!params.length) throw new Error('auditModule: the model has no trainable parameters');
  const total = params.reduce((a, [, p]) => a + p.size, 0);
  const fastMode = opts.fastMode ?? total > 10_000;
  const t0 = performance.now();
  const r = await gradcheck(() => lossFn(model, batch), Object.fromEntries(params), { ...opts, fastMode });
  const rows = r.inputs.map((i, k) => ({ parameter: i.input, shape: i.shape, elements: params[k][1].size, checked: i.checked, maxAbsError: i.maxAbsError, maxRelError: i.maxRelError, worstIndex: i.worstIndex, pass: i.pass }));
  return { pass: r.pass, mode: fastMode ? 'fast' : 'full', parameters: total, seconds: (performance.now() - t0) / 1000, rows, ...(r.deterministic === undefined ? {} : { deterministic: r.deterministic }) };
}

const sci = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : String(v));
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function summary(a: ModuleAudit): string {
  const failed = a.rows.filter((r) => !r.pass).length;
  return `${a.rows.length - failed}/${a.rows.length} parameters pass (${a.mode} mode, ${a.parameters.toLocaleString('en-US')} values, ${a.seconds.toFixed(1)} s${a.deterministic === undefined ? '' : a.deterministic ? ', deterministic' : ', NOT deterministic'})`;
}

/** The per-parameter table as plain text, for a terminal. */
export function moduleAuditText(a: ModuleAudit): string {
  const w = Math.max(9, ...a.rows.map((r) => r.parameter.length));
  const head = `${'parameter'.padEnd(w)} ${'shape'.padEnd(14)} ${'max abs error'.padStart(13)} ${'max rel error'.padStart(13)} ${'worst'.padStart(6)}  status`;
  const lines = a.rows.map((r) => `${r.parameter.padEnd(w)} ${`[${r.shape.join(', ')}]`.padEnd(14)} ${sci(r.maxAbsError).padStart(13)} ${sci(r.maxRelError).padStart(13)} ${String(r.worstIndex < 0 ? '-' : r.worstIndex).padStart(6)}  ${r.pass ? 'pass' : 'FAIL'}`);
  return [head, '-'.repeat(head.length), ...lines, summary(a)].join('\n') + '\n';
}

export function moduleAuditMarkdown(a: ModuleAudit): string {
  const rows = a.rows.map((r) => `| ${r.parameter} | [${r.shape.join(', ')}] | ${r.checked} | ${sci(r.maxAbsError)} | ${sci(r.maxRelError)} | ${r.worstIndex < 0 ? '-' : r.worstIndex} | ${r.pass ? 'pass' : '**FAIL**'} |`);
  return [`${summary(a)}.`, '', '| parameter | shape | checked | max abs error | max rel error | worst index | status |', '| --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}

/** A standalone page: the summary, a bar chart of log10(max relative error) per parameter (red when
 * failing) and the table. */
export function moduleAuditHtml(a: ModuleAudit, title = 'rootgrad audit'): string {
  const barH = 16, left = Math.min(320, 8 + 7 * Math.max(...a.rows.map((r) => r.parameter.length))), width = 420;
  const lo = -10, hi = 0; // log10 of the relative error, clamped
  const x = (v: number) => left + ((Math.min(hi, Math.max(lo, Math.log10(Math.max(v, 1e-30)))) - lo) / (hi - lo)) * width;
  const h = 30 + a.rows.length * barH + 30;
  const bars = a.rows.map((r, i) => {
    const y = 24 + i * barH;
    return `<text x="${left - 6}" y="${y + 11}" text-anchor="end" font-size="11">${esc(r.parameter)}</text><rect x="${left}" y="${y + 2}" width="${Math.max(1, x(r.maxRelError) - left).toFixed(1)}" height="${barH - 4}" fill="${r.pass ? '#1f77b4' : '#d62728'}"><title>${esc(r.parameter)}: max rel error ${sci(r.maxRelError)}</title></rect>`;
  });
  const ticks = [-10, -8, -6, -4, -2, 0].map((t) => `<line x1="${x(10 ** t)}" x2="${x(10 ** t)}" y1="20" y2="${h - 26}" stroke="#ddd"/><text x="${x(10 ** t)}" y="${h - 12}" text-anchor="middle" font-size="10">1e${t}</text>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 20}" height="${h}" font-family="sans-serif"><text x="${left}" y="14" font-size="12">max relative error per parameter (log scale)</text>${ticks.join('')}${bars.join('')}</svg>`;
  const rows = a.rows.map((r) => `<tr class="${r.pass ? '' : 'fail'}"><td>${esc(r.parameter)}</td><td>[${r.shape.join(', ')}]</td><td>${r.checked}</td><td>${sci(r.maxAbsError)}</td><td>${sci(r.maxRelError)}</td><td>${r.worstIndex < 0 ? '-' : r.worstIndex}</td><td>${r.pass ? 'pass' : 'FAIL'}</td></tr>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child,th:first-child{text-align:left}tr.fail{background:#fdd}</style>
</head><body>
<h1 style="font-size:1.2rem">${esc(title)}</h1>
<p>${esc(summary(a))}</p>
${svg}
<table><tr><th>parameter</th><th>shape</th><th>checked</th><th>max abs error</th><th>max rel error</th><th>worst index</th><th>status</th></tr>
${rows.join('\n')}
</table></body></html>
`;
}
