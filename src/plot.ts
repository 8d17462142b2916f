// SVG plots shared by the command (curves.svg, the experiment's bands, eval's confusion matrix) and the
// browser page: line charts with axes, "nice" ticks, axis labels and a legend beside the plot area (never
// over the data), and a heatmap. Plain strings, no DOM, so Node and the page draw the same picture.
import type { EpochLog } from './train-config.js';

export interface Series {
  name: string;
  color: string;
  values: number[];
  /** A shaded band [lower, upper] per point (e.g. min and max over seeds). */
  band?: [number[], number[]];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** x values of the points (default 1, 2, ...). */
  x?: number[];
  yRange?: [number, number];
  width?: number;
  height?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number, step: number) => {
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return Math.abs(v) < step / 2 ? '0' : v.toFixed(Math.min(digits, 6));
};

/** About `count` round tick values (steps of 1, 2 or 5 times a power of ten) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): { ticks: number[]; step: number } {
  if (!(hi > lo)) [lo, hi] = [lo - 1, hi + 1];
  const raw = (hi - lo) / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.round(t / step) * step);
  return { ticks, step };
}

/** One line chart: frame, x and y ticks with labels, axis titles, lines (and bands), legend at the right. */
export function lineChart(o: ChartOptions, x0 = 0, y0 = 0): string {
  const w = o.width ?? 430, h = o.height ?? 290;
  // The legend lives in the right margin, as wide as its longest name.
  const left = 52, right = 40 + 6.2 * Math.max(4, ...o.series.map((s) => s.name.length)), top = 28, bottom = 42;
  const n = Math.max(1, ...o.series.map((s) => s.values.length));
  const xs = o.x ?? Array.from({ length: n }, (_, i) => i + 1);
  const all = o.series.flatMap((s) => [...s.values, ...(s.band ? [...s.band[0], ...s.band[1]] : [])]).filter(Number.isFinite);
  let [lo, hi] = o.yRange ?? (all.length ? [Math.min(...all), Math.max(...all)] : [0, 1]);
  if (!(hi > lo)) [lo, hi] = [lo - 0.5, hi + 0.5];
  const yt = niceTicks(lo, hi, 5);
  [lo, hi] = [Math.min(lo, yt.ticks[0]), Math.max(hi, yt.ticks[yt.ticks.length - 1])];
  const [xlo, xhi] = [xs[0], xs[xs.length - 1] > xs[0] ? xs[xs.length - 1] : xs[0] + 1];
  const xt = niceTicks(xlo, xhi, Math.min(8, Math.max(1, xhi - xlo)));
  const pw = w - left - right, ph = h - top - bottom;
  const px = (v: number) => x0 + left + ((v - xlo) / (xhi - xlo)) * pw;
  const py = (v: number) => y0 + top + (1 - (v - lo) / (hi - lo)) * ph;
  const pts = (vs: number[]) => vs.map((v, i) => (Number.isFinite(v) ? `${px(xs[i]).toFixed(1)},${py(v).toFixed(1)}` : null)).filter(Boolean).join(' ');
  const parts = [
    `<text x="${x0 + left + pw / 2}" y="${y0 + 17}" text-anchor="middle" font-size="13">${esc(o.title)}</text>`,
    ...yt.ticks.map((t) => `<line x1="${x0 + left}" x2="${x0 + left + pw}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}" stroke="#eee"/><line x1="${x0 + left - 4}" x2="${x0 + left}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}" stroke="#666"/><text x="${x0 + left - 6}" y="${(py(t) + 3.5).toFixed(1)}" text-anchor="end" font-size="10">${fmt(t, yt.step)}</text>`),
    ...xt.ticks.filter((t) => t >= xlo && t <= xhi).map((t) => `<line x1="${px(t).toFixed(1)}" x2="${px(t).toFixed(1)}" y1="${y0 + top + ph}" y2="${y0 + top + ph + 4}" stroke="#666"/><text x="${px(t).toFixed(1)}" y="${y0 + top + ph + 15}" text-anchor="middle" font-size="10">${fmt(t, xt.step)}</text>`),
    `<rect x="${x0 + left}" y="${y0 + top}" width="${pw}" height="${ph}" fill="none" stroke="#666"/>`,
    `<text x="${x0 + left + pw / 2}" y="${y0 + h - 8}" text-anchor="middle" font-size="11">${esc(o.xLabel)}</text>`,
    `<text transform="translate(${x0 + 13},${y0 + top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="11">${esc(o.yLabel)}</text>`,
  ];
  o.series.forEach((s, k) => {
    if (s.band) parts.push(`<polygon points="${pts(s.band[1])} ${pts(s.band[0]).split(' ').reverse().join(' ')}" fill="${s.color}" fill-opacity="0.15" stroke="none"/>`);
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts(s.values)}"/>`);
    if (s.values.length === 1 && Number.isFinite(s.values[0])) parts.push(`<circle cx="${px(xs[0]).toFixed(1)}" cy="${py(s.values[0]).toFixed(1)}" r="3" fill="${s.color}"/>`); // a lone point
    const ly = y0 + top + 8 + 16 * k;
    parts.push(`<line x1="${x0 + left + pw + 10}" x2="${x0 + left + pw + 26}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"/><text x="${x0 + left + pw + 30}" y="${ly + 3.5}" font-size="11">${esc(s.name)}</text>`);
  });
  return parts.join('\n');
}

