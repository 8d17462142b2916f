// Sum over the middle axis of a [outer, R, inner] view, times scale, one WORKGROUP per output: the GPU
// variant of reduce_sum.wgsl (same params and chunking), used for contiguous rows (inner = 1), where
// neighbouring invocations then read neighbouring elements. Each invocation adds a strided share of its
// range; a workgroup tree reduction adds the shares in a fixed order (deterministic, no atomics).
// Params: outer, R, inner, chunks, chunk length, scale (f32). Workgroup: 64 invocations = one output.
#include "common.wgsl"
#include "workgroup_reduce.wgsl"
#include "reduce_range.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = wid.x + wid.y * nwg.x;
  let range = reduce_range(j);
  if (j >= range.outputs) { return; }
  let inner = params.inner;
  var acc = 0.0;
  for (var r = lid; r < range.count; r += WG) { acc += X[range.first + r * inner]; }
  let total = workgroup_sum(lid, acc);
  if (lid == 0u) { Y[j] = total * params.scale; }
}
