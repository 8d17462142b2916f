// gatherNd (ONNX GatherND with batch_dims): X viewed as [B, X_1 .. X_k, inner] and IDX as [B, M, k];
// Y[b, m, i] = X[b, IDX[b, m, 0], .., IDX[b, m, k-1], i]. A negative index counts from the end (ONNX);
// one outside [-X_j, X_j) reads as 0 (host-known indices are checked before). On 32-bit words: any dtype.
// Params: n (output elements), M, k, inner, dims = X_1 .. X_k. Workgroup: 256 invocations, one output each.
#include "common.wgsl"
#include "nd_cell.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_id(gid, nwg, 256u);
  if (e >= params.n) { return; }
  let inner = params.inner;
  let row = e / inner; // b * M + m
  let at = nd_cell(row, row / params.M);
  Y[e] = select(0u, X[at.x * inner + e % inner], at.y == 1u);
}
