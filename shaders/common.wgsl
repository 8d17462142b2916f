// Shared by every kernel (included with `#include "common.wgsl"`). A kernel's parameters (`params.name`,
// @binding(0)) and bindings are declared in TypeScript (src/kernel.ts), which prepends them to the file.

// 1-D work spread over a 2-D grid of workgroups (x is capped at 65535 groups): the flat invocation index.
fn flat_id(gid: vec3<u32>, nwg: vec3<u32>, wg: u32) -> u32 { return gid.x + gid.y * nwg.x * wg; }

// A large finite sentinel instead of -inf: WGSL leaves inf/NaN behaviour to the implementation.
const NEG_BIG: f32 = -3.4e38;
