// Backward of embedding: dW[v, d] = sum over i with idx[i] = v of g[i, d].
// Deterministic scatter-add without atomics: each invocation owns one dW element and scans the
// indices in order (O(n) per element; fine for the vocabularies of small models).
// Params: n, V, D. Workgroup: 256 invocations, one dW element each.
#include "common.wgsl"

@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read> IDX: array<i32>;
@group(0) @binding(3) var<storage, read_write> DW: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let n = pu(0u);
  let V = pu(1u);
  let D = pu(2u);
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
