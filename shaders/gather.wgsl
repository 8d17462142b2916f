// torch.gather: Y[c] = X[c with c_axis replaced by IDX[c]] for every multi-index c of the index's shape
// (which may be smaller than X's on the other axes); an index outside [0, X's axis size) reads as 0.
// On 32-bit words: any dtype. Params: n (index elements), rank, axis, size (X's extent on axis), then
// dims = (index extent, X stride) per axis. Workgroup: 256 invocations, one output element each.
#include "common.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_id(gid, nwg, 256u);
  if (e >= params.n) { return; }
  var src = 0u;
  var rest = e;
  for (var d = params.rank; d > 0u; d--) {
    let base = 2u * (d - 1u);
    let extent = params.dims[base];
    let c = rest % extent;
    rest = rest / extent;
    if (d - 1u != params.axis) { src += c * params.dims[base + 1u]; }
  }
  let r = IDX[e];
  let ok = r >= 0 && u32(r) < params.size;
  Y[e] = select(0u, X[src + select(0u, u32(r), ok) * params.dims[2u * params.axis + 1u]], ok);
}
