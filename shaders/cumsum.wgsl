// Cumulative sum along the middle axis of a [outer, R, inner] view: Y[o, r, i] = sum_{s <= r} X[o, s, i],
// or with REVERSE the suffix sum over s >= r (the backward); with EXCLUSIVE without X[o, r, i] itself (ONNX
// CumSum's exclusive). One invocation per (o, i) line adds in a fixed order, compensated (kahan_add: a prefix
// of 5,000 terms is as accurate as one addition): deterministic.
// Params: outer, R, inner. Workgroup: 64 invocations, one line each.
#include "common.wgsl"

const REVERSE: bool = {{REVERSE}};
const EXCLUSIVE: bool = {{EXCLUSIVE}};

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let inner = params.inner;
  let R = params.R;
  let j = flat_id(gid, nwg, 64u);
  if (j >= params.outer * inner) { return; }
  let base = (j / inner) * R * inner + j % inner;
  var acc = vec2<f32>(0.0);
  for (var s = 0u; s < R; s++) {
    let r = select(s, R - 1u - s, REVERSE);
    let v = X[base + r * inner];
    if (EXCLUSIVE) { Y[base + r * inner] = acc.x; }
    acc = kahan_add(acc, v);
    if (!EXCLUSIVE) { Y[base + r * inner] = acc.x; }
  }
}
