// scatter_add, out of place and deterministic (no atomics): for every element c of the output (X's shape),
// Y[c] = X[c] (or 0 without BASE) + the sum over p = 0, 1, ... of SRC[c'] where c' is c with c_axis := p,
// c' lies inside the index's shape, and IDX[c'] == c_axis. Each output element adds its own contributions
// in increasing p: the same bits every run. Also gather's backward (no BASE, SRC = the gradient).
// With REPLACE (torch.scatter, ONNX ScatterElements without reduction) the last such SRC[c'] (largest p)
// replaces X[c] instead: PyTorch leaves duplicates unspecified, here the last one wins.
// Params: n (output elements), rank, axis, then dims = (out extent, index extent, index stride, src stride)
// per axis. Workgroup: 256 invocations, one output element each.
#include "common.wgsl"

const BASE: bool = {{BASE}};
const REPLACE: bool = {{REPLACE}};

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_id(gid, nwg, 256u);
  if (e >= params.n) { return; }
  let axis = params.axis;
  var ioff = 0u; // offset of c' with p = 0 in the index and in src
  var soff = 0u;
  var inside = true;
  var caxis = 0u;
  var rest = e;
  for (var d = params.rank; d > 0u; d--) {
    let base = 4u * (d - 1u);
    let extent = params.dims[base];
    let c = rest % extent;
    rest = rest / extent;
    if (d - 1u == axis) { caxis = c; } else {
      inside = inside && c < params.dims[base + 1u];
      ioff += c * params.dims[base + 2u];
      soff += c * params.dims[base + 3u];
    }
  }
  var acc = 0.0;
  if (BASE) { acc = X[e]; }
  if (inside) {
    let ab = 4u * axis;
    for (var p = 0u; p < params.dims[ab + 1u]; p++) {
      if (IDX[ioff + p * params.dims[ab + 2u]] == i32(caxis)) {
        let v = SRC[soff + p * params.dims[ab + 3u]];
        if (REPLACE) { acc = v; } else { acc += v; }
      }
    }
  }
  Y[e] = acc;
}
