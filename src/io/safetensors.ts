// safetensors (the format of PyTorch and Hugging Face): 8-byte little-endian header length N, N bytes of
// JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}, then the raw
// little-endian data. Bytes in and out here (browsers too); files in src/io/files.ts.
// Reading is defensive: every size is bounded before anything is allocated, so a malformed or truncated
// file is a clear error, never a crash, a hang or a huge allocation.
import { Tensor } from '../tensor.js';
import { fromHost } from '../creation.js';
import { sizeOf } from '../shape.js';

export interface HostTensor {
  dtype: 'f32' | 'i32';
  shape: number[];
  data: Float32Array | Int32Array;
}

const MAX_HEADER = 100 * 1024 * 1024;
const BYTES: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2, I32: 4, I64: 8, U8: 1, I8: 1, BOOL: 1 };

/** Serialises host tensors (keys sorted, as the reference implementation does) with optional string metadata. */
export function toSafetensors(tensors: Record<string, HostTensor>, metadata?: Record<string, string>): Uint8Array<ArrayBuffer> {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new Error(`safetensors: metadata value '${k}' must be a string`);
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    if (t.data.length !== sizeOf(t.shape)) throw new Error(`safetensors: '${name}' has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    header[name] = { dtype: t.dtype === 'i32' ? 'I32' : 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8); // data starts 8-byte aligned
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const name of names) {
    const d = tensors[name].data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at); // little-endian hosts (all WebGPU platforms)
    at += d.byteLength;
  }
  return out;
}

/** Parses safetensors bytes. F32/I32 are kept; F64, F16, BF16 become f32 and I64 becomes i32 (range-checked). */
/** One tensor's entry in a safetensors header, as stored (before any conversion). */
export interface SafetensorsEntry {
  name: string;
  /** The file's dtype name: F32, F16, BF16, F64, I32, I64, ... */
  dtype: string;
  shape: number[];
  bytes: number;
  offsets: [number, number];
}

/** Parses and validates a safetensors header without decoding the tensors (`rootgrad inspect`). */
export function safetensorsHeader(bytes: Uint8Array, source = 'safetensors'): { entries: SafetensorsEntry[]; metadata: Record<string, string>; dataStart: number } {
  const fail = (msg: string): never => {
    throw new Error(`${source}: not a valid safetensors file: ${msg}`);
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER, bytes.length - 8))) fail(`header length ${n} exceeds the file (${bytes.length} bytes) or the ${MAX_HEADER}-byte limit`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + Number(n))));
  } catch (e) {
    fail(`header is not UTF-8 JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) fail('header is not a JSON object');
  const dataStart = 8 + Number(n);
  const dataLen = bytes.length - dataStart;
  const entries: SafetensorsEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header as Record<string, any>)) {
    if (name === '__metadata__') {
      if (!info || typeof info !== 'object' || Object.values(info).some((v) => typeof v !== 'string')) fail('__metadata__ must map strings to strings');
      metadata = info;
      continue;
    }
    if (!info || typeof info !== 'object') fail(`entry '${name}' is not an object`);
    const { dtype, shape, data_offsets: off } = info;
    if (typeof dtype !== 'string' || !(dtype in BYTES)) fail(`'${name}' has unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || shape.some((d: unknown) => !Number.isSafeInteger(d) || (d as number) < 0)) fail(`'${name}' has an invalid shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o: unknown) => Number.isSafeInteger(o) && (o as number) >= 0) || off[0] > off[1]) fail(`'${name}' has invalid data_offsets ${JSON.stringify(off)}`);
    if (off[1] > dataLen) fail(`'${name}' data ends at ${off[1]}, past the ${dataLen} data bytes (truncated file?)`);
    const count = shape.reduce((a: number, b: number) => a * b, 1);
    if (count * BYTES[dtype] !== off[1] - off[0]) fail(`'${name}' has ${off[1] - off[0]} bytes for ${count} ${dtype} values`);
    entries.push({ name, dtype, shape: [...shape], bytes: off[1] - off[0], offsets: [off[0], off[1]] });
  }
  return { entries, metadata, dataStart };
}

export function fromSafetensors(bytes: Uint8Array, source = 'safetensors'): { tensors: Record<string, HostTensor>; metadata: Record<string, string> } {
  const fail = (msg: string): never => {
    throw new Error(`${source}: not a valid safetensors file: ${msg}`);
  };
  const { entries, metadata, dataStart } = safetensorsHeader(bytes, source);
  const tensors: Record<string, HostTensor> = {};
  for (const { name, dtype, shape, offsets: off } of entries) {
    if (!['F32', 'F64', 'F16', 'BF16', 'I32', 'I64'].includes(dtype)) fail(`'${name}' has dtype ${dtype}, which rootgrad does not load`);
    const count = shape.reduce((a, b) => a * b, 1);
    const raw = new DataView(bytes.buffer, bytes.byteOffset + dataStart + off[0], off[1] - off[0]);
    tensors[name] = { shape: [...shape], ...decode(dtype, raw, count, name, fail) };
  }
  return { tensors, metadata };
}

function decode(dtype: string, raw: DataView, count: number, name: string, fail: (m: string) => never): Pick<HostTensor, 'dtype' | 'data'> {
  switch (dtype) {
    case 'F32': {
      const d = new Float32Array(count);
      for (let i = 0; i < count; i++) d[i] = raw.getFloat32(i * 4, true);
      return { dtype: 'f32', data: d };
    }
    case 'F64':
      return { dtype: 'f32', data: Float32Array.from({ length: count }, (_, i) => raw.getFloat64(i * 8, true)) };
    case 'F16':
      return { dtype: 'f32', data: Float32Array.from({ length: count }, (_, i) => half(raw.getUint16(i * 2, true))) };
    case 'BF16': {
      const u = new Uint32Array(1);
      const f = new Float32Array(u.buffer);
      return { dtype: 'f32', data: Float32Array.from({ length: count }, (_, i) => ((u[0] = raw.getUint16(i * 2, true) << 16), f[0])) };
    }
    case 'I32': {
      const d = new Int32Array(count);
      for (let i = 0; i < count; i++) d[i] = raw.getInt32(i * 4, true);
      return { dtype: 'i32', data: d };
    }
    default: {
      // I64
      const d = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = raw.getBigInt64(i * 8, true);
        if (v > 2147483647n || v < -2147483648n) fail(`'${name}' holds ${v}, outside the i32 range`);
        d[i] = Number(v);
      }
      return { dtype: 'i32', data: d };
    }
  }
}

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (m / 1024);
  if (e === 31) return m ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + m / 1024);
}

/** Reads tensors back from the GPU into host tensors. */
export async function toHost(tensors: Record<string, Tensor>): Promise<Record<string, HostTensor>> {
  const out: Record<string, HostTensor> = {};
  // bool masks travel as I32 0/1 words
  for (const [name, t] of Object.entries(tensors)) out[name] = { dtype: t.dtype === 'bool' ? 'i32' : t.dtype, shape: [...t.shape], data: await t.data() };
  return out;
}

/** Uploads host tensors as GPU tensors. */
export function toDevice(tensors: Record<string, HostTensor>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(tensors).map(([k, v]) => [k, fromHost(v.data, v.shape, v.dtype)]));
}