/** A standalone SVG of charts side by side. */
export function chartsSvg(charts: ChartOptions[], title?: string): string {
  const w = charts.reduce((a, c) => a + (c.width ?? 430), 0);
  const h = Math.max(...charts.map((c) => c.height ?? 290));
  let x = 0;
  const body = charts.map((c) => {
    const g = lineChart(c, x, 0);
    x += c.width ?? 430;
    return g;
  });
  return [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif">`, title ? `<title>${esc(title)}</title>` : '', `<rect width="${w}" height="${h}" fill="white"/>`, ...body, '</svg>'].filter(Boolean).join('\n');
}

/** Training curves: loss (train and test) and accuracy (train and test) per epoch. */
export function curvesSvg(history: EpochLog[], title = 'training'): string {
  const get = (k: keyof EpochLog) => history.map((h) => h[k] as number);
  const x = history.map((h) => h.epoch);
  return chartsSvg(
    [
      {
        title: 'loss',
        xLabel: 'epoch',
        yLabel: 'loss',
        x,
        series: [
          { name: 'train', color: '#1f77b4', values: get('trainLoss') },
          { name: 'test', color: '#d62728', values: get('testLoss') },
          // the common metric, when the run's own loss is another (older logs lack it)
          ...(history.some((h, i) => h.testCrossEntropy !== undefined && h.testCrossEntropy !== get('testLoss')[i]) ? [{ name: 'test cross-entropy', color: '#9467bd', values: get('testCrossEntropy') }] : []),
        ],
      },
      { title: 'accuracy', xLabel: 'epoch', yLabel: 'accuracy', x, series: [{ name: 'train', color: '#1f77b4', values: get('trainAccuracy') }, { name: 'test', color: '#d62728', values: get('testAccuracy') }] },
    ],
    title,
  );
}

/** The confusion matrix as a heatmap: rows the true class, columns the predicted one, each cell's count
 * written in it and shaded by its share of its row. */
export function confusionSvg(cm: number[][], labels: string[] = cm.map((_, i) => String(i)), title = 'confusion matrix'): string {
  const k = cm.length;
  const cell = Math.max(18, Math.min(44, Math.floor(440 / Math.max(1, k))));
  const left = 40 + 7 * Math.min(12, Math.max(...labels.map((l) => l.length))), top = 48;
  const w = left + k * cell + 20, h = top + k * cell + 44;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif">`, `<title>${esc(title)}</title>`, `<rect width="${w}" height="${h}" fill="white"/>`];
  parts.push(`<text x="${left + (k * cell) / 2}" y="16" text-anchor="middle" font-size="13">${esc(title)}</text>`);
  parts.push(`<text x="${left + (k * cell) / 2}" y="${h - 8}" text-anchor="middle" font-size="11">predicted class</text>`);
  parts.push(`<text transform="translate(12,${top + (k * cell) / 2}) rotate(-90)" text-anchor="middle" font-size="11">true class</text>`);
  cm.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    parts.push(`<text x="${left - 4}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end" font-size="10">${esc(labels[i].slice(0, 12))}</text>`);
    row.forEach((v, j) => {
      const share = v / total;
      // blue for the diagonal (right), red off it (wrong), by the share of the true class
      const rgb = i === j ? [31, 119, 180] : [214, 39, 40];
      const mix = (c: number) => Math.round(255 - share * (255 - c));
      parts.push(`<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="rgb(${rgb.map(mix).join(',')})" stroke="#ddd"><title>true ${esc(labels[i])}, predicted ${esc(labels[j])}: ${v}</title></rect>`);
      if (v) parts.push(`<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle" font-size="${cell < 26 ? 8 : 10}" fill="${share > 0.6 ? 'white' : 'black'}">${v}</text>`);
    });
  });
  labels.forEach((l, j) => parts.push(`<text x="${left + j * cell + cell / 2}" y="${top - 6}" text-anchor="middle" font-size="10">${esc(l.slice(0, 6))}</text>`));
  parts.push('</svg>');
  return parts.join('\n');
}
