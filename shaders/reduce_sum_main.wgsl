// The body of reduce_sum.wgsl, shared with the sums that compile({ fuse: true }) generates (src/fuse.ts):
// the including file defines load_x(i), element i of the [outer, R, inner] view (a read of X, or a chain of
// elementwise ops computed on the fly), and the Params of reduce_range.wgsl. Each invocation adds its range
// compensated (kahan_add in common.wgsl): a sum of 100k terms keeps about one rounding's error.
// Workgroup: 64 invocations.
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = flat_id(gid, nwg, 64u);
  let range = reduce_range(j);
  if (j >= range.outputs) { return; }
  let inner = params.inner;
  var acc = vec2<f32>(0.0);
  var idx = range.first;
  for (var r = 0u; r < range.count; r++) {
    acc = kahan_add(acc, load_x(idx));
    idx += inner;
  }
  Y[j] = acc.x * params.scale;
}
