// Softmax (LOG = false) or log-softmax (LOG = true) over contiguous rows [rows, C], one WORKGROUP per row:
// the variant for GPUs, whose neighbouring invocations then read neighbouring elements (softmax.wgsl, one
// invocation per row, is the one for CPU-like adapters). Each invocation folds its strided share of the
// row into an online (max, sum of exp); a workgroup tree reduction combines them; then each writes its
// share. Stable and deterministic (fixed reduction order).
// Params: rows, C. Workgroup: 64 invocations = one row; a 2-D grid of workgroups covers rows > 65535.
#include "common.wgsl"
#include "workgroup_reduce.wgsl"

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

const LOG: bool = {{LOG}};

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let rows = pu(0u);
  let C = pu(1u);
  let row = wid.x + wid.y * nwg.x;
  if (row >= rows) { return; }
  let base = row * C;
  var ms = vec2<f32>(NEG_BIG, 0.0);
  for (var c = lid; c < C; c += WG) { ms = online_logsumexp(ms, X[base + c]); }
  let red = workgroup_logsumexp(lid, ms);
  let mx = red.x;
  if (LOG) {
    let log_s = log(red.y); // (x - mx) - log_s: exact first step, as in softmax.wgsl
    for (var c = lid; c < C; c += WG) { Y[base + c] = (X[base + c] - mx) - log_s; }
  } else {
    let inv = 1.0 / red.y;
    for (var c = lid; c < C; c += WG) { Y[base + c] = exp(X[base + c] - mx) * inv; }
  }
}
