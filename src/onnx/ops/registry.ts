// The ONNX op map: each op name with the opset versions its implementations cover. An implementation
// applies from its `since` version up to the next listed one; a model whose opset is below the first is
// refused at load (`unsupported ONNX op 'X' (opset N)`), as is an op nobody registered.
import type { OpFn, OpImpl } from '../types.js';

const table = new Map<string, { since: number; impl: OpImpl }[]>();

/**
 * Registers an ONNX op: `versions` maps the opset version an implementation starts at to the
 * implementation (a function, or { run, check, host, buffers }).
 */
export function def(name: string, versions: Record<number, OpFn | OpImpl>): void {
  const list = Object.entries(versions)
    .map(([v, impl]) => ({ since: Number(v), impl: typeof impl === 'function' ? { run: impl } : impl }))
    .sort((a, b) => a.since - b.since);
  table.set(name, list);
}

/** The implementation of `name` for a model of default-domain opset `opset`, or null. */
export function lookup(name: string, opset: number): OpImpl | null {
  const list = table.get(name);
  if (!list) return null;
  let found: OpImpl | null = null;
  for (const e of list) if (e.since <= opset) found = e.impl;
  return found;
}

/** Every registered op with the opset versions where its implementations start. */
export function registeredOps(): { op: string; since: number[] }[] {
  return [...table].map(([op, l]) => ({ op, since: l.map((e) => e.since) })).sort((a, b) => a.op.localeCompare(b.op));
}
