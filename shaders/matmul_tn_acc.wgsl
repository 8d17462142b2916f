// C (+)= A^T B for A [R, V] and B [R, D] (both row-major), C [V, D]; with BIAS also c (+)= column sums of
// A, c [V]. The weight (and bias) gradient of a linear layer from a chunk of rows, accumulated over the
// chunks in their order: dW += dZ^T H, db += sum_r dZ. In place and in a fixed order (no atomics), so the
// sum over chunks has the same bits every run. accumulate = 0 stores instead (the first chunk).
// Register-blocked: each invocation owns an 8 (along V) x 4 (along D) block and walks the R rows, loading
// 8 values of A's row and 4 of B's per step for 32 multiply-adds. Edges are clamped and dropped.
// Params: R, V, D, accumulate (0/1), bias (0/1). Bindings: 1 A, 2 B, 3 C, 4 c.
// Workgroup: WG_X (along D) x WG_Y (along V).
#include "common.wgsl"

@compute @workgroup_size({{WG_X}}, {{WG_Y}})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let R = params.R; let V = params.V; let D = params.D;
  let d0 = gid.x * 4u;
  let v0 = gid.y * 8u;
  if (d0 >= D || v0 >= V) { return; }
  let dc = min(vec4<u32>(d0, d0 + 1u, d0 + 2u, d0 + 3u), vec4<u32>(D - 1u));
  let va = min(vec4<u32>(v0, v0 + 1u, v0 + 2u, v0 + 3u), vec4<u32>(V - 1u));
  let vb = min(vec4<u32>(v0 + 4u, v0 + 5u, v0 + 6u, v0 + 7u), vec4<u32>(V - 1u));
  var c0 = vec4<f32>(); var c1 = vec4<f32>(); var c2 = vec4<f32>(); var c3 = vec4<f32>();
  var c4 = vec4<f32>(); var c5 = vec4<f32>(); var c6 = vec4<f32>(); var c7 = vec4<f32>();
  var s0 = vec4<f32>(); var s1 = vec4<f32>(); // column sums of A (the bias gradient)
  for (var r = 0u; r < R; r++) {
    let ra = r * V;
    let rb = r * D;
    let b = vec4<f32>(B[rb + dc.x], B[rb + dc.y], B[rb + dc.z], B[rb + dc.w]);
    let a0 = vec4<f32>(A[ra + va.x], A[ra + va.y], A[ra + va.z], A[ra + va.w]);
    let a1 = vec4<f32>(A[ra + vb.x], A[ra + vb.y], A[ra + vb.z], A[ra + vb.w]);
    c0 += a0.x * b; c1 += a0.y * b; c2 += a0.z * b; c3 += a0.w * b;
    c4 += a1.x * b; c5 += a1.y * b; c6 += a1.z * b; c7 += a1.w * b;
    s0 += a0; s1 += a1;
  }
  let rows = array<vec4<f32>, 8>(c0, c1, c2, c3, c4, c5, c6, c7);
  let sums = array<f32, 8>(s0.x, s0.y, s0.z, s0.w, s1.x, s1.y, s1.z, s1.w);
  let acc = params.accumulate != 0u;
  for (var i = 0u; i < 8u; i++) {
    let v = v0 + i;
    if (v >= V) { break; }
    for (var j = 0u; j < 4u; j++) {
      let d = d0 + j;
      if (d >= D) { break; }
      let k = v * D + d;
      C[k] = select(0.0, C[k], acc) + rows[i][j];
    }
    if (params.bias != 0u && d0 == 0u) { CB[v] = select(0.0, CB[v], acc) + sums[i]; }
  }
}
