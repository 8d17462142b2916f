// Backward of embedding when the indices are known on the host: dW[v, d] = sum over i with idx[i] = v of
// g[i, d], reading only row v's positions. ROWS holds, from the host, offsets [V + 1] then the positions
// [n] sorted by row and, within a row, in increasing order: the same additions in the same order as the
// scan in embedding_backward.wgsl (so the same bits), in O(n D + V D) instead of O(n V D).
// Params: n, V, D. Workgroup: 256 invocations, one dW element each.
#include "common.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let V = params.V;
  let D = params.D;
  let j = flat_id(gid, nwg, 256u);
  if (j >= V * D) { return; }
  let v = j / D;
  let d = j % D;
  let first = u32(ROWS[v]);
  let last = u32(ROWS[v + 1u]);
  var acc = 0.0;
  for (var p = first; p < last; p++) { acc += G[u32(ROWS[V + 1u + p]) * D + d]; }
  DW[j] = acc;
}
