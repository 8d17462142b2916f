// Tabular data sets (features..., label): CSV parsing, a fixed seeded train/test split, standardisation
// and seeded shuffled batches. Platform-neutral: reading files is in src/data/files.ts (Node).
import { Generator } from '../random.js';

export interface Dataset {
  name: string;
  /** Row-major features [n, features]. */
  x: Float32Array;
  /** Labels 0..classes-1. */
  y: Int32Array;
  n: number;
  features: number;
  classes: number;
  classNames?: string[];
  /** A test split that comes with the data (the IDX folders' t10k files): used instead of a random split. */
  test?: Dataset;
}

const MAX_CSV_BYTES = 512 * 1024 * 1024;

/**
 * Parses CSV rows of numbers: features then an integer label. A first line that is not all numbers is a
 * header (the breast-cancer file's `569,30,malignant,benign` names its classes). Labels are kept when
 * they are already 0..K-1, otherwise mapped to that range in sorted order.
 */
export function parseCsv(text: string, name = 'csv'): Dataset {
  if (text.length > MAX_CSV_BYTES) throw new Error(`${name}: file too large (${text.length} bytes)`);
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (!lines.length) throw new Error(`${name}: no rows`);
  let classNames: string[] | undefined;
  let header = 0;
  const first = lines[0].split(',').map((c) => c.trim());
  if (first.some((c) => c === '' || !Number.isFinite(Number(c)))) {
    lines.shift();
    header = 1;
    const words = first.filter((c) => c !== '' && !Number.isFinite(Number(c)));
    if (words.length >= 2 && words.length < first.length) classNames = words;
    if (!lines.length) throw new Error(`${name}: a header and no rows`);
  }
  const width = lines[0].split(',').length;
  if (width < 2) throw new Error(`${name}: rows need at least one feature and a label, got ${width} column`);
  const n = lines.length;
  const features = width - 1;
  const x = new Float32Array(n * features);
  const raw = new Float64Array(n);
  lines.forEach((line, i) => {
    const cells = line.split(',');
    if (cells.length !== width) throw new Error(`${name}: line ${i + 1 + header} has ${cells.length} columns, expected ${width}`);
    for (let j = 0; j < width; j++) {
      const v = Number(cells[j]);
      if (cells[j].trim() === '' || !Number.isFinite(v)) throw new Error(`${name}: line ${i + 1 + header}, column ${j + 1}: '${cells[j]}' is not a finite number`);
      if (j < features) x[i * features + j] = v;
      else raw[i] = v;
    }
  });
  for (let i = 0; i < n; i++) if (!Number.isInteger(raw[i])) throw new Error(`${name}: line ${i + 1 + header}: label ${raw[i]} is not an integer`);
  const distinct = [...new Set(raw)].sort((a, b) => a - b);
  const dense = distinct[0] === 0 && distinct[distinct.length - 1] === distinct.length - 1;
  const classes = distinct.length;
  const index = new Map(distinct.map((v, i) => [v, i]));
  const y = Int32Array.from(raw, (v) => (dense ? v : index.get(v)!));
  if (classes < 2) throw new Error(`${name}: labels need at least 2 classes, found ${classes}`);
  return { name, x, y, n, features, classes: Math.max(classes, classNames?.length ?? 0), classNames };
}

export function subset(ds: Dataset, idx: ArrayLike<number>, name = ds.name): Dataset {
  const f = ds.features;
  const x = new Float32Array(idx.length * f);
  const y = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    x.set(ds.x.subarray(idx[i] * f, idx[i] * f + f), i * f);
    y[i] = ds.y[idx[i]];
  }
  return { ...ds, name, x, y, n: idx.length };
}

/** A fixed split: a seeded permutation, the last testFraction of it for testing. */
export function trainTestSplit(ds: Dataset, testFraction = 0.2, seed = 0): { train: Dataset; test: Dataset } {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`trainTestSplit: testFraction must be in (0, 1), got ${testFraction}`);
  const order = Array.from({ length: ds.n }, (_, i) => i);
  new Generator(seed ^ 0x5eed).shuffle(order);
  const nTest = Math.max(1, Math.round(ds.n * testFraction));
  return { train: subset(ds, order.slice(0, ds.n - nTest), `${ds.name}/train`), test: subset(ds, order.slice(ds.n - nTest), `${ds.name}/test`) };
}

export interface Standardizer {
  mean: number[];
  std: number[];
}

/** Per-feature mean and standard deviation (of the training set); constant features get std 1. */
export function fitStandardizer(ds: Dataset): Standardizer {
  const f = ds.features;
  const mean = new Array<number>(f).fill(0);
  const sq = new Array<number>(f).fill(0);
  for (let i = 0; i < ds.n; i++) for (let j = 0; j < f; j++) mean[j] += ds.x[i * f + j];
  for (let j = 0; j < f; j++) mean[j] /= ds.n;
  for (let i = 0; i < ds.n; i++) for (let j = 0; j < f; j++) sq[j] += (ds.x[i * f + j] - mean[j]) ** 2;
  const std = sq.map((s) => Math.sqrt(s / ds.n) || 1);
  return { mean, std };
}

export function standardize(ds: Dataset, s: Standardizer): Dataset {
  const f = ds.features;
  if (s.mean.length !== f) throw new Error(`standardize: ${s.mean.length} statistics for ${f} features`);
  const x = Float32Array.from(ds.x, (v, k) => (v - s.mean[k % f]) / s.std[k % f]);
  return { ...ds, x };
}

/** Row indices of each batch of an epoch, shuffled by the given generator (same seed, same batches). */
export function batchIndices(n: number, batchSize: number, gen: Generator | null): Int32Array[] {
  if (!(batchSize >= 1)) throw new Error(`batchIndices: batch size must be at least 1, got ${batchSize}`);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (gen) gen.shuffle(order);
  const out: Int32Array[] = [];
  for (let i = 0; i < n; i += batchSize) out.push(order.subarray(i, Math.min(n, i + batchSize)));
  return out;
}

/** Features and labels of the rows in idx, as host arrays ready to upload. */
export function gatherRows(ds: Dataset, idx: ArrayLike<number>): { x: Float32Array; y: Int32Array } {
  const s = subset(ds, idx);
  return { x: s.x, y: s.y };
}
