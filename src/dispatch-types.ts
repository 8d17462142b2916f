// Types shared by the runtime, the kernel parameter layout and fusion, and no code: a view of a GPU buffer and
// what an elementwise dispatch computes. They sit below all three, so src/runtime.ts needs nothing from
// src/fuse.ts or src/kernel.ts, not even a type (test/layers.test.ts checks the run-time imports).

/** A GPU buffer and the bytes the kernel may see: `bytes` from `offset` (a multiple of 256; default 0). */
export interface BufferView {
  buffer: GPUBuffer;
  bytes: number;
  offset?: number;
}

/** What an elementwise dispatch computes, element i of n. */
export interface Elementwise {
  /** 'sum': reduce_sum.wgsl reading inputs[0] (its n elements): a run of ops that made that input may
   * become the sum's prologue. */
  kind: 'unary' | 'unaryBackward' | 'binary' | 'sum';
  /** unary: in x, a, b; unaryBackward: in x, y, g, a, b; binary: in a, b (the inputs). */
  expr: string;
  /** The scalars a, b of unary and unaryBackward. */
  scalars: [number, number];
  /** The views read, in the order of the expression's inputs; sizes[j] elements each: n (read at i) or a
   * trailing block read at i % sizes[j]. */
  inputs: BufferView[];
  sizes: number[];
  output: BufferView;
  n: number;
}
