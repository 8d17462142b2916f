// Shared by every kernel (included with `#include "common.wgsl"`).
// @binding(0) holds the dispatch's parameters as 32-bit words, packed by Params in src/runtime.ts.
@group(0) @binding(0) var<storage, read> P: array<u32>;

fn pu(i: u32) -> u32 { return P[i]; }
fn pi(i: u32) -> i32 { return bitcast<i32>(P[i]); }
fn pf(i: u32) -> f32 { return bitcast<f32>(P[i]); }

// 1-D work spread over a 2-D grid of workgroups (x is capped at 65535 groups): the flat invocation index.
fn flat_id(gid: vec3<u32>, nwg: vec3<u32>, wg: u32) -> u32 { return gid.x + gid.y * nwg.x * wg; }

// A large finite sentinel instead of -inf: WGSL leaves inf/NaN behaviour to the implementation.
const NEG_BIG: f32 = -3.4e38;
