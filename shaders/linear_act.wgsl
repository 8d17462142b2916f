// The fused linear layer's activation by its code (params.act: 0 none, 1 relu, 2 GELU's tanh form, 3 exact
// GELU) and g times its derivative: shared by linear.wgsl, linear_small.wgsl and linear_backward_small.wgsl.
// relu propagates a NaN, as PyTorch's does. The derivative reads the value the forward saved: the output
// for relu (y > 0 exactly where the pre-activation was), the pre-activation for GELU.
#include "math.wgsl"

fn linear_act(act: u32, pre: f32) -> f32 {
  if (act == 1u) { return nan_max(pre, 0.0); }
  if (act == 2u) { return gelu_tanh(pre); }
  if (act == 3u) { return gelu_erf(pre); }
  return pre;
}

fn linear_act_grad(act: u32, g: f32, saved: f32) -> f32 {
  if (act == 1u) { return select(0.0, g, saved > 0.0); }
  if (act == 2u) { return g * gelu_tanh_grad(saved); }
  if (act == 3u) { return g * gelu_erf_grad(saved); }
  return g;
}
