// The IDX format of MNIST and Fashion-MNIST: a big-endian header (two zero bytes, a type byte, the number
// of dimensions, then each dimension as a u32) and the values. Only unsigned bytes (type 0x08) occur in
// those data sets and are read here. Defensive: a bad magic, an unknown type, a size that disagrees with the
// header (truncated or trailing bytes) each give a message naming the file and the numbers.
import type { Dataset } from './dataset.js';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const TYPES: Record<number, string> = { 0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: 'i16', 0x0c: 'i32', 0x0d: 'f32', 0x0e: 'f64' };

/** Parses the bytes of one (already gunzipped) IDX file. */
export function parseIdx(bytes: Uint8Array, name = 'IDX file'): IdxArray {
  const fail = (m: string): never => {
    throw new Error(`${name}: ${m}`);
  };
  if (bytes.length < 4) fail(`${bytes.length} bytes is too short for an IDX header (4 bytes of magic)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail(`not an IDX file (magic starts ${hex(bytes[0])} ${hex(bytes[1])}, expected 00 00)`);
  const type = bytes[2];
  if (!(type in TYPES)) fail(`unknown IDX value type ${hex(type)}`);
  if (type !== 0x08) fail(`IDX values of type ${TYPES[type]} (${hex(type)}) are not supported; rootgrad reads unsigned bytes (0x08), as MNIST and Fashion-MNIST use`);
  const ndim = bytes[3];
  if (ndim < 1 || ndim > 4) fail(`${ndim} dimensions; expected 1 to 4`);
  const header = 4 + 4 * ndim;
  if (bytes.length < header) fail(`truncated header: ${bytes.length} bytes, the header of ${ndim} dimensions needs ${header}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const have = bytes.length - header;
  if (have < count) fail(`truncated: the header says ${dims.join(' x ')} = ${count} values, the file has ${have}`);
  if (have > count) fail(`${have - count} bytes after the ${dims.join(' x ')} values the header announces`);
  return { dims, data: bytes.subarray(header) };
}

const hex = (b: number) => b.toString(16).padStart(2, '0');

/** A data set from an IDX image array [n, rows, cols] and label array [n]: pixels scaled to [0, 1],
 * flattened row-major to rows*cols features. */
export function idxDataset(images: IdxArray, labels: IdxArray, name: string, classNames?: string[]): Dataset {
  if (images.dims.length !== 3) throw new Error(`${name}: images must be 3-D [n, rows, cols], got ${images.dims.length}-D [${images.dims.join(', ')}]`);
  if (labels.dims.length !== 1) throw new Error(`${name}: labels must be 1-D [n], got [${labels.dims.join(', ')}]`);
  const [n, rows, cols] = images.dims;
  if (labels.dims[0] !== n) throw new Error(`${name}: ${n} images but ${labels.dims[0]} labels`);
  const y = Int32Array.from(labels.data);
  let classes = 0;
  for (const v of y) classes = Math.max(classes, v + 1);
  if (classNames && classes > classNames.length) throw new Error(`${name}: label ${classes - 1} is outside the ${classNames.length} classes`);
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] / 255;
  return { name, x, y, n, features: rows * cols, classes: classNames?.length ?? classes, classNames };
}

export const fashionMnistClasses = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
