// Copies a strided region of X into a strided region of Y: for each multi-index c of the region (row-major
// over the region's extents), Y[dst_offset + sum_d c_d * dst_stride_d] = X[src_offset + sum_d c_d *
// src_stride_d]. Y's other elements are left as they are, so several dispatches can fill one output
// (cat), or write a region into a filled one (pad, the backward of slice). Each Y element is written by at
// most one invocation: deterministic, no atomics.
// Works on 32-bit words, so f32, i32 and bool alike. Params: n (region elements), rank, src_offset,
// dst_offset, then dims = (extent, src stride, dst stride) per axis.
// Workgroup: 256 invocations, one region element each.
#include "common.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= params.n) { return; }
  var src = params.src_offset;
  var dst = params.dst_offset;
  var rest = i;
  for (var d = params.rank; d > 0u; d--) {
    let base = 3u * (d - 1u);
    let extent = params.dims[base];
    let c = rest % extent;
    rest = rest / extent;
    src += c * params.dims[base + 1u];
    dst += c * params.dims[base + 2u];
  }
  Y[dst] = X[src];
}
