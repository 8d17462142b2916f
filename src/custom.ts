// defineOp: a user's own fused kernel joins autograd, the reference backend, gradcheck and the audit.
//
// Binding layout of the WGSL (common.wgsl's P/pu/pf/flat_id helpers are included for you):
//   forward:  @binding(1..n) the inputs, @binding(n+1) the output, then one per `saved` buffer (written
//             by the forward for the backward to read, e.g. a gradient computed in the same pass).
//   backward: @binding(1..n) the inputs, @binding(n+1) the output, then the saved buffers, then g (the
//             output's gradient), then one gradient buffer per input listed in `gradients`.
// @binding(0) holds the params: by default every input's element count as u32, then the op's numeric
// attributes as f32 in the order of `attrs` (override with params()).
import { empty, isGradEnabled, record, saveForBackward, Tensor, type DType } from './tensor.js';
import { Params, rt } from './runtime.js';
import { registerShader } from './shaders.js';
import { hostValue, isReferenceMode, refTensor } from './backend.js';
import { Generator } from './random.js';
import { shapeStr } from './shape.js';
import type { F64 } from './ops/def.js';
import { view } from './ops/apply.js';

export interface KernelSpec {
  wgsl: string;
  /** Workgroup counts from the input shapes. */
  workgroups: (shapes: number[][]) => [number, number?, number?];
}

export interface CustomOpSpec {
  name: string;
  /** dtype of each input, in order. */
  inputs: DType[];
  /** Output shape from the input shapes (the output is f32). */
  output: (shapes: number[][]) => number[];
  /** Extra f32 buffers the forward writes for the backward, by shape. */
  saved?: ((shapes: number[][]) => number[])[];
  /** Indices of the inputs that get gradients (default: every f32 input). */
  gradients?: number[];
  /** Names of numeric attributes, passed after the sizes in the default params. */
  attrs?: string[];
  params?: (shapes: number[][], attrs: Record<string, number>) => Params;
  /** Validation before dispatch (throw with the op's name). */
  check?: (inputs: Tensor[], attrs: Record<string, number>) => void;
  forward: KernelSpec;
  backward: KernelSpec;
  reference: (inputs: F64[], attrs: Record<string, number>) => F64;
  /** Random inputs for the audit and gradcheck (i32 inputs are constants). */
  sample: (g: Generator) => { inputs: Tensor[]; attrs?: Record<string, number> };
}

export type CustomOp = ((inputs: Tensor[], attrs?: Record<string, number>) => Tensor) & { spec: CustomOpSpec };

export const customOps = new Map<string, CustomOp>();

export function defineOp(spec: CustomOpSpec): CustomOp {
  if (!/^[A-Za-z_]\w*$/.test(spec.name)) throw new Error(`defineOp: name must be an identifier, got '${spec.name}'`);
  if (customOps.has(spec.name)) throw new Error(`defineOp: an op named '${spec.name}' is already defined`);
  const fwdName = `custom_${spec.name}_forward`;
  const bwdName = `custom_${spec.name}_backward`;
  registerShader(fwdName, `#include "common.wgsl"\n#include "math.wgsl"\n${spec.forward.wgsl}`);
  registerShader(bwdName, `#include "common.wgsl"\n#include "math.wgsl"\n${spec.backward.wgsl}`);
  const gradInputs = spec.gradients ?? spec.inputs.map((d, i) => (d === 'f32' ? i : -1)).filter((i) => i >= 0);
  const paramsOf = (shapes: number[][], attrs: Record<string, number>) =>
    spec.params ? spec.params(shapes, attrs) : new Params().u(...shapes.map((s) => s.reduce((a, b) => a * b, 1))).f(...(spec.attrs ?? []).map((a) => attrs[a]));

  const op = ((inputs: Tensor[], attrs: Record<string, number> = {}) => {
    if (inputs.length !== spec.inputs.length) throw new Error(`${spec.name}: expected ${spec.inputs.length} inputs, got ${inputs.length}`);
    inputs.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new Error(`${spec.name}: input ${i} is not a Tensor`);
      if (t.dtype !== spec.inputs[i]) throw new Error(`${spec.name}: input ${i} must be ${spec.inputs[i]}, got ${t.dtype} ${shapeStr(t.shape)}`);
    });
    for (const a of spec.attrs ?? []) if (typeof attrs[a] !== 'number' || !Number.isFinite(attrs[a])) throw new Error(`${spec.name}: attribute ${a} must be a finite number, got ${attrs[a]}`);
    spec.check?.(inputs, attrs);
    const shapes = inputs.map((t) => [...t.shape]);
    if (isReferenceMode()) return refTensor(spec.reference(inputs.map((t) => hostValue(t, spec.name)), attrs));
    const r = rt();
    const out = empty(spec.output(shapes));
    const saved = (spec.saved ?? []).map((f) => empty(f(shapes)));
    r.dispatch(r.kernel(fwdName), [...inputs.map(view), view(out), ...saved.map(view)], paramsOf(shapes, attrs), spec.forward.workgroups(shapes));
    if (isGradEnabled() && gradInputs.some((i) => inputs[i].requiresGrad)) {
      const keep = [...inputs, out, ...saved].map(saveForBackward);
      record(out, {
        op: spec.name,
        inputs,
        saved: keep,
        backward: (g, s) => {
          const rb = rt();
          const grads = gradInputs.map((i) => empty(shapes[i]));
          rb.dispatch(rb.kernel(bwdName), [...s.map(view), view(g), ...grads.map(view)], paramsOf(shapes, attrs), spec.backward.workgroups(shapes));
          const out: (Tensor | null)[] = inputs.map(() => null);
          gradInputs.forEach((i, k) => (out[i] = grads[k]));
          return out;
        },
      });
    }
    for (const t of saved) t.dispose();
    return out;
  }) as CustomOp;
  op.spec = spec;
  customOps.set(spec.name, op);
  return op;
}
