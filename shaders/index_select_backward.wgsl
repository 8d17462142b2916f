// index_select's backward, deterministic (no atomics): DX[o, r, i] = sum over the positions j with
// IDX[j] == r of G[o, j, i], added in increasing j. With ROWS (host-known indices) ROWS holds offsets [R + 1]
// then positions grouped by row (a counting sort), so each element reads only its own; otherwise it scans
// all k indices. Params: outer, R, inner, k. Workgroup: 256 invocations, one DX element each.
#include "common.wgsl"

const ROWS: bool = {{ROWS}};

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_id(gid, nwg, 256u);
  let inner = params.inner;
  let R = params.R;
  let k = params.k;
  if (e >= params.outer * R * inner) { return; }
  let i = e % inner;
  let r = (e / inner) % R;
  let o = e / (inner * R);
  var acc = 0.0;
  if (ROWS) {
    for (var p = u32(IDX[r]); p < u32(IDX[r + 1u]); p++) {
      acc += G[(o * k + u32(IDX[R + 1u + p])) * inner + i];
    }
  } else {
    for (var j = 0u; j < k; j++) {
      if (IDX[j] == i32(r)) { acc += G[(o * k + j) * inner + i]; }
    }
  }
  DX[e] = acc;
}
