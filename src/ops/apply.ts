// Running a primitive: look it up in the table, run its forward, and record its backward on the tape.
import { isGradEnabled, record, saveForBackward, Tensor } from '../tensor.js';
import type { BufferView } from '../runtime.js';
import type { Attrs, Primitive } from './def.js';
import { opTable } from './table.js';
import { hostValue, isReferenceMode, refTensor } from '../backend.js';

export function apply<P extends Primitive>(op: P, inputs: Tensor[], attrs: Attrs[P]): Tensor {
  for (const t of inputs) {
    if (!(t instanceof Tensor)) throw new Error(`${op}: expected a Tensor, got ${t === null ? 'null' : typeof t}`);
    if (t.disposed) t.storage(op); // throws the disposed error
  }
  const def = opTable()[op];
  if (isReferenceMode()) {
    const out = def.reference(inputs.map((t) => hostValue(t, op)), attrs as never);
    const dtype = op === 'cast' ? (attrs as Attrs['cast']).dtype : op === 'reshape' || op === 'permute' || op === 'expand' ? inputs[0].dtype : 'f32';
    return refTensor(out, dtype);
  }
  const needGrad = isGradEnabled() && inputs.some((t) => t.requiresGrad);
  const saved: Tensor[] = [];
  const save = needGrad ? (t: Tensor) => void saved.push(saveForBackward(t)) : () => {};
  const out = def.forward(inputs, attrs as never, save, needGrad);
  if (needGrad) record(out, { op, inputs, saved, backward: (g, s) => def.backward(g, s, attrs as never, inputs) });
  return out;
}

/** The buffer of a tensor, sized to its elements, for binding to a kernel. */
export function view(t: Tensor): BufferView {
  return { buffer: t.storage().buffer, bytes: t.size * 4 };
}

export function checkDType(op: string, t: Tensor, dtype: 'f32' | 'i32', what = 'input'): void {
  if (t.dtype !== dtype) throw new Error(`${op}: ${what} must be ${dtype}, got ${t.dtype} tensor of shape [${t.shape.join(', ')}]`);
}
