// Where output element i of a two-input broadcasting op reads its inputs, in one of three modes (MODE):
//   0  a, b and z have the same shape: both read at i;
//   1  each input is the output shape or a trailing block of it (a bias, a scalar): i % na, i % nb;
//   2  general: per dim d (row-major) the output extent and each input's stride (0 along a broadcast axis),
//      params.dims = (extent, a stride, b stride) per dim, params.rank dims.
// Shared by binary.wgsl and compare.wgsl (their Params: n, na, nb, rank, dims).
const MODE: u32 = {{MODE}}u;

fn broadcast_ab(i: u32) -> vec2<u32> {
  if (MODE == 1u) { return vec2<u32>(i % params.na, i % params.nb); }
  if (MODE == 0u) { return vec2<u32>(i, i); }
  var ia = 0u;
  var ib = 0u;
  var rest = i;
  for (var d = params.rank; d > 0u; d--) {
    let base = 3u * (d - 1u);
    let extent = params.dims[base];
    let c = rest % extent;
    rest = rest / extent;
    ia += c * params.dims[base + 1u];
    ib += c * params.dims[base + 2u];
  }
  return vec2<u32>(ia, ib);
}
