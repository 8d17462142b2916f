// Max (BETTER '>') or min (BETTER '<') over the middle axis of a [outer, R, inner] view, with the index of
// the first extremum (saved for backward, which routes the gradient to that element only). A NaN wins over
// everything and stays (PyTorch's amax/argmax: the result is NaN and the index points at the first NaN);
// found by its bits (is_nan), since WGSL's comparisons may ignore NaN.
// Params: outer, R, inner. Workgroup: 64 invocations, one output each.
#include "common.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let outer = params.outer;
  let R = params.R;
  let inner = params.inner;
  let j = flat_id(gid, nwg, 64u);
  if (j >= outer * inner) { return; }
  let i = j % inner;
  let o = j / inner;
  var best = X[o * R * inner + i];
  var arg = 0u;
  for (var r = 1u; r < R; r++) {
    let v = X[(o * R + r) * inner + i];
    if (!is_nan(best) && (is_nan(v) || v {{BETTER}} best)) { best = v; arg = r; }
  }
  Y[j] = best;
  ARG[j] = i32(arg);
}
