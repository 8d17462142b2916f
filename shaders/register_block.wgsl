// The 16x8 register block of the register-blocked kernels (matmul_vec4.wgsl, linear.wgsl): row r of the
// block is the two vec4 fields r<r>_0 and r<r>_1. Named fields, not an array, so that the compiler keeps
// them in registers: a dynamically indexed local array can end up in memory (2x slower on SwiftShader).
struct Block16x8 {
  r0_0: vec4<f32>, r0_1: vec4<f32>,
  r1_0: vec4<f32>, r1_1: vec4<f32>,
  r2_0: vec4<f32>, r2_1: vec4<f32>,
  r3_0: vec4<f32>, r3_1: vec4<f32>,
  r4_0: vec4<f32>, r4_1: vec4<f32>,
  r5_0: vec4<f32>, r5_1: vec4<f32>,
  r6_0: vec4<f32>, r6_1: vec4<f32>,
  r7_0: vec4<f32>, r7_1: vec4<f32>,
  r8_0: vec4<f32>, r8_1: vec4<f32>,
  r9_0: vec4<f32>, r9_1: vec4<f32>,
  r10_0: vec4<f32>, r10_1: vec4<f32>,
  r11_0: vec4<f32>, r11_1: vec4<f32>,
  r12_0: vec4<f32>, r12_1: vec4<f32>,
  r13_0: vec4<f32>, r13_1: vec4<f32>,
  r14_0: vec4<f32>, r14_1: vec4<f32>,
  r15_0: vec4<f32>, r15_1: vec4<f32>,
}

// The block as an array of rows (2 vec4 each), for the store loop after the main loop.
fn block_rows(b: Block16x8) -> array<vec4<f32>, 32> {
  return array<vec4<f32>, 32>(b.r0_0, b.r0_1, b.r1_0, b.r1_1, b.r2_0, b.r2_1, b.r3_0, b.r3_1, b.r4_0, b.r4_1, b.r5_0, b.r5_1, b.r6_0, b.r6_1, b.r7_0, b.r7_1, b.r8_0, b.r8_1, b.r9_0, b.r9_1, b.r10_0, b.r10_1, b.r11_0, b.r11_1, b.r12_0, b.r12_1, b.r13_0, b.r13_1, b.r14_0, b.r14_1, b.r15_0, b.r15_1);
}

// Rows first .. first+3, clamped to last: clamped rows are loaded, computed and dropped at the store.
fn clamped4(first: u32, last: u32) -> vec4<u32> {
  return min(vec4<u32>(first, first + 1u, first + 2u, first + 3u), vec4<u32>(last));
}
