// Reading ONNX protobuf messages (decoded by protobufjs from the code generated out of onnx.proto) into
// plain host values: tensors (raw_data or the typed fields, external data), attributes and value types.
// Nothing here touches the GPU: a model is read and validated before anything is uploaded.
import { onnx } from './proto/onnx.js';
import type { DType, Tensor } from '../core.js';

/** A 64-bit protobuf integer: protobufjs gives a Long object (or a number when it fits). */
type Int64 = number | { toNumber(): number; high: number; low: number };

/** An int64 field as a JS number; exact up to 2^53 (dims and shape values are range-checked after). */
export function num(v: Int64 | null | undefined): number {
  if (v == null) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/**
 * A tensor known on the host: constants, initializers, feeds' shapes and everything computed from them
 * (shape arithmetic). Integers (ONNX int64 included) keep their exact values here, as doubles; they become
 * i32 only when uploaded, where a value outside the i32 range is an error naming the tensor.
 */
export class HostVal {
  readonly size: number;
  constructor(
    readonly dtype: DType,
    readonly shape: readonly number[],
    readonly data: Float32Array | Float64Array,
    /** Where it came from, for error messages. */
    readonly name = '',
  ) {
    this.size = shape.reduce((p, d) => p * d, 1);
    if (data.length !== this.size) throw new Error(`ONNX tensor '${name}': ${data.length} values for shape [${shape.join(', ')}]`);
  }
  static ints(values: readonly number[], shape: readonly number[] = [values.length], name = ''): HostVal {
    return new HostVal('i32', shape, Float64Array.from(values), name);
  }
  static of(dtype: DType, shape: readonly number[], values: ArrayLike<number>, name = ''): HostVal {
    return new HostVal(dtype, shape, dtype === 'f32' ? Float32Array.from(values) : Float64Array.from(values), name);
  }
}

/** An ONNX sequence (SequenceConstruct, SplitToSequence, ...): a list of tensors. */
export class SeqVal {
  readonly shape: readonly number[] = [];
  readonly dtype = 'f32' as const;
  constructor(readonly items: readonly (Tensor | HostVal)[]) {}
}

/** ONNX TensorProto.DataType numbers and names. */
export const ONNX_TYPES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};

/** The rootgrad dtype an ONNX element type is held as, or null for the types rootgrad cannot hold. */
export function dtypeOf(onnxType: number): DType | null {
  if (onnxType === 1 || onnxType === 10 || onnxType === 11 || onnxType === 16) return 'f32';
  if (onnxType === 9) return 'bool';
  if ([2, 3, 4, 5, 6, 7, 12, 13].includes(onnxType)) return 'i32';
  return null;
}

export function typeName(onnxType: number): string {
  return ONNX_TYPES[onnxType] ?? `type ${onnxType}`;
}

const MAX_DIM = 2 ** 31 - 1;

/** Checks a declared or stored dim: an integer in [0, 2^31). */
export function checkDim(d: number, where: string): number {
  if (!Number.isInteger(d) || d < 0 || d > MAX_DIM) throw new Error(`${where}: dim ${d} is not a valid size (must be an integer in [0, 2^31))`);
  return d;
}

/** float16 and bfloat16 bit patterns to numbers. */
function half(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const f = bits & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}
const bf16 = (bits: number): number => new Float32Array(new Uint32Array([(bits & 0xffff) << 16]).buffer)[0];

/** Element size in bytes of raw_data per ONNX type. */
const RAW_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };

function fromRaw(type: number, raw: Uint8Array, n: number, where: string): ArrayLike<number> {
  const size = RAW_BYTES[type];
  if (raw.length !== n * size) throw new Error(`${where}: raw_data has ${raw.length} bytes, ${n} ${typeName(type)} values need ${n * size}`);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * size;
    switch (type) {
      case 1: out[i] = dv.getFloat32(o, true); break;
      case 2: case 9: out[i] = dv.getUint8(o); break;
      case 3: out[i] = dv.getInt8(o); break;
      case 4: out[i] = dv.getUint16(o, true); break;
      case 5: out[i] = dv.getInt16(o, true); break;
      case 6: out[i] = dv.getInt32(o, true); break;
      case 7: out[i] = Number(dv.getBigInt64(o, true)); break;
      case 10: out[i] = half(dv.getUint16(o, true)); break;
      case 11: out[i] = dv.getFloat64(o, true); break;
      case 12: out[i] = dv.getUint32(o, true); break;
      case 13: out[i] = Number(dv.getBigUint64(o, true)); break;
      case 16: out[i] = bf16(dv.getUint16(o, true)); break;
    }
  }
  return out;
}

function fromFields(t: onnx.ITensorProto, type: number, where: string): ArrayLike<number> {
  switch (type) {
    case 1: return t.floatData ?? [];
    case 11: return t.doubleData ?? [];
    case 7: return (t.int64Data ?? []).map(num);
    case 12: case 13: return (t.uint64Data ?? []).map((v) => (typeof v === 'number' ? v : Number(BigInt.asUintN(64, (BigInt(v.high) << 32n) | BigInt(v.low >>> 0)))));
    case 10: return (t.int32Data ?? []).map(half);
    case 16: return (t.int32Data ?? []).map(bf16);
    case 2: case 3: case 4: case 5: case 6: case 9: return t.int32Data ?? [];
  }
  throw new Error(`${where}: no typed field for ${typeName(type)}`);
}

/** Where external data comes from: bytes by `location` (the option), or a reader (files beside the model). */
export type ExternalSource = (location: string) => Uint8Array | undefined;

