// Sum over the middle axis of a [outer, R, inner] view, times scale (1 for sum, 1/R for mean).
// Deterministic: one invocation owns an output and adds its inputs in index order (no atomics).
// For long reductions with few outputs the R axis is cut into `chunks` pieces, each summed by its own
// invocation into [outer, chunks, inner]; a second dispatch sums the chunks.
// Params: outer, R, inner, chunks, chunk length, scale (f32). Workgroup: 64 invocations.
#include "common.wgsl"
#include "reduce_range.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = flat_id(gid, nwg, 64u);
  let range = reduce_range(j);
  if (j >= range.outputs) { return; }
  let inner = params.inner;
  var acc = 0.0;
  var idx = range.first;
  for (var r = 0u; r < range.count; r++) {
    acc += X[idx];
    idx += inner;
  }
  Y[j] = acc * params.scale;
}
