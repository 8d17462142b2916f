// Node: safetensors files, written atomically (a temporary file, then rename).
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { Module } from '../nn/module.js';
import { Tensor } from '../tensor.js';
import { fromSafetensors, toHost, toSafetensors, type HostTensor } from './safetensors.js';

const MAX_FILE = 4 * 1024 * 1024 * 1024;

/** Writes bytes to path atomically: readers see the old file or the new one, never half of one. */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const fd = openSync(tmp, 'w');
  try {
    const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    let at = 0;
    while (at < buf.length) at += writeSync(fd, buf, at, buf.length - at);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/** Saves a module's parameters (or named tensors) as a safetensors file. */
export async function save(what: Module | Record<string, Tensor>, path: string, metadata?: Record<string, string>): Promise<void> {
  const tensors = what instanceof Module ? what.stateDict() : what;
  writeFileAtomic(path, toSafetensors(await toHost(tensors), metadata));
}

/** Loads a safetensors file into host tensors (upload with toDevice, or pass to Module.loadStateDict). */
export function load(path: string): { tensors: Record<string, HostTensor>; metadata: Record<string, string> } {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    throw new Error(`cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (size > MAX_FILE) throw new Error(`${path}: ${size} bytes is more than rootgrad loads (${MAX_FILE})`);
  return fromSafetensors(readFileSync(path), path);
}

/** A TuneStore in a JSON file (for autotune's results across runs). */
export function fileStore(path: string): { load(): string | null; save(text: string): void } {
  return {
    load: () => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return null;
      }
    },
    save: (text) => writeFileAtomic(path, text),
  };
}
