// Batched 2-D transpose Y[b, c, r] = X[b, r, c] for R and C multiples of 4, in 4x4 blocks: each invocation
// reads four vec4 rows of X and writes four vec4 rows of Y (the general strided_copy.wgsl does one element
// per invocation with a division per dimension, about 20x slower on SwiftShader).
// Works on 32-bit words, so f32 and i32 alike. Params: R, C. Workgroup: 8x8 blocks; x = c/4, y = r/4, z = b.
#include "common.wgsl"

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let R = params.R; let C = params.C;
  let C4 = C / 4u; let R4 = R / 4u;
  let c4 = gid.x; let r4 = gid.y;
  if (c4 >= C4 || r4 >= R4) { return; }
  let base = gid.z * R4 * C;
  let src = base + r4 * 4u * C4 + c4;
  let x0 = X[src]; let x1 = X[src + C4]; let x2 = X[src + 2u * C4]; let x3 = X[src + 3u * C4];
  let dst = base + c4 * 4u * R4 + r4;
  Y[dst] = vec4<u32>(x0.x, x1.x, x2.x, x3.x);
  Y[dst + R4] = vec4<u32>(x0.y, x1.y, x2.y, x3.y);
  Y[dst + 2u * R4] = vec4<u32>(x0.z, x1.z, x2.z, x3.z);
  Y[dst + 3u * R4] = vec4<u32>(x0.w, x1.w, x2.w, x3.w);
}
