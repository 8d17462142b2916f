// Data sets from bytes a page has (fetch, <input type=file>): no file system, no zlib.
import { readBytes, type ByteSource } from '../io/bytes.js';
import { parseCsv, type Dataset } from './dataset.js';

/** Whether bytes start with gzip's magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Gunzips in the browser or Node 18+ (DecompressionStream). */
export async function gunzip(bytes: Uint8Array, what = 'gzip data'): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new Error(`${what}: broken gzip data (${(e as Error).message})`);
  }
}

/**
 * A CSV data set (features..., label; as `parseCsv`) from a fetch Response, Blob, File or bytes, gzipped or
 * not. The bytes decide, not the name: a dev server (Vite's) sends `digits.csv.gz` with `Content-Encoding:
 * gzip`, so the browser has already decompressed it. 'digits' gets the class names 0..9, as in Node.
 * `datasetFromBytes(await fetch(digitsUrl), 'digits')`, with `import digitsUrl from 'rootgrad/data/digits.csv.gz?url'` (Vite).
 */
export async function datasetFromBytes(source: ByteSource, name = 'data'): Promise<Dataset> {
  let bytes = await readBytes(source, name);
  if (isGzip(bytes)) bytes = await gunzip(bytes, name);
  const text = new TextDecoder().decode(bytes);
  if (text.includes('\u0000')) throw new Error(`${name}: not a text CSV file`);
  const ds = parseCsv(text, name);
  return name === 'digits' ? { ...ds, classNames: Array.from({ length: 10 }, (_, i) => String(i)) } : ds;
}
