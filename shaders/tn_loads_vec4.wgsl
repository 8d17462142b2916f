// Loads for matmul_tn_acc.wgsl when V and D are multiples of 4 (A and B bound as vec4<f32>): the 4 values
// from a multiple of 4, a whole vec4; past the edge, the last one (computed and dropped).
fn load4_a(r: u32, v: u32, V: u32) -> vec4<f32> {
  return A[(r * V + min(v, V - 4u)) / 4u];
}

fn load4_b(r: u32, d: u32, D: u32) -> vec4<f32> {
  return B[(r * D + min(d, D - 4u)) / 4u];
}
