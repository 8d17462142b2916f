// Running a graph: values flow node by node as device tensors or host values. Ops whose inputs are all
// known on the host (shape arithmetic) compute there, so kernels see static shapes; the host results are
// cached per input signature. A value an op must read on the host but that lives on the device is read
// back by run() (async) and refused by forward().
import { Tensor, tensor, tidy, keep } from '../core.js';
import { HostVal, SeqVal } from './read.js';
import type { Graph, OnnxNode, OpCtx, Val } from './types.js';

/** Thrown by OpCtx.host() for a device tensor: run() reads it back and retries the node. */
export class NeedHost extends Error {
  constructor(
    readonly tensor: Tensor,
    readonly node: OnnxNode,
    what: string,
  ) {
    super(`${node.label}: ${what} must be known on the host, but it is computed on the device from the data; forward() cannot read it back (use await model.run(...))`);
  }
}

/** What the model gives the executor. */
export interface ExecHost {
  training: boolean;
  /** Device copies of constants and initializers, made once and kept until dispose(). */
  uploadCache: Map<HostVal, Tensor>;
  /** Host values that are constants (initializers, Constant nodes): their uploads are cached. */
  constants: WeakSet<HostVal>;
}

/** What an op sees besides its inputs (src/onnx/types.ts). */
class NodeCtx implements OpCtx {
  /** Set when the op read a tensor's values on the host (its outputs must not be cached per signature). */
  readBack = false;
  constructor(
    readonly model: ExecHost,
    readonly node: OnnxNode,
    /** For subgraphs (If): runs one with the current scope. */
    readonly runSubgraph: (g: Graph, feeds: Val[]) => Val[],
    private readonly readbacks: Map<Tensor, HostVal>,
  ) {}

  get training(): boolean {
    return this.model.training;
  }

  /** A value as a device tensor (uploading a host value; a constant's upload is made once). */
  t(v: Val | undefined, what = 'input'): Tensor {
    if (v === undefined) throw new Error(`${this.node.label}: ${what} is missing`);
    if (v instanceof Tensor) return v;
    if (v instanceof SeqVal) throw new Error(`${this.node.label}: ${what} is a sequence, a tensor was expected`);
    const cached = this.model.uploadCache.get(v);
    if (cached) return cached;
    const t = upload(v, `${this.node.label} ${what}`);
    if (this.model.constants.has(v)) this.model.uploadCache.set(v, keep(t));
    return t;
  }

  /** A value on the host: host values as they are; a device tensor read back by run(), refused by forward(). */
  host(v: Val | undefined, what = 'input'): HostVal {
    if (v === undefined) throw new Error(`${this.node.label}: ${what} is missing`);
    if (v instanceof HostVal) return v;
    if (v instanceof SeqVal) throw new Error(`${this.node.label}: ${what} is a sequence, a tensor was expected`);
    const r = this.readbacks.get(v);
    if (r) return r;
    // an i32/bool tensor made from host data keeps a host copy (src/tensor.ts): no readback needed, but
    // what follows depends on the data, not only on the input signature
    if (v.host && v.dtype !== 'f32') {
      this.readBack = true;
      return new HostVal(v.dtype, v.shape, Float64Array.from(v.host));
    }
    throw new NeedHost(v, this.node, what);
  }

  /** A host value's numbers. */
  ints(v: Val | undefined, what = 'input'): number[] {
    return Array.from(this.host(v, what).data);
  }
}

/** A host value as a rootgrad tensor: integers must fit i32. */
export function upload(v: HostVal, where: string): Tensor {
  if (v.dtype === 'i32') {
    for (let i = 0; i < v.size; i++) {
      const x = v.data[i];
      if (!(x >= -2147483648 && x <= 2147483647)) throw new Error(`${where}${v.name ? ` ('${v.name}')` : ''}: value ${x} at position ${i} is outside the int32 range (int64 is held as i32)`);
    }
    return tensor(Int32Array.from(v.data), v.shape, { dtype: 'i32' });
  }
  if (v.dtype !== 'f32') return tensor(Float32Array.from(v.data), v.shape, { dtype: v.dtype });
  // Infinite constants (masks written as -inf) become rootgrad's large finite sentinels: WGSL leaves
  // arithmetic on infinities to the implementation.
  const data = v.data.some((x) => x === Infinity || x === -Infinity) ? Float32Array.from(v.data, (x) => Math.max(-3.4e38, Math.min(3.4e38, x))) : (v.data as Float32Array);
  return tensor(data, v.shape, { dtype: 'f32' });
}

/** Per input signature: the host outputs of the nodes whose outputs are all on the host. */
export type HostCache = Map<OnnxNode, Val[]>;

interface Run {
  env: Map<string, Val>;
  readbacks: Map<Tensor, HostVal>;
  cache: HostCache | null;
  /** Set once anything was read back: nothing of this run is cached. */
  dataDependent: boolean;
}

