// OnnxModel: an ONNX graph as a rootgrad Module. Float initializers are its parameters under their ONNX
// names (running statistics are buffers); integer and bool initializers, shapes and other constants stay
// on the host and are uploaded once when a kernel reads them.
import { Module, Tensor, keep, reshape, type DType } from '../core.js';
import { decodeModel, HostVal, num, SeqVal, typeName, dtypeOf, type ExternalSource, type ValueType } from './read.js';
import { buildGraph, outerReads } from './graph.js';
import { execAsync, execSync, tensorsIn, upload, type ExecHost, type HostCache } from './exec.js';
import type { Graph, Val } from './types.js';
import './ops/all.js';

/** The keys of LoadOnnxOptions, for checkOptions. */
export const LOAD_ONNX_OPTIONS = ['trainable', 'constantsAsParameters', 'externalData'];

export interface LoadOnnxOptions {
  /** Parameters record gradients (default true); false loads an inference model. */
  trainable?: boolean;
  /** Float Constant nodes of more than one element become parameters too (paddle2onnx stores weights so). */
  constantsAsParameters?: boolean;
  /** External data by its `location` (models over 2 GB keep their weights in files beside the model). */
  externalData?: Record<string, Uint8Array>;
}

export interface OnnxValueInfo {
  name: string;
  /** How rootgrad holds it: f32 (float32/16/64, bfloat16), i32 (int64 and the other integers), bool. */
  dtype: DType;
  /** The ONNX element type, e.g. 'int64' or 'float16'. */
  onnxType: string;
  /** Declared dims; symbolic and unknown ones as strings. */
  shape: (number | string)[];
}

/** Bytes from a Uint8Array or an ArrayBuffer (a path, URL or Response is read by the entry points). */
export function bytesOf(source: Uint8Array | ArrayBuffer): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  throw new Error(`loadOnnx: expected a Uint8Array or an ArrayBuffer${typeof process !== 'undefined' ? ' or a file path' : ', a URL or a Response'}, got ${source === null ? 'null' : typeof source}`);
}

/** Loads a model from its bytes: decoded and validated on the host first, then the weights are uploaded once. */
export function loadOnnxBytes(bytes: Uint8Array, opts: LoadOnnxOptions = {}, readExternal?: ExternalSource): OnnxModel {
  const m = decodeModel(bytes);
  const imports = m.opsetImport ?? [];
  const def = imports.find((o) => !o.domain || o.domain === 'ai.onnx');
  // Models before opset imports existed are opset 1; a missing default import in a newer file means the latest.
  const opset = def ? num(def.version) : imports.length ? 1 : 1;
  const given = opts.externalData ?? {};
  const external: ExternalSource = (loc) => given[loc] ?? readExternal?.(loc);
  const graph = buildGraph(m.graph!, { opset, external });
  return new OnnxModel(graph, opset, opts);
}

/** Ops whose outputs carry no gradient to any input. */
const NOT_DIFFERENTIABLE = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'Not', 'Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero', 'ConstantOfShape', 'EyeLike', 'Floor', 'Ceil', 'Round', 'Sign', 'Hardmax']);
/** Input slots that carry no gradient (conditions, indices, targets). */
const INDEX_SLOTS: Record<string, number[]> = { Where: [0], Gather: [1], GatherElements: [1], NegativeLogLikelihoodLoss: [1], SoftmaxCrossEntropyLoss: [1] };

/** The values from which a gradient can flow to a graph output (one backward pass over the nodes). An
 * initializer outside it is state, like PyTorch's registered buffers (the causal mask of an exported GPT). */
