// Gradient clipping factor from the total squared norm: coef = min(1, max_norm / (sqrt(total) + 1e-6)),
// PyTorch's clip_grad_norm_. Also writes the norm itself, and the stamp of the optimiser step the factor is
// for (an update applies it only at that step, so no dispatch resets it afterwards; 0 for the free function).
// Params: max_norm (f32), stamp (u32).
// Bindings: 1 total squared norm [1], 2 out [3] = (coef, norm: f32 bits; stamp: u32), bound as u32 so that
// the stamp never passes through an f32 (a small integer's bits are a subnormal, which an adapter may flush).
// Workgroup: 1 invocation.
#include "common.wgsl"

@compute @workgroup_size(1)
fn main() {
  let norm = sqrt(TOTAL[0]);
  OUT[0] = bitcast<u32>(min(1.0, params.max_norm / (norm + 1e-6)));
  OUT[1] = bitcast<u32>(norm);
  OUT[2] = params.stamp;
}
