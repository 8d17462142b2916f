// The types the ONNX importer's parts share: values, nodes, op implementations, graphs and what an op sees
// of the executor. Types only (nothing here exists at run time), so the executor (exec.ts), the graph
// builder (graph.ts) and the op registry (ops/registry.ts) all name them from here instead of from each
// other: no import circle among them, not even a type-level one.
import type { Tensor } from '../core.js';
import type { AttrValue, HostVal, SeqVal, ValueType } from './read.js';

/** A value in the graph: a device tensor, a tensor known on the host (constants and shape arithmetic), or
 * a sequence of them. */
export type Val = Tensor | HostVal | SeqVal;

/** A node as the ops see it. */
export interface OnnxNode {
  name: string;
  opType: string;
  /** The default domain's opset version of the model (which of the op's versions runs). */
  opset: number;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, AttrValue>;
  /** "node 'name' (OpType, opset N)" for error messages. */
  label: string;
  /** The implementation chosen for the model's opset (set at load). */
  impl: OpImpl;
  /** Subgraphs in attributes (If's branches, Loop's and Scan's bodies), built and validated at load. */
  subgraphs: Map<string, Graph>;
}

/** What an op sees besides its inputs (implemented by exec.ts). */
export interface OpCtx {
  readonly node: OnnxNode;
  /** The model is in training mode (train()). */
  readonly training: boolean;
  /** A value as a device tensor (uploading a host value; a constant's upload is made once). */
  t(v: Val | undefined, what?: string): Tensor;
  /** A value on the host: host values as they are; a device tensor read back by run(), refused by forward(). */
  host(v: Val | undefined, what?: string): HostVal;
  /** A host value's numbers. */
  ints(v: Val | undefined, what?: string): number[];
  /** Runs a subgraph (If's branches, Loop's body) with the current scope. */
  runSubgraph(g: Graph, feeds: Val[]): Val[];
}

export type OpFn = (c: OpCtx, x: (Val | undefined)[], n: OnnxNode) => Val | (Val | undefined)[];

export interface OpImpl {
  run: OpFn;
  /** Refusals that depend only on the node's attributes: called at load, before anything is uploaded; it
   * throws (through fail()) to refuse the node. */
  check?: (n: OnnxNode) => void;
  /** Input slots read on the host (shapes, axes, scales): float initializers there stay host constants. */
  host?: number[];
  /** Input slots holding state rather than weights (BatchNormalization's running statistics): float
   * initializers there are buffers, not parameters. */
  buffers?: number[];
  /** Refused by forward(): the output shape depends on the data, which run() reads back. */
  readsBack?: boolean;
}

/** A (sub)graph, built and validated by graph.ts. */
export interface Graph {
  name: string;
  /** Topological order. */
  nodes: OnnxNode[];
  initializers: Map<string, HostVal>;
  /** Graph inputs without the initializers, in graph order. */
  inputs: ValueType[];
  outputs: ValueType[];
  valueInfo: Map<string, ValueType>;
  /** Initializers converted at load, e.g. "fc.weight: float16 -> f32". */
  conversions: string[];
}
