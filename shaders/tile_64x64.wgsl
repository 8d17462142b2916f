// Shared by the workgroup-tiled products (matmul_tiled.wgsl, conv2d_tiled.wgsl): a 16x16 workgroup computes
// a 64x64 tile of C = A B, each invocation a 4x4 block, staging per step of 16 along K a 64x16 tile of A (As)
// and a 16x64 tile of B (Bs) in workgroup memory; the kernels fill the tiles, this multiplies them.
const TILE: u32 = 64u;
const TK: u32 = 16u;
var<workgroup> As: array<array<f32, 16>, 64>; // [row][k]
var<workgroup> Bs: array<array<f32, 64>, 16>; // [k][col]

// acc (rows lid.y*4.., columns lid.x*4..) += As Bs over the staged TK.
fn tile_mad(acc: ptr<function, array<array<f32, 4>, 4>>, lid: vec3<u32>) {
  for (var k = 0u; k < TK; k++) {
    var bv: array<f32, 4>;
    for (var j = 0u; j < 4u; j++) { bv[j] = Bs[k][lid.x * 4u + j]; }
    for (var i = 0u; i < 4u; i++) {
      let av = As[lid.y * 4u + i][k];
      for (var j = 0u; j < 4u; j++) { (*acc)[i][j] = fma(av, bv[j], (*acc)[i][j]); }
    }
  }
}
