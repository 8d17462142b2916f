// defineOp: a user's own fused kernel joins autograd, the reference backend, gradcheck, anomaly mode and the
// audit, through the op table's `custom` primitive.
//
// Binding layout of the WGSL (common.wgsl's P/pu/pf/flat_id helpers are included for you):
//   forward:  @binding(1..n) the inputs, @binding(n+1) the output, then one per `saved` buffer (written
//             by the forward for the backward to read, e.g. a gradient computed in the same pass).
//   backward: @binding(1..n) the inputs, @binding(n+1) the output, then the saved buffers, then g (the
//             output's gradient), then one gradient buffer per input listed in `gradients`.
// @binding(0) holds the params: by default every input's element count as u32, then the op's numeric
// attributes as f32 in the order of `attrs` (override with params()).
import { empty, Tensor, type DType } from './tensor.js';
import { Params, registerUserShader, rt } from './runtime.js';
import { hasDevice } from './gpu.js';
import { registerShader, registerWgsl } from './shaders.js';
import commonWgsl from '../shaders/common.wgsl';
import rawParamsWgsl from '../shaders/raw_params.wgsl';
import mathWgsl from '../shaders/math.wgsl';
import { Generator } from './random.js';
import { shapeStr } from './shape.js';
import { defineOps, type Attrs, type F64, type OpDef, type Ops } from './ops/def.js';
import { apply, view } from './ops/apply.js';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface CustomAttrs {
  /** An op made with defineOp, by name, with its numeric attributes. */
  custom: { name: string; values: Record<string, number> };
}
declare module './ops/def.js' {
  interface Attrs extends CustomAttrs {}
}

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

/** The spec of a defined op, or a clear error. */
function specOf(name: string): CustomOpSpec {
  const op = customOps.get(name);
  if (!op) throw new Error(`custom op '${name}' is not defined (defineOp first)`);
  return op.spec;
}

const kernelNames = (name: string) => [`custom_${name}_forward`, `custom_${name}_backward`] as const;
const gradInputsOf = (spec: CustomOpSpec) => spec.gradients ?? spec.inputs.map((d, i) => (d === 'f32' ? i : -1)).filter((i) => i >= 0);
const paramsOf = (spec: CustomOpSpec, shapes: number[][], attrs: Record<string, number>) =>
  spec.params ? spec.params(shapes, attrs) : new Params().u(...shapes.map((s) => s.reduce((a, b) => a * b, 1))).f(...(spec.attrs ?? []).map((a) => attrs[a]));

/** Every defineOp op runs through this one primitive of the op table: same checks on both backends,
 * anomaly mode, the tape and the reference backend, like the built-in ops. */
export const customDefs: Ops<keyof CustomAttrs> = /* @__PURE__ */ defineOps(() => ({
  custom: {
    infer(inputs, { name, values }) {
      const spec = specOf(name);
      if (inputs.length !== spec.inputs.length) throw new Error(`${name}: expected ${spec.inputs.length} inputs, got ${inputs.length}`);
      inputs.forEach((t, i) => {
        if (t.dtype !== spec.inputs[i]) throw new Error(`${name}: input ${i} must be ${spec.inputs[i]}, got ${t.dtype} ${shapeStr(t.shape)}`);
      });
      for (const a of spec.attrs ?? []) if (typeof values[a] !== 'number' || !Number.isFinite(values[a])) throw new Error(`${name}: attribute ${a} must be a finite number, got ${values[a]}`);
      spec.check?.([...inputs], values);
      return { shape: spec.output(inputs.map((t) => [...t.shape])), dtype: 'f32' };
    },
    forward(inputs, { name, values }, save) {
      const spec = specOf(name);
      const shapes = inputs.map((t) => [...t.shape]);
      const r = rt();
      const out = empty(spec.output(shapes));
      const saved = (spec.saved ?? []).map((f) => empty(f(shapes)));
      r.dispatch(r.kernel(kernelNames(name)[0]), [...inputs.map(view), view(out), ...saved.map(view)], paramsOf(spec, shapes, values), spec.forward.workgroups(shapes));
      for (const t of [...inputs, out, ...saved]) save(t);
      for (const t of saved) t.dispose();
      return out;
    },
    backward(g, s, { name, values }, inputs) {
      const spec = specOf(name);
      const shapes = inputs.map((t) => [...t.shape]);
      const gradInputs = gradInputsOf(spec);
      const r = rt();
      const grads = gradInputs.map((i) => empty(shapes[i]));
      r.dispatch(r.kernel(kernelNames(name)[1]), [...s.map(view), view(g), ...grads.map(view)], paramsOf(spec, shapes, values), spec.backward.workgroups(shapes));
      const out: (Tensor | null)[] = inputs.map(() => null);
      gradInputs.forEach((i, k) => (out[i] = grads[k]));
      return out;
    },
    reference(inputs, { name, values }) {
      return specOf(name).reference(inputs, values);
    },
  } satisfies OpDef<Attrs['custom']>,
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  custom: { none: "a defineOp op's backward is its own kernel, which has no derivative" },
}));

export function defineOp(spec: CustomOpSpec): CustomOp {
  if (!/^[A-Za-z_]\w*$/.test(spec.name)) throw new Error(`defineOp: name must be an identifier, got '${spec.name}'`);
  if (customOps.has(spec.name)) throw new Error(`defineOp: an op named '${spec.name}' is already defined`);
  const [fwdName, bwdName] = kernelNames(spec.name);
  for (const f of [commonWgsl, rawParamsWgsl, mathWgsl]) registerWgsl(f); // what the kernels include
  registerShader(fwdName, `#include "common.wgsl"\n#include "raw_params.wgsl"\n#include "math.wgsl"\n${spec.forward.wgsl}`);
  registerShader(bwdName, `#include "common.wgsl"\n#include "raw_params.wgsl"\n#include "math.wgsl"\n${spec.backward.wgsl}`);
  registerUserShader(fwdName, `defineOp '${spec.name}' (its forward)`);
  registerUserShader(bwdName, `defineOp '${spec.name}' (its backward)`);
  // compiled now when there is a device: a WGSL error shows at the next readback, and every later call
  // of the op throws it (the compiler's message, this op's name, the offending line)
  if (hasDevice()) {
    rt().kernel(fwdName);
    rt().kernel(bwdName);
  }
  const op = ((inputs: Tensor[], attrs: Record<string, number> = {}) => {
    if (!Array.isArray(inputs)) throw new Error(`${spec.name}: inputs must be an array of Tensors`);
    return apply(customDefs.custom, inputs, { name: spec.name, values: attrs }, spec.name);
  }) as CustomOp;
  op.spec = spec;
  customOps.set(spec.name, op);
  return op;
}
