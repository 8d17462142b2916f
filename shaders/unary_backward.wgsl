// Backward of an elementwise op: dx = {{DERIV}}, written in x (input), y (output), g (upstream
// gradient) and the op's scalars a, b (params). One dispatch per op instead of a chain of ops.
// Layout: x, y, g, dx contiguous; with T = vec4<f32> one vec4 per invocation, DERIV per lane (MAP), as in
// unary.wgsl. n counts vec4s then, else elements. Workgroup: 256 invocations.
#include "common.wgsl"
#include "math.wgsl"

fn d(x: f32, y: f32, g: f32, a: f32, b: f32) -> f32 {
  return {{DERIV}};
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= params.n) { return; }
  let a = params.a;
  let b = params.b;
  let x = X[i];
  let y = Y[i];
  let g = G[i];
  DX[i] = {{MAP}};
}
