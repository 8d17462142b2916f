// Batched matmul C[b] = A[b] @ B[b], row-major A [M, K], B [K, N], C [M, N], with workgroup-memory tiles:
// the variant for GPUs, where staging tiles shared by a workgroup saves global memory traffic (on CPU-like
// adapters the barriers cost more: see matmul_vec4.wgsl). A 16x16 workgroup computes a 64x64 tile of C,
// each invocation a 4x4 block; per step of 16 along K it stages a 64x16 tile of A and a 16x64 tile of B
// (zero-filled past the edges, so any size works).
// Params: M, N, K, A batch stride, B batch stride (0 to broadcast), z0. Workgroup: 16x16; z = batch (+ z0).
#include "common.wgsl"
#include "tile_64x64.wgsl"


@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = params.M; let N = params.N; let K = params.K;
  let b = wid.z + params.z0; // z0: the first matrix of this dispatch (src/runtime.ts runBatches)
  let aBase = b * params.sA;
  let bBase = b * params.sB;
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
  let t = lid.y * 16u + lid.x; // 0..255
  var acc: array<array<f32, 4>, 4>;
  for (var k0 = 0u; k0 < K; k0 += TK) {
    // 256 invocations stage 64x16 of A and 16x64 of B: 4 elements each.
    for (var e = 0u; e < 4u; e++) {
      let i = t * 4u + e;
      let ar = i / TK;
      let ak = i % TK;
      let gr = row0 + ar;
      let gk = k0 + ak;
      As[ar][ak] = select(0.0, A[aBase + min(gr, M - 1u) * K + min(gk, K - 1u)], gr < M && gk < K);
      let bk = i / TILE;
      let bc = i % TILE;
      let gk2 = k0 + bk;
      let gc = col0 + bc;
      Bs[bk][bc] = select(0.0, B[bBase + min(gk2, K - 1u) * N + min(gc, N - 1u)], gk2 < K && gc < N);
    }
    workgroupBarrier();
    tile_mad(&acc, lid);
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + lid.y * 4u + i;
    if (r >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let c = col0 + lid.x * 4u + j;
      if (c < N) { C[b * M * N + r * N + c] = acc[i][j]; }
    }
  }
}
