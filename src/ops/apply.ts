// Running a primitive: its entry of its family's table (an Op), its forward, and its backward on the tape.
import { creatingGraph, isGradEnabled, record, saveForBackward, setGradEnabled, standIn, Tensor, type DType, type Node } from '../tensor.js';
import { graphRule, savesInputs, type HigherOrder } from './higher_order.js';
import { rt, type BufferView } from '../runtime.js';
import { anomalyEnabled, checkFinite, checkIndexRange } from '../anomaly.js';
import type { Attrs, Op, Primitive } from './def.js';
import { hostValue, isReferenceMode, refTensor } from '../backend.js';
import { sameShape } from '../shape.js';
import { checkGeneration } from '../gpu.js';

/** Runs primitive `def` (an entry of its family's table, e.g. `unaryDefs.exp`): the same checks (infer) on
 * both backends, then the float64 reference or the kernels, recording the backward when an f32 output needs a
 * gradient. `name` is the public op's name for errors (custom ops give theirs). */
export function apply<P extends Primitive>(def: Op<P>, inputs: Tensor[], attrs: Attrs[P], name: string = def.op): Tensor {
  for (const t of inputs) {
    if (!(t instanceof Tensor)) throw new Error(`${name}: expected a Tensor, got ${t === null ? 'null' : typeof t}`);
    if (t.disposed) t.storage(name); // throws the disposed error
  }
  const { shape, dtype } = def.infer(inputs, attrs as never);
  if (isReferenceMode()) {
    const out = def.reference(inputs.map((t) => hostValue(t, name)), attrs as never);
    if (!sameShape(out.shape, shape)) throw new Error(`${name}: its reference gave shape [${out.shape.join(', ')}], infer [${shape.join(', ')}] (a bug in the op)`);
    return refTensor(out, dtype);
  }
  const needGrad = dtype === 'f32' && isGradEnabled() && inputs.some((t) => t.requiresGrad);
  const saved: Tensor[] = [];
  /** The tensors saved, themselves: a backward pass that records a graph differentiates through them.
   * Held weakly (a strong reference from the node would keep a dropped output alive through its own
   * finalizer's held value), with their node and whether they need a gradient. */
  const savedFrom: SavedFrom[] = [];
  const save = needGrad
    ? (t: Tensor) => {
        saved.push(saveForBackward(t));
        savedFrom.push({ ref: new WeakRef(t), node: t.node, grad: t.requiresGrad });
      }
    : saveNothing;
  if (anomalyEnabled() && def.indexBounds) {
    for (const [i, bound] of def.indexBounds(inputs, attrs as never)) checkIndexRange(inputs[i], bound, `'${name}' forward on ${shapesOf(inputs)}: input ${i} has indices outside [0, ${bound})`);
  }
  // Ops a forward uses internally (an expand, a reshape) are part of this op, not nodes of their own.
  const prev = setGradEnabled(false);
  let out: Tensor;
  try {
    out = def.forward(inputs, attrs as never, save, needGrad);
  } finally {
    setGradEnabled(prev);
  }
  if (out.dtype !== dtype || !sameShape(out.shape, shape)) throw new Error(`${name}: its kernel gave ${out.dtype} [${out.shape.join(', ')}], infer ${dtype} [${shape.join(', ')}] (a bug in the op)`);
  if (anomalyEnabled()) checkFinite(out, `'${name}' forward on ${shapesOf(inputs)}`);
  if (needGrad) {
    // the op's own rule sees what its forward saved; a recomputing createGraph rule also its inputs
    const own = saved.length;
    const kept = savesInputs(def.higherOrder as HigherOrder<unknown>);
    for (let i = 0; i < inputs.length && i < kept; i++) save(inputs[i]);
    record(out, {
      op: name,
      inputs,
      saved,
      backward: (g, s) => {
        const grads = creatingGraph() ? graphRule(def.higherOrder as never, name, def.backward as never)(g, originals(name, s, savedFrom), attrs as never, inputs) : def.backward(g, s.length > own ? s.slice(0, own) : s, attrs as never, inputs);
        if (anomalyEnabled()) grads.forEach((gi, i) => gi && checkFinite(gi, `'${name}' backward (gradient of input ${i}) on ${shapesOf(inputs)}`));
        return grads;
      },
    });
    // the op's own output, saved (exp, tanh, softmax save y): its node is the one just recorded
    for (const e of savedFrom) if (e.ref.deref() === out) [e.node, e.grad] = [out.node, true];
  }
  return out;
}

/** A saved tensor as apply() remembers it for a backward pass that records a graph. */
interface SavedFrom {
  ref: WeakRef<Tensor>;
  node: Node | null;
  grad: boolean;
}

/** The saved tensors as the originals (with their graphs) where they still live; a disposed one that needs
 * no gradient (a mask, indices) is the same constant as its saved alias, and a disposed op output gets a
 * stand-in on the saved storage that shares its node. */
function originals(name: string, saved: Tensor[], from: SavedFrom[]): Tensor[] {
  return from.map((e, i) => {
    const t = e.ref.deref();
    if (t && !t.disposed) return t;
    if (!e.grad) return saved[i];
    if (e.node) return standIn(e.node, saved[i]);
    throw new Error(`${name}: backward with createGraph needs the tensors its forward pass saved, and a leaf that requires a gradient (shape [${saved[i].shape.join(', ')}]) was disposed; keep it alive until the backward pass`);
  });
}

const saveNothing = (_t: Tensor): void => {};
const shapesOf = (ts: Tensor[]) => ts.map((t) => `[${t.shape.join(', ')}]`).join(', ');

/** The buffer of a tensor, sized to its elements, for binding to a kernel. */
export function view(t: Tensor): BufferView {
  const s = t.storage();
  if (s.generation !== rt().generation) checkGeneration(s.generation, `tensor #${t.id} [${t.shape.join(', ')}]`);
  return s.view(t.size * 4);
}

/** Defines for the elementwise kernels (unary, unary_backward, binary): the element type T and MAP, which
 * applies the scalar WGSL function fn to args lane by lane when vec4 (each invocation then maps one vec4),
 * or once. */
export function laneDefines(vec4: boolean, fn: string, args: string[], extra: string[] = []): { T: string; MAP: string } {
  const call = (lane: string) => `${fn}(${[...args.map((a) => a + lane), ...extra].join(', ')})`;
  return vec4 ? { T: 'vec4<f32>', MAP: `vec4<f32>(${['.x', '.y', '.z', '.w'].map(call).join(', ')})` } : { T: 'f32', MAP: call('') };
}

/** Both lane widths of an elementwise kernel's defines, made once per kernel (building the MAP string on
 * every dispatch cost more than the dispatch's own bookkeeping). */
export function laneVariants(fn: string, args: string[], extra: string[] = []): { scalar: { T: string; MAP: string }; vec4: { T: string; MAP: string } } {
  return { scalar: laneDefines(false, fn, args, extra), vec4: laneDefines(true, fn, args, extra) };
}

/** An elementwise kernel over `size` same-shaped elements: vec4 lanes when size allows; n is the unit count. */
export function lanes(size: number, variants: ReturnType<typeof laneVariants>): { defines: { T: string; MAP: string }; n: number } {
  const vec4 = size % 4 === 0;
  return { defines: vec4 ? variants.vec4 : variants.scalar, n: vec4 ? size / 4 : size };
}

export function checkDType(op: string, t: Tensor, dtype: DType, what = 'input'): void {
  if (t.dtype !== dtype) throw new Error(`${op}: ${what} must be ${dtype}, got ${t.dtype} tensor of shape [${t.shape.join(', ')}]`);
}
