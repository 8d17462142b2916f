// Sum over the middle axis of a [outer, R, inner] view, times scale (1 for sum, 1/R for mean).
// Deterministic: one invocation owns an output and adds its inputs in index order (no atomics).
// For long reductions with few outputs the R axis is cut into `chunks` pieces, each summed by its own
// invocation into [outer, chunks, inner]; a second dispatch sums the chunks.
// Params: outer, R, inner, chunks, chunk length, scale (f32). Workgroup: 64 invocations (the body is
// reduce_sum_main.wgsl, which fused sums share).
#include "common.wgsl"
#include "reduce_range.wgsl"

fn load_x(i: u32) -> f32 { return X[i]; }

#include "reduce_sum_main.wgsl"
