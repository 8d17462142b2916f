// The indices of the k largest values along the middle axis of a [outer, R, inner] view, largest first
// (ties: the lower index first; torch.topk's sorted order): k passes of selection per line, each taking the
// largest value below the previous pick in (value, index) order. O(R k) per line, no workgroup memory.
// Params: outer, R, inner, k. Workgroup: 64 invocations, one line each.
#include "common.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let inner = params.inner;
  let R = params.R;
  let k = params.k;
  let j = flat_id(gid, nwg, 64u);
  if (j >= params.outer * inner) { return; }
  let o = j / inner;
  let i = j % inner;
  let base = o * R * inner + i;
  var prevV = 0.0;
  var prevI = -1;
  for (var t = 0u; t < k; t++) {
    var bestI = -1;
    var bestV = 0.0;
    for (var r = 0u; r < R; r++) {
      let v = X[base + r * inner];
      // after the previous pick in (value desc, index asc) order
      let after = prevI < 0 || v < prevV || (v == prevV && i32(r) > prevI);
      if (after && (bestI < 0 || v > bestV)) { bestV = v; bestI = i32(r); }
    }
    IDX[(o * k + t) * inner + i] = bestI;
    prevV = bestV;
    prevI = bestI;
  }
}
