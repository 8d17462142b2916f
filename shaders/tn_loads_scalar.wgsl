// Loads for matmul_tn_acc.wgsl in general (A and B bound as f32): 4 values from row r, clamped at the
// edge (computed and dropped).
fn load4_a(r: u32, v: u32, V: u32) -> vec4<f32> {
  let c = min(vec4<u32>(v, v + 1u, v + 2u, v + 3u), vec4<u32>(V - 1u)) + r * V;
  return vec4<f32>(A[c.x], A[c.y], A[c.z], A[c.w]);
}

fn load4_b(r: u32, d: u32, D: u32) -> vec4<f32> {
  let c = min(vec4<u32>(d, d + 1u, d + 2u, d + 3u), vec4<u32>(D - 1u)) + r * D;
  return vec4<f32>(B[c.x], B[c.y], B[c.z], B[c.w]);
}