/** One node: inputs from env, the op in a tidy scope (its temporaries freed), outputs into env. */
function step(model: ExecHost, n: OnnxNode, run: Run, sub: (g: Graph, feeds: Val[], env: Map<string, Val>) => Val[]): void {
  const cached = run.cache?.get(n);
  if (cached) {
    n.outputs.forEach((o, i) => o && run.env.set(o, cached[i]));
    return;
  }
  const inputs = n.inputs.map((name) => {
    if (!name) return undefined;
    const v = run.env.get(name);
    if (v === undefined) throw new Error(`${n.label}: input '${name}' has no value (an optional graph input that was not fed?)`);
    return v;
  });
  const ctx = new NodeCtx(model, n, (g, feeds) => sub(g, feeds, run.env), run.readbacks);
  let result: (Val | undefined)[] = [];
  try {
    tidy(() => {
      const r = n.impl.run(ctx, inputs, n);
      result = Array.isArray(r) ? r : [r];
      return tensorsIn(result);
    });
  } catch (e) {
    throw named(n, e);
  }
  n.outputs.forEach((o, i) => {
    if (!o) return;
    const v = result[i];
    if (v === undefined) throw new Error(`${n.label}: output ${i} ('${o}') was not produced`);
    run.env.set(o, v);
  });
  if (ctx.readBack) run.dataDependent = true;
  if (run.cache && !run.dataDependent && result.length && result.every((v) => v instanceof HostVal)) run.cache.set(n, result as Val[]);
}

/** A plain Error from inside a node's op that does not name the node yet (a rootgrad op's own check, e.g.
 * add's broadcasting) gets the node's label in front, so every refusal says where it is. Errors of other
 * classes pass unchanged: they are answered by someone (NeedHost by execAsync, the reference backend's
 * MissingHostValue by its runner) or are bugs, not refusals. */
function named(n: OnnxNode, e: unknown): unknown {
  if (!(e instanceof Error) || e.constructor !== Error || e.message.startsWith(n.label)) return e;
  return new Error(`${n.label}: ${e.message}`, { cause: e });
}

/** The device tensors among values (sequence members included). */
export function tensorsIn(vals: readonly (Val | undefined)[]): Tensor[] {
  return vals.flatMap((v) => (v instanceof Tensor ? [v] : v instanceof SeqVal ? v.items.filter((i): i is Tensor => i instanceof Tensor) : []));
}

/** Runs a graph synchronously (forward): a value that must be read back is an error. */
export function execSync(model: ExecHost, g: Graph, env: Map<string, Val>, cache: HostCache | null): void {
  const run: Run = { env, readbacks: new Map(), cache, dataDependent: false };
  const sub = (sg: Graph, feeds: Val[], outerEnv: Map<string, Val>) => {
    const inner = new Map(outerEnv);
    sg.inputs.forEach((v, i) => inner.set(v.name, feeds[i]));
    for (const [k, v] of sg.initializers) inner.set(k, v);
    execSync(model, sg, inner, null);
    return sg.outputs.map((o) => inner.get(o.name)!);
  };
  for (const n of g.nodes) step(model, n, run, sub);
}

/** Runs a graph, reading back device values that an op needs on the host, and retrying that node. */
export async function execAsync(model: ExecHost, g: Graph, env: Map<string, Val>, cache: HostCache | null): Promise<void> {
  const run: Run = { env, readbacks: new Map(), cache, dataDependent: false };
  const sub = (sg: Graph, feeds: Val[], outerEnv: Map<string, Val>) => {
    const inner = new Map(outerEnv);
    sg.inputs.forEach((v, i) => inner.set(v.name, feeds[i]));
    for (const [k, v] of sg.initializers) inner.set(k, v);
    // A subgraph runs synchronously with the values read back so far.
    const r: Run = { env: inner, readbacks: run.readbacks, cache: null, dataDependent: true };
    for (const n of sg.nodes) step(model, n, r, sub);
    return sg.outputs.map((o) => inner.get(o.name)!);
  };
  for (const n of g.nodes) {
    for (let attempt = 0; ; attempt++) {
      try {
        step(model, n, run, sub);
        break;
      } catch (e) {
        if (!(e instanceof NeedHost) || attempt > 16) throw e;
        const t = e.tensor;
        // a value made inside the node (a Loop body's condition on the device) is gone with the node's scope
        if (t.disposed || attempt === 16) throw new Error(`${e.node.label}: a value computed inside it on the device must be known on the host; this is not supported`);
        const data = await t.data();
        run.readbacks.set(t, new HostVal(t.dtype, t.shape, t.dtype === 'f32' ? Float32Array.from(data) : Float64Array.from(data)));
        run.dataDependent = true;
      }
    }
  }
}