/** A TensorProto as a host value; `what` names it in errors (e.g. "initializer 'fc.weight'"). */
export function readTensor(t: onnx.ITensorProto, what: string, external?: ExternalSource): HostVal {
  const type = t.dataType ?? 0;
  const dtype = dtypeOf(type);
  if (!dtype) throw new Error(`${what}: element type ${typeName(type)} is not supported (float32/16/64, bfloat16, int8-64, uint8-64 and bool are)`);
  const shape = (t.dims ?? []).map((d, i) => checkDim(num(d), `${what} dim ${i}`));
  const n = shape.reduce((p, d) => p * d, 1);
  let values: ArrayLike<number>;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    const entry = Object.fromEntries((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
    const location = entry.location;
    if (!location) throw new Error(`${what}: external data without a 'location'`);
    const file = external?.(location);
    if (!file) throw new Error(`${what}: external data '${location}' was not found (pass { externalData: { '${location}': bytes } }, or in Node load the model from a file with '${location}' beside it)`);
    const offset = entry.offset ? Number(entry.offset) : 0;
    const length = entry.length ? Number(entry.length) : n * RAW_BYTES[type];
    if (!(offset >= 0 && length >= 0 && offset + length <= file.length)) throw new Error(`${what}: external data '${location}' has ${file.length} bytes, the tensor needs [${offset}, ${offset + length})`);
    values = fromRaw(type, file.subarray(offset, offset + length), n, what);
  } else if (t.rawData && t.rawData.length) values = fromRaw(type, t.rawData, n, what);
  else {
    values = fromFields(t, type, what);
    if (values.length !== n) throw new Error(`${what}: ${values.length} values stored for shape [${shape.join(', ')}] (${n} elements)`);
  }
  return HostVal.of(dtype, shape, values, t.name ?? '');
}

export type AttrValue = number | string | number[] | string[] | HostVal | onnx.IGraphProto | onnx.IGraphProto[] | HostVal[];

const utf8 = new TextDecoder();

/** A node's attributes by name, as JS values (ints and floats as numbers, strings decoded, tensors read). */
export function readAttributes(node: onnx.INodeProto, where: string): Map<string, AttrValue> {
  const out = new Map<string, AttrValue>();
  for (const a of node.attribute ?? []) {
    const name = a.name ?? '';
    const at = `${where} attribute '${name}'`;
    const T = onnx.AttributeProto.AttributeType;
    switch (a.type) {
      case T.FLOAT: out.set(name, a.f ?? 0); break;
      case T.INT: out.set(name, num(a.i)); break;
      case T.STRING: out.set(name, utf8.decode(a.s ?? new Uint8Array())); break;
      case T.TENSOR: out.set(name, readTensor(a.t ?? {}, at)); break;
      case T.GRAPH: out.set(name, a.g ?? {}); break;
      case T.FLOATS: out.set(name, [...(a.floats ?? [])]); break;
      case T.INTS: out.set(name, (a.ints ?? []).map(num)); break;
      case T.STRINGS: out.set(name, (a.strings ?? []).map((s) => utf8.decode(s))); break;
      case T.TENSORS: out.set(name, (a.tensors ?? []).map((t, i) => readTensor(t, `${at}[${i}]`))); break;
      case T.GRAPHS: out.set(name, a.graphs ?? []); break;
      default: {
        // Files written before attribute types existed: infer from which field is set.
        if (a.floats?.length) out.set(name, [...a.floats]);
        else if (a.ints?.length) out.set(name, a.ints.map(num));
        else if (a.t) out.set(name, readTensor(a.t, at));
        else if (a.s?.length) out.set(name, utf8.decode(a.s));
        else if (a.g) out.set(name, a.g);
        else throw new Error(`${at}: attribute type ${a.type} is not supported`);
      }
    }
  }
  return out;
}

/** A value's declared type: element type and dims (numbers, or strings for symbolic and unknown dims). */
export interface ValueType {
  name: string;
  onnxType: number;
  dtype: DType | null;
  shape: (number | string)[] | null;
}

export function readValueInfo(v: onnx.IValueInfoProto, where: string): ValueType {
  const name = v.name ?? '';
  const tt = v.type?.tensorType;
  if (!tt) return { name, onnxType: 0, dtype: null, shape: null };
  const onnxType = tt.elemType ?? 0;
  const shape = tt.shape
    ? (tt.shape.dim ?? []).map((d, i) => ((d as onnx.TensorShapeProto.Dimension).value === 'dimValue' ? checkDim(num(d.dimValue), `${where} '${name}' dim ${i}`) : d.dimParam || `?${i}`))
    : null;
  return { name, onnxType, dtype: dtypeOf(onnxType), shape };
}

/** Decodes a model; a file that is not a valid ModelProto is an error saying so. */
export function decodeModel(bytes: Uint8Array): onnx.ModelProto {
  if (!bytes.length) throw new Error('loadOnnx: the model is empty (0 bytes)');
  let m: onnx.ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new Error(`loadOnnx: not a valid ONNX model (protobuf decoding failed after reading ${bytes.length} bytes: ${(e as Error).message})`);
  }
  if (!m.graph) throw new Error(`loadOnnx: not a valid ONNX model (no graph in ${bytes.length} bytes)`);
  return m;
}

/** Decodes a TensorProto file (the backend test data's input_N.pb / output_N.pb). */
export function decodeTensor(bytes: Uint8Array, what = 'tensor'): HostVal {
  let t: onnx.TensorProto;
  try {
    t = onnx.TensorProto.decode(bytes);
  } catch (e) {
    throw new Error(`${what}: not a valid TensorProto (${(e as Error).message})`);
  }
  return readTensor(t, what);
}
