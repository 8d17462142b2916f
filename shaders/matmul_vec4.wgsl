// Batched matmul C[b] = A[b] @ B[b] for row-major A [batch?, M, K] and B [batch?, K, N] with K and N
// multiples of 4, read as vec4. Each invocation computes a 4x4 block of C in registers: per step of 4
// along K it loads 4 vec4 of A and 4 vec4 of B for 64 multiply-adds. No workgroup memory (see
// matmul_strided.wgsl for why). Rows past M are clamped for loading and dropped at the store.
// Params: M, N, K, A batch stride, B batch stride (0 to broadcast), in elements.
// Workgroup: 8x8 invocations = a 32x32 tile of C; z = batch.
#include "common.wgsl"

@group(0) @binding(1) var<storage, read> A: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> C: array<vec4<f32>>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let M = pu(0u); let N = pu(1u); let K = pu(2u);
  let n4 = gid.x;
  let m0 = gid.y * 4u;
  let b = gid.z;
  let N4 = N / 4u;
  let K4 = K / 4u;
  if (n4 >= N4 || m0 >= M) { return; }
  let aBase = b * pu(3u) / 4u;
  var pa = vec4<u32>(min(m0, M - 1u), min(m0 + 1u, M - 1u), min(m0 + 2u, M - 1u), min(m0 + 3u, M - 1u)) * K4 + aBase;
  var pb = b * pu(4u) / 4u + n4;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k = 0u; k < K4; k++) {
    let b0 = B[pb];
    let b1 = B[pb + N4];
    let b2 = B[pb + 2u * N4];
    let b3 = B[pb + 3u * N4];
    let a0 = A[pa.x];
    let a1 = A[pa.y];
    let a2 = A[pa.z];
    let a3 = A[pa.w];
    acc0 += a0.x * b0 + a0.y * b1 + a0.z * b2 + a0.w * b3;
    acc1 += a1.x * b0 + a1.y * b1 + a1.z * b2 + a1.w * b3;
    acc2 += a2.x * b0 + a2.y * b1 + a2.z * b2 + a2.w * b3;
    acc3 += a3.x * b0 + a3.y * b1 + a3.z * b2 + a3.w * b3;
    pa += vec4<u32>(1u);
    pb += 4u * N4;
  }
  let base = b * M * N4 + n4;
  C[base + m0 * N4] = acc0;
  if (m0 + 1u < M) { C[base + (m0 + 1u) * N4] = acc1; }
  if (m0 + 2u < M) { C[base + (m0 + 2u) * N4] = acc2; }
  if (m0 + 3u < M) { C[base + (m0 + 3u) * N4] = acc3; }
}
