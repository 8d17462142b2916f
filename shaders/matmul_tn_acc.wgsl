// C (+)= A^T B for A [R, V] and B [R, D] (both row-major), C [V, D]; with BIAS also c (+)= column sums of
// A, c [V]. The weight (and bias) gradient of a linear layer from a chunk of rows, accumulated over the
// chunks in their order: dW += dZ^T H, db += sum_r dZ. In place and in a fixed order (no atomics), so the
// sum over chunks has the same bits every run. accumulate = 0 stores instead (the first chunk).
// Register-blocked like matmul_vec4.wgsl: each invocation owns a 16 (along V) x 8 (along D) block
// (register_block.wgsl) and walks the R rows, loading 16 values of A's row and 8 of B's per step (as vec4
// when V and D are multiples of 4: tn_loads_vec4.wgsl, else one by one: tn_loads_scalar.wgsl) for 128
// multiply-adds. Edges are clamped and dropped. A row whose label (Y[row0 + r]) is the ignored one is
// skipped, not multiplied by its zero gradient: its hidden state may be NaN or inf (0 * NaN is NaN).
// Params: R, V, D, accumulate (0/1), bias (0/1), row0 (the chunk's first row in the batch), the ignored
// label. Bindings: 1 A, 2 B (element type T), 3 C, 4 c, 5 labels i32 [N].
// Workgroup: WG_X (along D) x WG_Y (along V).
#include "common.wgsl"
#include "register_block.wgsl"
#include "{{LOADS}}.wgsl"

@compute @workgroup_size({{WG_X}}, {{WG_Y}})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let R = params.R; let V = params.V; let D = params.D;
  let d0 = gid.x * 8u;
  let v0 = gid.y * 16u;
  if (d0 >= D || v0 >= V) { return; }
  var acc: Block16x8; // zero-initialised
  var s0 = vec4<f32>(); var s1 = vec4<f32>(); var s2 = vec4<f32>(); var s3 = vec4<f32>(); // column sums of A
  for (var r = 0u; r < R; r++) {
    if (Y[params.row0 + r] == params.ignore) { continue; }
    let a0 = load4_a(r, v0, V); let a1 = load4_a(r, v0 + 4u, V);
    let a2 = load4_a(r, v0 + 8u, V); let a3 = load4_a(r, v0 + 12u, V);
    let b0 = load4_b(r, d0, D); let b1 = load4_b(r, d0 + 4u, D);
    acc.r0_0 += a0.x * b0; acc.r0_1 += a0.x * b1; acc.r1_0 += a0.y * b0; acc.r1_1 += a0.y * b1;
    acc.r2_0 += a0.z * b0; acc.r2_1 += a0.z * b1; acc.r3_0 += a0.w * b0; acc.r3_1 += a0.w * b1;
    acc.r4_0 += a1.x * b0; acc.r4_1 += a1.x * b1; acc.r5_0 += a1.y * b0; acc.r5_1 += a1.y * b1;
    acc.r6_0 += a1.z * b0; acc.r6_1 += a1.z * b1; acc.r7_0 += a1.w * b0; acc.r7_1 += a1.w * b1;
    acc.r8_0 += a2.x * b0; acc.r8_1 += a2.x * b1; acc.r9_0 += a2.y * b0; acc.r9_1 += a2.y * b1;
    acc.r10_0 += a2.z * b0; acc.r10_1 += a2.z * b1; acc.r11_0 += a2.w * b0; acc.r11_1 += a2.w * b1;
    acc.r12_0 += a3.x * b0; acc.r12_1 += a3.x * b1; acc.r13_0 += a3.y * b0; acc.r13_1 += a3.y * b1;
    acc.r14_0 += a3.z * b0; acc.r14_1 += a3.z * b1; acc.r15_0 += a3.w * b0; acc.r15_1 += a3.w * b1;
    s0 += a0; s1 += a1; s2 += a2; s3 += a3;
  }
  let rows = block_rows(acc);
  let sums = array<vec4<f32>, 4>(s0, s1, s2, s3);
  let accumulate = params.accumulate != 0u;
  for (var i = 0u; i < 16u; i++) {
    let v = v0 + i;
    if (v >= V) { break; }
    for (var j = 0u; j < 8u; j++) {
      let d = d0 + j;
      if (d >= D) { break; }
      let k = v * D + d;
      C[k] = select(0.0, C[k], accumulate) + rows[2u * i + j / 4u][j % 4u];
    }
    if (params.bias != 0u && d0 == 0u) { CB[v] = select(0.0, CB[v], accumulate) + sums[i / 4u][i % 4u]; }
  }
}
