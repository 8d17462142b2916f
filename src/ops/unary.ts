// Elementwise ops. Each is a WGSL expression for the forward (unary.wgsl), one for the derivative
// (unary_backward.wgsl, a single dispatch) and a float64 reference, side by side.
import { empty, Tensor } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { mapF64 } from '../reference.js';
import type { Attrs, OpDef } from './def.js';
import { apply, checkDType, lanes, view } from './apply.js';

interface Spec<A> {
  /** y in terms of x and the scalars a, b (from scalars(attrs)). */
  expr: string;
  /** dx in terms of x, y, g, a, b. */
  deriv: string;
  ref: (x: number, a: number, b: number) => number;
  scalars?: (attrs: A) => [number, number];
}

const UNARY = defineKernel('unary', { n: 'u32', a: 'f32', b: 'f32' }, { X: 'read {{T}}', Y: 'read_write {{T}}' });
const UNARY_BACKWARD = defineKernel('unary_backward', { n: 'u32', a: 'f32', b: 'f32' }, { X: 'read {{T}}', Y: 'read {{T}}', G: 'read {{T}}', DX: 'read_write {{T}}' });

/** dx = deriv(x, y, g) in one dispatch (unary_backward.wgsl), a vec4 per invocation when the size allows. */
export function unaryBackward(deriv: string, x: Tensor, y: Tensor, g: Tensor, dx: Tensor, a = 0, b = 0): void {
  const r = rt();
  const { defines, n } = lanes(x.size, 'd', ['x', 'y', 'g'], ['a', 'b']);
  r.run(UNARY_BACKWARD, { DERIV: deriv, ...defines }, { X: view(x), Y: view(y), G: view(g), DX: view(dx) }, { n, a, b }, r.groups1d(n, 256));
}

function unaryOp<A>(name: string, spec: Spec<A>): OpDef<A> {
  const scalars = spec.scalars ?? (() => [0, 0] as [number, number]);
  return {
    infer([x]) {
      checkDType(name, x, 'f32');
      return { shape: x.shape, dtype: 'f32' };
    },
    forward([x], attrs, save) {
      const y = empty(x.shape);
      if (x.size) {
        const r = rt();
        const [a, b] = scalars(attrs);
        const { defines, n } = lanes(x.size, 'f', ['x'], ['a', 'b']);
        r.run(UNARY, { EXPR: spec.expr, ...defines }, { X: view(x), Y: view(y) }, { n, a, b }, r.groups1d(n, 256));
      }
      save(x);
      save(y);
      return y;
    },
    backward(g, [x, y], attrs) {
      const dx = empty(x.shape);
      if (x.size) {
        const r = rt();
        const [a, b] = scalars(attrs);
        unaryBackward(spec.deriv, x, y, g, dx, a, b);
      }
      return [dx];
    },
    reference([x], attrs) {
      const [a, b] = scalars(attrs);
      return mapF64(x, (v) => spec.ref(v, a, b));
    },
  };
}

const gelu64 = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
const sign = (p: number, x: number) => (Number.isInteger(p) && Math.abs(p % 2) === 1 && x < 0 ? -1 : 1);

export const unaryDefs = {
  neg: unaryOp<Attrs['neg']>('neg', { expr: '-x', deriv: '-g', ref: (x) => -x }),
  exp: unaryOp<Attrs['exp']>('exp', { expr: 'exp(x)', deriv: 'g * y', ref: Math.exp }),
  log: unaryOp<Attrs['log']>('log', { expr: 'log(x)', deriv: 'g / x', ref: Math.log }),
  sqrt: unaryOp<Attrs['sqrt']>('sqrt', { expr: 'sqrt(x)', deriv: 'g * 0.5 / y', ref: Math.sqrt }),
  tanh: unaryOp<Attrs['tanh']>('tanh', { expr: 'safe_tanh(x)', deriv: 'g * (1.0 - y * y)', ref: Math.tanh }),
  relu: unaryOp<Attrs['relu']>('relu', { expr: 'max(x, 0.0)', deriv: 'select(0.0, g, x > 0.0)', ref: (x) => Math.max(x, 0) }),
  sigmoid: unaryOp<Attrs['sigmoid']>('sigmoid', { expr: 'sigmoid(x)', deriv: 'g * y * (1.0 - y)', ref: (x) => 1 / (1 + Math.exp(-x)) }),
  gelu: unaryOp<Attrs['gelu']>('gelu', { expr: 'gelu(x)', deriv: 'g * gelu_grad(x)', ref: gelu64 }),
  powScalar: unaryOp<Attrs['powScalar']>('pow', {
    expr: 'pow_scalar(x, a)',
    deriv: 'select(g * a * pow_scalar(x, a - 1.0), 0.0, a == 0.0)',
    ref: (x, p) => (p === 0 ? 1 : sign(p, x) * Math.abs(x) ** p * (x < 0 && !Number.isInteger(p) ? NaN : 1)),
    scalars: (at) => [at.p, 0],
  }),
  affine: unaryOp<Attrs['affine']>('affine', { expr: 'a * x + b', deriv: 'g * a', ref: (x, a, b) => a * x + b, scalars: (at) => [at.a, at.b] }),
};

export const neg = (x: Tensor) => apply('neg', [x], {});
export const exp = (x: Tensor) => apply('exp', [x], {});
export const log = (x: Tensor) => apply('log', [x], {});
export const sqrt = (x: Tensor) => apply('sqrt', [x], {});
export const tanh = (x: Tensor) => apply('tanh', [x], {});
export const relu = (x: Tensor) => apply('relu', [x], {});
export const sigmoid = (x: Tensor) => apply('sigmoid', [x], {});
export const gelu = (x: Tensor) => apply('gelu', [x], {});

/** x ** p for a scalar exponent p. */
export function pow(x: Tensor, p: number): Tensor {
  if (typeof p !== 'number' || !Number.isFinite(p)) throw new Error(`pow: the exponent must be a finite number, got ${p}`);
  return apply('powScalar', [x], { p });
}

/** a * x + b for scalars a, b (how tensor-scalar arithmetic is done). */
export function affine(x: Tensor, a: number, b = 0): Tensor {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new Error(`affine: scalars must be finite, got a = ${a}, b = ${b}`);
  return apply('affine', [x], { a, b });
}
