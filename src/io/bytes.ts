// Saving and loading without a file system (a browser page, a worker): a module and its metadata to
// safetensors bytes and back, from whatever a page has in hand (a Blob or File from an <input>, a fetch
// Response, an ArrayBuffer, a typed array). Files in Node: src/io/files.ts (save/load), which share the format.
// Building a saved model from its bytes (loadModel) is models/load.ts: the models sit above this layer.
import { Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';
import { fromSafetensors, toHost, toSafetensors, type HostTensor } from './safetensors.js';

/** Bytes as a page has them: a Blob or File, a fetch Response, an ArrayBuffer, or a typed array / DataView. */
export type ByteSource = Blob | Response | ArrayBuffer | ArrayBufferView;

/** The bytes of a source (a view of them when it already is one; a Response is read once). */
export async function readBytes(source: ByteSource, what = 'bytes'): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  const g = globalThis as any;
  if (g.Response && source instanceof g.Response) {
    const res = source as Response;
    if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${res.statusText} from ${res.url || 'the server'}`);
    return new Uint8Array(await res.arrayBuffer());
  }
  if (g.Blob && source instanceof g.Blob) return new Uint8Array(await (source as Blob).arrayBuffer());
  throw new Error(`${what}: expected a Blob, File, Response, ArrayBuffer or typed array, got ${source === null ? 'null' : typeof source === 'object' ? ((source as object).constructor?.name ?? 'object') : typeof source}`);
}

/** A module's parameters and buffers (or named tensors) and string metadata as safetensors bytes, the same
 * bytes `save` writes to a file. `new Blob([bytes])` makes a download. */
export async function saveToBytes(what: Module | Record<string, Tensor>, metadata?: Record<string, string>): Promise<Uint8Array<ArrayBuffer>> {
  const tensors = what instanceof Module ? what.stateDict() : what;
  return toSafetensors(await toHost(tensors), metadata);
}

/** Safetensors bytes as host tensors and metadata. Nothing to dispose: pass the tensors to
 * `module.loadStateDict(tensors)` (it copies them into the module's own) or upload them with toDevice. */
export async function loadFromBytes(source: ByteSource, name = 'safetensors'): Promise<{ tensors: Record<string, HostTensor>; metadata: Record<string, string> }> {
  return fromSafetensors(await readBytes(source, name), name);
}
