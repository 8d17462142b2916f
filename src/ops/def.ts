// The op contract. Every primitive sits in its family's file in src/ops/: its attributes (merged into Attrs
// below), its OpDef in the family's defineOps table: infer (validation, output shape and dtype: run by both
// backends), forward (kernel dispatch), backward (in terms of other ops and backward kernels), a float64
// reference, and its rule under createGraph; its audit case and Tensor method beside them. The family table
// is typed by the family's Attrs interface, table.ts gathers the families as `{ [P in Primitive]: Op<P> }`
// and the audit's cases as a Record over every primitive, so a primitive missing any of them does not compile.
import type { DType, Tensor } from '../tensor.js';

/** A float64 host tensor: what references compute on (i32 tensors arrive as whole numbers). */
export interface F64 {
  shape: number[];
  data: Float64Array;
}

export interface OpDef<A> {
  /** Checks inputs and attributes, throwing errors that name the op and the values, and gives the output's
   * shape and dtype. Runs before forward and before reference alike, so both backends refuse the same input. */
  infer(inputs: readonly Tensor[], attrs: A): { shape: readonly number[]; dtype: DType };
  /** Dispatches the kernel(s) on inputs that infer accepted, returns the output.
   * `save` keeps a tensor alive for backward (a no-op when no gradient is needed); `needsGrad` says whether
   * backward will run, for fused kernels that write gradients during the forward pass. */
  forward(inputs: Tensor[], attrs: A, save: (t: Tensor) => void, needsGrad: boolean): Tensor;
  /** Gradients for each input from the output's gradient g (null where none flows). Runs under noGrad. */
  backward(g: Tensor, saved: Tensor[], attrs: A, inputs: readonly Tensor[]): (Tensor | null)[];
  /** The same op in float64 on the host: the ground truth for tests, gradcheck and the reference backend. */
  reference(inputs: F64[], attrs: A): F64;
  /** i32 inputs that index something: [input position, exclusive bound]. Under detectAnomaly, values outside
   * [0, bound) computed on the GPU are reported (host-made indices are checked in infer). */
  indexBounds?(inputs: readonly Tensor[], attrs: A): [number, number][];
}

/** A backward rule written in differentiable ops (higher_order.ts). */
export type Rule<A> = (g: Tensor, saved: Tensor[], attrs: A, inputs: readonly Tensor[]) => (Tensor | null)[];
/** What an op does under createGraph (higher_order.ts): `savesInputs`: the forward pass also keeps its inputs
 * (shared storage, no copy) for the rule, which then finds them at the end of `saved` (a fused loss's
 * reshaped labels are disposed before backward). */
export type HigherOrder<A> = { ops: true } | { backward: Rule<A>; savesInputs?: number } | { none: string };

export type None = Record<string, never>;
export type Reduction = 'mean' | 'sum' | 'none';

/** Every primitive's attributes, by name. Each op family declares its own beside its ops (`interface
 * UnaryAttrs` in src/ops/unary.ts, merged here by `declare module`), so an op sits in one file. */
export interface Attrs {}

export type Primitive = keyof Attrs;
/** The activations the fused linear kernel applies: 'gelu' is exact (erf), 'geluTanh' GPT-2's form. */
export type LinearActivation = 'none' | 'relu' | 'gelu' | 'geluTanh';
/** A primitive's definition as apply() runs it: its OpDef with its name and its rule under createGraph. */
export type Op<P extends Primitive> = OpDef<Attrs[P]> & { readonly op: P; readonly higherOrder: HigherOrder<Attrs[P]> };
/** An op family's table (its type names its primitives: the family's own rules can then call its ops). */
export type Ops<K extends Primitive> = { [P in K]: Op<P> };
export type OpTable = Ops<Primitive>;

/** An op family's table (one per file in src/ops/): each primitive's OpDef and, beside it in `rules`, what
 * it does under createGraph; a primitive without either does not compile. The ops call apply() with the
 * entries (`apply(unaryDefs.exp, [x], {})`), so a bundle holds only the families its code reaches. */
export function defineOps<const K extends Primitive>(makeDefs: () => { [P in K]: OpDef<Attrs[P]> }, makeRules: () => { [P in K]: HigherOrder<Attrs[P]> }): Ops<K> {
  // Functions, not objects: with /* @__PURE__ */ on the call, a bundler can drop an unused family whole
  // (an object literal of calls would be kept for its calls' possible side effects).
  const [defs, rules] = [makeDefs(), makeRules()];
  const out = {} as Ops<K>;
  for (const op of Object.keys(defs) as K[]) out[op] = { ...defs[op], op, higherOrder: rules[op] } as Op<typeof op> as never;
  return out;
}
