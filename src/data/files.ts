// Node: the data sets shipped in data/ and CSV files given on the command line.
import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseCsv, type Dataset } from './dataset.js';

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

export const builtinDatasets = ['digits', 'breast-cancer'] as const;

/** 'digits', 'breast-cancer', or a path to a CSV file (features..., label), optionally gzipped. */
export function loadDataset(nameOrPath: string): Dataset {
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
