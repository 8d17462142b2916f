// Node: the data sets shipped in data/ and CSV files given on the command line.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseCsv, type Dataset } from './dataset.js';
import { fashionMnistClasses, idxDataset, parseIdx } from './idx.js';

/** The package's data/ folder, found from this module (src/data or dist/node after bundling). */
export function dataDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'data');
    try {
      if (statSync(join(candidate, 'digits.csv.gz')).isFile()) return candidate;
    } catch {
      /* keep looking upwards */
    }
    dir = dirname(dir);
  }
  throw new Error('rootgrad: cannot find the data/ folder shipped with the package');
}

export const builtinDatasets = ['digits', 'breast-cancer', 'fashion-mnist'] as const;

/** Where Debian's dataset-fashion-mnist package puts the IDX files (`apt-get install dataset-fashion-mnist`,
 * or `npm run setup -- --fashion-mnist`). */
export const fashionMnistDir = '/usr/share/datasets/fashion-mnist';

/** Reads an IDX file, gunzipping it when it starts with gzip's magic. */
export function readIdx(path: string) {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read IDX file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new Error(`${path}: broken gzip data (${(e as Error).message})`);
    }
  }
  return parseIdx(bytes, path);
}

/** A folder of MNIST-style IDX files: train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte
 * and t10k-labels-idx1-ubyte, each raw or .gz. The t10k files become the data set's test split. */
export function loadIdxFolder(dir: string, classNames?: string[]): Dataset {
  const find = (stem: string) => {
    for (const p of [join(dir, stem), join(dir, `${stem}.gz`)]) if (existsSync(p)) return p;
    throw new Error(`${dir}: no ${stem} or ${stem}.gz (an IDX folder has train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte)`);
  };
  const part = (prefix: string) => idxDataset(readIdx(find(`${prefix}-images-idx3-ubyte`)), readIdx(find(`${prefix}-labels-idx1-ubyte`)), `${dir} (${prefix})`, classNames);
  const train = part('train');
  const test = part('t10k');
  if (test.features !== train.features) throw new Error(`${dir}: train images have ${train.features} pixels, t10k images ${test.features}`);
  const classes = Math.max(train.classes, test.classes);
  return { ...train, name: dir, classes, test: { ...test, classes } };
}

/** 'digits', 'breast-cancer', 'fashion-mnist' (Debian's package), a folder of IDX files, or a path to a CSV
 * file (features..., label), optionally gzipped. */
export function loadDataset(nameOrPath: string): Dataset {
  if (nameOrPath === 'fashion-mnist') {
    if (!existsSync(fashionMnistDir)) throw new Error(`fashion-mnist: ${fashionMnistDir} is missing; install Debian's package (apt-get install dataset-fashion-mnist, or npm run setup -- --fashion-mnist) or give a folder of IDX files with --data DIR/`);
    return { ...loadIdxFolder(fashionMnistDir, fashionMnistClasses), name: 'fashion-mnist' };
  }
  if (existsSync(nameOrPath) && statSync(nameOrPath).isDirectory()) return loadIdxFolder(nameOrPath);
  if (nameOrPath === 'digits') {
    const ds = parseCsv(gunzipSync(readFileSync(join(dataDir(), 'digits.csv.gz'))).toString('utf8'), 'digits');
    return { ...ds, classNames: Array.from({ length: 10 }, (_, i) => String(i)) };
  }
  if (nameOrPath === 'breast-cancer') return parseCsv(readFileSync(join(dataDir(), 'breast_cancer.csv'), 'utf8'), 'breast-cancer');
  let bytes: Buffer;
  try {
    bytes = readFileSync(nameOrPath);
  } catch (e) {
    throw new Error(`cannot read data file '${nameOrPath}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (use digits, breast-cancer or a CSV file of features..., label)`);
  }
  const text = nameOrPath.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  if (text.includes('\u0000')) throw new Error(`${nameOrPath}: not a text CSV file`);
  return parseCsv(text, nameOrPath);
}
