// The graph: nodes in topological order with their implementations, initializers, declared inputs,
// outputs and value types. Validation happens here, on the host, before anything touches the GPU:
// unknown ops and domains, attributes an op refuses (OpImpl.check), node inputs nobody produces, cycles,
// bad dims.
import type { onnx } from './proto/onnx.js';
import { readAttributes, readTensor, readValueInfo, typeName, type ExternalSource, type HostVal, type ValueType } from './read.js';
import { lookup } from './ops/registry.js';
import type { Graph, OnnxNode } from './types.js';

export interface BuildContext {
  /** The default domain's opset version. */
  opset: number;
  external?: ExternalSource;
}

const DEFAULT_DOMAINS = new Set(['', 'ai.onnx']);

/** Builds and validates a (sub)graph; `outer` names the values visible from enclosing graphs. */
export function buildGraph(g: onnx.IGraphProto, ctx: BuildContext, outer: ReadonlySet<string> = new Set(), where = 'graph'): Graph {
  const gname = g.name || where;
  const initializers = new Map<string, HostVal>();
  const conversions: string[] = [];
  for (const t of g.initializer ?? []) {
    const name = t.name ?? '';
    if (!name) throw new Error(`${gname}: an initializer has no name`);
    const v = readTensor(t, `initializer '${name}'`, ctx.external);
    initializers.set(name, v);
    const type = t.dataType ?? 0;
    if (type !== 1 && type !== 6 && type !== 9) conversions.push(`${name}: ${typeName(type)} -> ${v.dtype}`);
  }
  if (g.sparseInitializer?.length) throw new Error(`${gname}: sparse initializers are not supported ('${g.sparseInitializer[0].values?.name ?? ''}')`);
  const declared = (g.input ?? []).map((v) => readValueInfo(v, `${gname} input`));
  const inputs = declared.filter((v) => !initializers.has(v.name));
  const outputs = (g.output ?? []).map((v) => readValueInfo(v, `${gname} output`));
  const valueInfo = new Map<string, ValueType>();
  for (const v of g.valueInfo ?? []) valueInfo.set(v.name ?? '', readValueInfo(v, `${gname} value_info`));
  for (const v of [...declared, ...outputs]) valueInfo.set(v.name, v);

  // Nodes, with their implementation for this opset (an unknown op or domain fails here, at load).
  const raw = g.node ?? [];
  const nodes: OnnxNode[] = raw.map((p, i) => {
    const opType = p.opType ?? '';
    const name = p.name || `#${i}`;
    const domain = p.domain ?? '';
    if (!DEFAULT_DOMAINS.has(domain)) throw new Error(`node '${name}' (${opType}): unknown domain '${domain}' (only ONNX's default domain is supported)`);
    const impl = lookup(opType, ctx.opset);
    if (!impl) throw new Error(`unsupported ONNX op '${opType}' (opset ${ctx.opset}) at node '${name}' (${opType})`);
    // every error about a node names it, its op and the opset (which of the op's versions runs)
    const label = `node '${name}' (${opType}, opset ${ctx.opset})`;
    const node: OnnxNode = { name, opType, opset: ctx.opset, inputs: [...(p.input ?? [])], outputs: [...(p.output ?? [])], attrs: readAttributes(p, label), label, impl, subgraphs: new Map() };
    impl.check?.(node);
    return node;
  });

  // Who produces each value; every node input must be produced by someone.
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.outputs) {
      if (!o) continue;
      if (producer.has(o) || initializers.has(o) || inputs.some((v) => v.name === o)) throw new Error(`${n.label}: output '${o}' is already produced by ${producer.has(o) ? nodes[producer.get(o)!].label : 'a graph input or initializer'}`);
      producer.set(o, i);
    }
  });
  const available = new Set<string>([...initializers.keys(), ...inputs.map((v) => v.name), ...outer]);
  for (const n of nodes) {
    for (const x of n.inputs) {
      if (x && !producer.has(x) && !available.has(x)) throw new Error(`${n.label}: input '${x}' is produced by no node, graph input or initializer`);
    }
  }

  // Subgraphs (If's branches, Loop's body) see every value of this graph and the enclosing ones.
  const visible = new Set<string>([...available, ...producer.keys()]);
  nodes.forEach((n) => {
    for (const [k, v] of n.attrs) {
      if (v && typeof v === 'object' && !Array.isArray(v) && 'node' in (v as object)) n.subgraphs.set(k, buildGraph(v as onnx.IGraphProto, ctx, visible, `${n.label} ${k}`));
    }
  });
  // Values a subgraph takes from this graph count as inputs of its node for the ordering.
  const implicit = nodes.map((n) => [...n.subgraphs.values()].flatMap((sg) => outerReads(sg)));

  // Topological order (Kahn), keeping the file's order among ready nodes; what is left is a cycle.
  const deps = nodes.map((n, i) => new Set([...n.inputs, ...implicit[i]].filter((x) => producer.has(x)).map((x) => producer.get(x)!)));
  const users: number[][] = nodes.map(() => []);
  deps.forEach((d, i) => d.forEach((j) => users[j].push(i)));
  const pending = deps.map((d) => d.size);
  const order: number[] = [];
  const ready = pending.flatMap((c, i) => (c === 0 ? [i] : []));
  while (ready.length) {
    ready.sort((a, b) => a - b);
    const i = ready.shift()!;
    order.push(i);
    for (const u of users[i]) if (--pending[u] === 0) ready.push(u);
  }
  if (order.length < nodes.length) {
    const stuck = nodes.filter((_, i) => pending[i] > 0).map((n) => n.label);
    throw new Error(`${gname}: the graph has a cycle through ${stuck.slice(0, 4).join(', ')}${stuck.length > 4 ? ` and ${stuck.length - 4} more` : ''}`);
  }

  for (const o of outputs) {
    if (!producer.has(o.name) && !available.has(o.name)) throw new Error(`${gname}: output '${o.name}' is produced by no node, graph input or initializer`);
  }
  return { name: gname, nodes: order.map((i) => nodes[i]), initializers, inputs, outputs, valueInfo, conversions };
}

/** The names a graph (and its subgraphs) reads that it does not define itself. */
export function outerReads(g: Graph): string[] {
  const defined = new Set<string>([...g.initializers.keys(), ...g.inputs.map((v) => v.name)]);
  for (const n of g.nodes) n.outputs.forEach((o) => defined.add(o));
  const out = new Set<string>();
  for (const n of g.nodes) {
    for (const x of n.inputs) if (x && !defined.has(x)) out.add(x);
    for (const sg of n.subgraphs.values()) for (const x of outerReads(sg)) if (!defined.has(x)) out.add(x);
  }
  for (const o of g.outputs) if (!defined.has(o.name)) out.add(o.name);
  return [...out];
}
