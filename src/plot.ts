// A small SVG of training curves: loss (train and test) and accuracy (train and test) per epoch.
import type { EpochLog } from './train.js';

function panel(x0: number, title: string, series: { name: string; color: string; values: number[] }[], yRange?: [number, number]): string {
  const w = 420, h = 260, pad = 44;
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  let [lo, hi] = yRange ?? [Math.min(...all), Math.max(...all)];
  if (!(hi > lo)) [lo, hi] = [lo - 1, hi + 1];
  const n = Math.max(...series.map((s) => s.values.length));
  const px = (i: number) => x0 + pad + (n <= 1 ? 0 : (i / (n - 1)) * (w - 2 * pad));
  const py = (v: number) => pad + (1 - (v - lo) / (hi - lo)) * (h - 2 * pad);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => lo + f * (hi - lo));
  const parts = [
    `<text x="${x0 + w / 2}" y="20" text-anchor="middle" font-size="14">${title}</text>`,
    `<rect x="${x0 + pad}" y="${pad}" width="${w - 2 * pad}" height="${h - 2 * pad}" fill="none" stroke="#999"/>`,
    ...ticks.map((t) => `<text x="${x0 + pad - 4}" y="${py(t) + 4}" text-anchor="end" font-size="10">${t.toPrecision(3)}</text>`),
    `<text x="${x0 + w / 2}" y="${h - 10}" text-anchor="middle" font-size="11">epoch (1..${n})</text>`,
  ];
  series.forEach((s, k) => {
    const pts = s.values.map((v, i) => `${px(i).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts}"/>`);
    parts.push(`<text x="${x0 + pad + 8}" y="${pad + 14 + 14 * k}" font-size="11" fill="${s.color}">${s.name}</text>`);
  });
  return parts.join('\n');
}

export function curvesSvg(history: EpochLog[], title = 'training'): string {
  const get = (k: keyof EpochLog) => history.map((h) => h[k] as number);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="860" height="290" font-family="sans-serif">`,
    `<title>${title.replace(/[<&>]/g, '')}</title>`,
    `<rect width="860" height="290" fill="white"/>`,
    panel(0, 'loss', [
      { name: 'train', color: '#1f77b4', values: get('trainLoss') },
      { name: 'test', color: '#d62728', values: get('testLoss') },
    ]),
    panel(430, 'accuracy', [
      { name: 'train', color: '#1f77b4', values: get('trainAccuracy') },
      { name: 'test', color: '#d62728', values: get('testAccuracy') },
    ]),
    `</svg>`,
  ].join('\n');
}
