// Batched matmul C[b] = A[b] @ B[b] for any sizes and layouts (transposed operands come as strides).
// A[b, m, k] = A[b*sAb + m*sAm + k*sAk], B[b, k, n] = B[b*sBb + k*sBk + n*sBn], C is contiguous [batch, M, N].
// Register-blocked: each invocation computes a 4x4 block of C in registers, with no workgroup memory
// (barriers are expensive on CPU-like adapters such as SwiftShader). Rows and columns past the edge are
// clamped for loading and dropped at the store, so the inner loop has no branches.
// Params: M, N, K, sAb, sAm, sAk, sBb, sBk, sBn, z0. Workgroup: 8x8 invocations = a 32x32 tile; z = batch (+ z0).
#include "common.wgsl"

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let M = params.M; let N = params.N; let K = params.K;
  let sAm = params.sAm; let sAk = params.sAk;
  let sBk = params.sBk; let sBn = params.sBn;
  let n0 = gid.x * 4u;
  let m0 = gid.y * 4u;
  let b = gid.z + params.z0; // z0: the first matrix of this dispatch (src/runtime.ts runBatches)
  if (n0 >= N || m0 >= M) { return; }
  var pa = vec4<u32>(min(m0, M - 1u), min(m0 + 1u, M - 1u), min(m0 + 2u, M - 1u), min(m0 + 3u, M - 1u)) * sAm + b * params.sA;
  let cols = vec4<u32>(min(n0, N - 1u), min(n0 + 1u, N - 1u), min(n0 + 2u, N - 1u), min(n0 + 3u, N - 1u)) * sBn;
  var pb = b * params.sB;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k = 0u; k < K; k++) {
    let bv = vec4<f32>(B[pb + cols.x], B[pb + cols.y], B[pb + cols.z], B[pb + cols.w]);
    acc0 += A[pa.x] * bv;
    acc1 += A[pa.y] * bv;
    acc2 += A[pa.z] * bv;
    acc3 += A[pa.w] * bv;
    pa += vec4<u32>(sAk);
    pb += sBk;
  }
  let base = b * M * N;
  let rows = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + i;
    if (m >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (n0 + j < N) { C[base + m * N + n0 + j] = rows[i][j]; }
    }
  }
}
