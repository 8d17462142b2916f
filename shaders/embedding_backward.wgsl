// Backward of embedding: dW[v, d] = sum over i with idx[i] = v of g[i, d].
// Deterministic scatter-add without atomics: each invocation owns one dW element and scans the
// indices in order (O(n) per element; fine for the vocabularies of small models).
// Params: n, V, D. Workgroup: 256 invocations, one dW element each.
#include "common.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let n = params.n;
  let V = params.V;
  let D = params.D;
  let j = flat_id(gid, nwg, 256u);
  if (j >= V * D) { return; }
  let v = i32(j / D);
  let d = j % D;
  var acc = 0.0;
  for (var i = 0u; i < n; i++) {
    if (IDX[i] == v) { acc += G[i * D + d]; }
  }
  DW[j] = acc;
}