function gradientSources(graph: Graph): Set<string> {
  const live = new Set(graph.outputs.map((o) => o.name));
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i];
    if (!n.outputs.some((o) => live.has(o)) || NOT_DIFFERENTIABLE.has(n.opType)) continue;
    const to = n.attrs.get('to');
    if (n.opType === 'Cast' && typeof to === 'number' && dtypeOf(to) !== 'f32') continue;
    const skip = new Set([...(INDEX_SLOTS[n.opType] ?? []), ...(n.impl.host ?? []), ...(n.impl.buffers ?? [])]);
    n.inputs.forEach((x, slot) => x && !skip.has(slot) && live.add(x));
    for (const g of n.subgraphs.values()) for (const x of outerReads(g)) live.add(x);
  }
  return live;
}

function info(v: ValueType, where: string): OnnxValueInfo {
  const dtype = dtypeOf(v.onnxType);
  if (!dtype) throw new Error(`loadOnnx: ${where} '${v.name}' has element type ${typeName(v.onnxType)}, which rootgrad cannot hold`);
  return { name: v.name, dtype, onnxType: typeName(v.onnxType), shape: v.shape ?? [] };
}

export class OnnxModel extends Module<Tensor[], Tensor | Tensor[]> implements ExecHost {
  readonly inputNames: string[];
  readonly outputNames: string[];
  readonly inputs: OnnxValueInfo[];
  readonly outputs: OnnxValueInfo[];
  /** The default domain's opset version. */
  readonly opset: number;
  /** What was converted at load (float16/bfloat16/float64 tensors become f32, int64 becomes i32). */
  readonly conversions: string[];
  readonly uploadCache = new Map<HostVal, Tensor>();
  readonly constants = new WeakSet<HostVal>();
  private readonly graph: Graph;
  private readonly params = new Map<string, Tensor>();
  private readonly bufs = new Map<string, Tensor>();
  private readonly signatures = new Map<string, HostCache>();
  private disposed = false;

  /** @internal Use loadOnnx(). */
  constructor(graph: Graph, opset: number, opts: LoadOnnxOptions) {
    super();
    this.graph = graph;
    this.opset = opset;
    this.inputs = graph.inputs.map((v) => info(v, 'input'));
    this.outputs = graph.outputs.map((v) => info(v, 'output'));
    this.inputNames = this.inputs.map((v) => v.name);
    this.outputNames = this.outputs.map((v) => v.name);
    // An imported graph computes inference semantics until train() is called (Dropout, BatchNormalization).
    this.training = false;
    this.conversions = graph.conversions;
    const trainable = opts.trainable ?? true;

    if (opts.constantsAsParameters) {
      graph.nodes = graph.nodes.filter((n) => {
        const v = n.opType === 'Constant' ? n.attrs.get('value') : undefined;
        if (!(v instanceof HostVal) || v.dtype !== 'f32' || v.size <= 1 || !n.outputs[0]) return true;
        graph.initializers.set(n.outputs[0], v);
        return false;
      });
    }
    for (const n of graph.nodes) for (const v of n.attrs.values()) if (v instanceof HostVal) this.constants.add(v);

    // How each initializer is consumed decides what it becomes.
    const hostOnly = new Map<string, boolean>();
    const buffer = new Set<string>();
    for (const n of graph.nodes) {
      n.inputs.forEach((x, slot) => {
        if (!graph.initializers.has(x)) return;
        if (n.impl.buffers?.includes(slot)) buffer.add(x);
        hostOnly.set(x, (hostOnly.get(x) ?? true) && !!n.impl.host?.includes(slot));
      });
    }
    const outputs = new Set(this.outputNames);
    const trainableSources = gradientSources(graph);
    const plan: [string, HostVal, 'parameter' | 'buffer'][] = [];
    for (const [name, v] of graph.initializers) {
      this.constants.add(v);
      if (v.dtype !== 'f32' || (hostOnly.get(name) && !outputs.has(name))) continue;
      plan.push([name, v, buffer.has(name) || !trainableSources.has(name) ? 'buffer' : 'parameter']);
    }
    // Everything is validated: now the uploads.
    for (const [name, v, kind] of plan) {
      const t = keep(upload(v, `initializer '${name}'`));
      if (kind === 'parameter') {
        t.requiresGrad = trainable;
        this.params.set(name, t);
      } else this.bufs.set(name, t);
      this.uploadCache.set(v, t);
    }
  }

