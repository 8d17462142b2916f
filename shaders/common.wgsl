// Shared by every kernel (included with `#include "common.wgsl"`). A kernel's parameters (`params.name`,
// @binding(0)) and bindings are declared in TypeScript (src/kernel.ts), which prepends them to the file.

// 1-D work spread over a 2-D grid of workgroups (x is capped at 65535 groups): the flat invocation index.
fn flat_id(gid: vec3<u32>, nwg: vec3<u32>, wg: u32) -> u32 { return gid.x + gid.y * nwg.x * wg; }

// A large finite sentinel instead of -inf: WGSL leaves inf/NaN behaviour to the implementation.
const NEG_BIG: f32 = -3.4e38;

// NaN found by its bits (exponent all ones, mantissa not zero). WGSL lets a compiler assume there are no
// NaNs, so x != x may fold to false and max/min/!= may drop a NaN (SwiftShader's do); integer tests cannot.
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }

// Neither NaN nor +-inf (exponent bits not all ones).
fn is_finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }

// Compensated (Kahan) summation: s = (sum, the low-order part its last addition lost); the error of n terms
// stays near one rounding instead of growing with n. A non-finite sum carries no compensation (inf - inf
// would make a NaN of an infinite sum).
fn kahan_add(s: vec2<f32>, v: f32) -> vec2<f32> {
  let y = v - s.y;
  let t = s.x + y;
  return vec2<f32>(t, select(0.0, (t - s.x) - y, is_finite(t)));
}

// max and min that propagate a NaN from either side, as PyTorch's maximum, amax, relu and clamp do.
fn nan_max(a: f32, b: f32) -> f32 { return select(select(max(a, b), b, is_nan(b)), a, is_nan(a)); }
fn nan_min(a: f32, b: f32) -> f32 { return select(select(min(a, b), b, is_nan(b)), a, is_nan(a)); }
