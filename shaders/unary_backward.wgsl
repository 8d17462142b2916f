// Backward of an elementwise op: dx = {{DERIV}}, written in x (input), y (output), g (upstream
// gradient) and the op's scalars a = P[1], b = P[2]. One dispatch per op instead of a chain of ops.
// Layout: x, y, g, dx contiguous; with T = vec4<f32> one vec4 per invocation, DERIV per lane (MAP), as in
// unary.wgsl. P[0] = n / 4 then, else n. Workgroup: 256 invocations.
#include "common.wgsl"
#include "math.wgsl"

@group(0) @binding(1) var<storage, read> X: array<{{T}}>;
@group(0) @binding(2) var<storage, read> Y: array<{{T}}>;
@group(0) @binding(3) var<storage, read> G: array<{{T}}>;
@group(0) @binding(4) var<storage, read_write> DX: array<{{T}}>;

fn d(x: f32, y: f32, g: f32, a: f32, b: f32) -> f32 {
  return {{DERIV}};
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= pu(0u)) { return; }
  let a = pf(1u);
  let b = pf(2u);
  let x = X[i];
  let y = Y[i];
  let g = G[i];
  DX[i] = {{MAP}};
}
