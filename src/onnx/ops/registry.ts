// The ONNX op map: each op name with the opset versions its implementations cover. An implementation
// applies from its `since` version up to the next listed one; a model whose opset is below the first is
// refused at load (`unsupported ONNX op 'X' (opset N)`), as is an op nobody registered.
import type { Tensor } from '../../index.js';
import type { AttrValue, HostVal } from '../read.js';
import type { OpCtx } from '../exec.js';

/** An ONNX sequence (SequenceConstruct, SplitToSequence, ...): a list of tensors. */
export class SeqVal {
  readonly shape: readonly number[] = [];
  readonly dtype = 'f32' as const;
  constructor(readonly items: readonly (Tensor | HostVal)[]) {}
}

/** A value in the graph: a device tensor, a tensor known on the host (constants and shape arithmetic), or
 * a sequence of them. */
export type Val = Tensor | HostVal | SeqVal;

/** A node as the ops see it. */
export interface OnnxNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, AttrValue>;
  /** "node 'name' (OpType)" for error messages. */
  label: string;
  /** The implementation chosen for the model's opset (set at load). */
  impl: OpImpl;
  /** Subgraphs in attributes (If's branches), built and validated at load. */
  subgraphs: Map<string, unknown>;
}

export type OpFn = (c: OpCtx, x: (Val | undefined)[], n: OnnxNode) => Val | (Val | undefined)[];

export interface OpImpl {
  run: OpFn;
  /** Input slots read on the host (shapes, axes, scales): float initializers there stay host constants. */
  host?: number[];
  /** Input slots holding state rather than weights (BatchNormalization's running statistics): float
   * initializers there are buffers, not parameters. */
  buffers?: number[];
  /** Refused by forward(): the output shape depends on the data, which run() reads back. */
  readsBack?: boolean;
}

const table = new Map<string, { since: number; impl: OpImpl }[]>();

/**
 * Registers an ONNX op: `versions` maps the opset version an implementation starts at to the
 * implementation (a function, or { run, host, buffers }).
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
