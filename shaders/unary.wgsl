// Elementwise y = f(x), with f = {{EXPR}} written in x and the scalars a = P[1], b = P[2].
// Layout: x and y contiguous, n = P[0] elements.
// Workgroup: 256 invocations, one element each, over a 2-D grid of workgroups (see flat_id).
#include "common.wgsl"
#include "math.wgsl"

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= pu(0u)) { return; }
  let a = pf(1u);
  let b = pf(2u);
  let x = X[i];
  Y[i] = {{EXPR}};
}
