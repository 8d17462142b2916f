// tril / triu over the last two axes of [batch, R, C]: y = x where the element is kept, else 0.
// tril keeps c - r <= diagonal, triu keeps c - r >= diagonal (UPPER). The backward is the same kernel on the
// gradient. On 32-bit words: f32, i32 and bool alike. Params: n, R, C, diagonal (i32). Workgroup: 256 invocations, one element each.
#include "common.wgsl"

const UPPER: bool = {{UPPER}};

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= params.n) { return; }
  let c = i32(i % params.C);
  let r = i32((i / params.C) % params.R);
  let keep = select(c - r <= params.diagonal, c - r >= params.diagonal, UPPER);
  Y[i] = select(0u, X[i], keep); // 0u: the zero of every 32-bit dtype
}