  /** Parameters (float initializers) under their ONNX names. */
  override namedParameters(prefix = ''): [string, Tensor][] {
    return [...this.params].map(([n, t]) => [prefix + n, t]);
  }

  /** Buffers (BatchNormalization's running statistics) under their ONNX names. */
  override namedBuffers(prefix = ''): [string, Tensor][] {
    return [...this.bufs].map(([n, t]) => [prefix + n, t]);
  }

  override stateDict(): Record<string, Tensor> {
    return Object.fromEntries([...this.params, ...this.bufs]);
  }

  /** Positional and synchronous, for training loops: one tensor per graph input in graph order; one tensor
   * back, or an array when the graph has several outputs. Data-dependent shapes are refused (use run()). */
  forward(...xs: Tensor[]): Tensor | Tensor[] {
    const feeds = this.positional(xs);
    const env = this.prepare(feeds);
    let outs: Tensor[];
    try {
      execSync(this, this.graph, env, this.signatureCache(feeds));
      outs = this.finish(env, feeds);
    } catch (e) {
      this.cleanup(env, feeds, []);
      throw e;
    }
    return outs.length === 1 ? outs[0] : outs;
  }

  /** Runs the graph on named feeds; outputs by name, on the autograd tape. */
  async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    if (!feeds || typeof feeds !== 'object') throw new Error(`OnnxModel.run: expected feeds by input name (${this.inputNames.join(', ')})`);
    for (const k of Object.keys(feeds)) if (!this.inputNames.includes(k)) throw new Error(`OnnxModel.run: unknown input '${k}' (the model's inputs are ${this.inputNames.join(', ') || 'none'})`);
    const list = this.inputNames.map((n) => feeds[n]);
    const map = this.checkFeeds(list);
    const env = this.prepare(map);
    let outs: Tensor[];
    try {
      await execAsync(this, this.graph, env, this.signatureCache(map));
      outs = this.finish(env, map);
    } catch (e) {
      this.cleanup(env, map, []);
      throw e;
    }
    return Object.fromEntries(this.outputNames.map((n, i) => [n, outs[i]]));
  }

  /** A description: opset, nodes, parameters, and the conversions made at load. */
  summary(): string {
    const count = this.numParameters();
    const lines = [`ONNX model, opset ${this.opset}: ${this.graph.nodes.length} nodes, ${this.params.size} parameters (${count} values), ${this.bufs.size} buffers`];
    lines.push(`inputs: ${this.inputs.map((v) => `${v.name} ${v.onnxType}[${v.shape.join(', ')}]`).join(', ')}`);
    lines.push(`outputs: ${this.outputs.map((v) => `${v.name} ${v.onnxType}[${v.shape.join(', ')}]`).join(', ')}`);
    for (const v of [...this.inputs, ...this.outputs]) if (v.onnxType !== 'float32' && v.onnxType !== 'int32' && v.onnxType !== 'bool') lines.push(`${v.name}: ${v.onnxType} held as ${v.dtype}`);
    // initializers converted at load, counted by conversion (int64 -> i32 is the common one)
    const byKind = new Map<string, number>();
    for (const c of this.conversions) {
      const kind = c.slice(c.lastIndexOf(': ') + 2);
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    }
    for (const [kind, count] of byKind) lines.push(`${count} initializer${count > 1 ? 's' : ''} ${kind.replace(' -> ', ' held as ')}`);
    return lines.join('\n');
  }

  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    super.dispose();
    for (const t of this.uploadCache.values()) if (!t.disposed) t.dispose();
    this.uploadCache.clear();
    this.signatures.clear();
  }

  private positional(xs: Tensor[]): Map<string, Tensor> {
    if (xs.length !== this.inputNames.length) throw new Error(`OnnxModel.forward: expected ${this.inputNames.length} inputs (${this.inputNames.join(', ')}), got ${xs.length}`);
    return this.checkFeeds(xs);
  }

  private checkFeeds(xs: (Tensor | undefined)[]): Map<string, Tensor> {
    if (this.disposed) throw new Error('OnnxModel: the model was disposed');
    const out = new Map<string, Tensor>();
    const symbols = new Map<string, [number, string]>();
    this.inputs.forEach((v, i) => {
      const x = xs[i];
      const want = `${v.dtype} [${v.shape.join(', ')}]`;
      if (x === undefined) throw new Error(`OnnxModel: input '${v.name}' is missing (expected ${want})`);
      if (!(x instanceof Tensor)) throw new Error(`OnnxModel: input '${v.name}' must be a Tensor (expected ${want})`);
      if (x.disposed) throw new Error(`OnnxModel: input '${v.name}' was disposed`);
      if (x.dtype !== v.dtype) throw new Error(`OnnxModel: input '${v.name}' must be ${v.dtype}${['float32', 'int32', 'bool'].includes(v.onnxType) ? '' : ` (ONNX ${v.onnxType})`}, got ${x.dtype} (expected ${want})`);
      const bad = () => new Error(`OnnxModel: input '${v.name}' has shape [${x.shape.join(', ')}], expected [${v.shape.join(', ')}]`);
      if (v.shape.length && x.shape.length !== v.shape.length) throw bad();
      v.shape.forEach((d, k) => {
        if (typeof d === 'number' && d !== x.shape[k]) throw bad();
        if (typeof d === 'string' && !d.startsWith('?')) {
          const seen = symbols.get(d);
          if (seen && seen[0] !== x.shape[k]) throw new Error(`OnnxModel: input '${v.name}' dim ${k} ('${d}') is ${x.shape[k]}, but '${d}' is ${seen[0]} in input '${seen[1]}'`);
          symbols.set(d, [x.shape[k], v.name]);
        }
      });
      out.set(v.name, x);
    });
    return out;
  }

  private signatureCache(feeds: Map<string, Tensor>): HostCache {
    const key = [...feeds.values()].map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(';') + (this.training ? ';train' : '');
    let c = this.signatures.get(key);
    if (!c) {
      if (this.signatures.size > 64) this.signatures.clear();
      c = new Map();
      this.signatures.set(key, c);
    }
    return c;
  }

  private prepare(feeds: Map<string, Tensor>): Map<string, Val> {
    const env = new Map<string, Val>();
    for (const [name, v] of this.graph.initializers) env.set(name, this.params.get(name) ?? this.bufs.get(name) ?? v);
    for (const [name, t] of feeds) env.set(name, t);
    return env;
  }

  private finish(env: Map<string, Val>, feeds: Map<string, Tensor>): Tensor[] {
    const owned = new Set<Tensor>([...this.params.values(), ...this.bufs.values(), ...this.uploadCache.values(), ...feeds.values()]);
    const outs = this.outputNames.map((name) => {
      const v = env.get(name)!;
      if (v instanceof SeqVal) throw new Error(`OnnxModel: output '${name}' is a sequence; only tensor outputs are supported`);
      if (!(v instanceof Tensor)) return upload(v, `output '${name}'`);
      // an output that is a feed, a parameter or a cached constant comes back as a view of it, so that
      // disposing the output frees nothing of the model's or the caller's
      return owned.has(v) ? reshape(v, v.shape) : v;
    });
    this.cleanup(env, feeds, outs);
    return outs;
  }

  /** Frees the intermediate tensors of a run (not the parameters, buffers, cached constants, feeds or outputs). */
  private cleanup(env: Map<string, Val>, feeds: Map<string, Tensor>, outs: Tensor[]): void {
    const keepSet = new Set<Tensor>([...this.params.values(), ...this.bufs.values(), ...this.uploadCache.values(), ...feeds.values(), ...outs]);
    for (const v of tensorsIn([...env.values()])) if (!keepSet.has(v) && !v.disposed) v.dispose();
  }
}
