// Softmax (LOG = false) or log-softmax (LOG = true) over contiguous rows [rows, C], one WORKGROUP per row:
// the variant for GPUs, whose neighbouring invocations then read neighbouring elements (softmax.wgsl, one
// invocation per row, is the one for CPU-like adapters). Each invocation folds its strided share of the
// row into an online (max, sum of exp); a workgroup tree reduction combines them; then each writes its
// share. Stable and deterministic (fixed reduction order).
// Scale and causal block as in softmax.wgsl (attention's scores). Params: rows, C, (unused), scale (f32),
// causal block T (0: none). Workgroup: 64 invocations = one row; a 2-D grid covers rows > 65535.
#include "common.wgsl"
#include "workgroup_reduce.wgsl"

const LOG: bool = {{LOG}};

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let rows = params.outer;
  let C = params.C;
  let row = wid.x + wid.y * nwg.x;
  if (row >= rows) { return; }
  let base = row * C;
  let scale = params.scale;
  let causalT = params.causal_t;
  let len = select(C, min(C, row % max(causalT, 1u) + 1u), causalT > 0u); // entries that take part
  var ms = vec2<f32>(NEG_BIG, 0.0);
  for (var c = lid; c < len; c += WG) { ms = online_logsumexp(ms, X[base + c] * scale); }
  let red = workgroup_logsumexp(lid, ms);
  let mx = red.x;
  if (LOG) {
    let log_s = log(red.y); // (x - mx) - log_s: exact first step, as in softmax.wgsl
    for (var c = lid; c < len; c += WG) { Y[base + c] = (X[base + c] * scale - mx) - log_s; }
  } else {
    let inv = 1.0 / red.y;
    for (var c = lid; c < len; c += WG) { Y[base + c] = exp(X[base + c] * scale - mx) * inv; }
  }
  for (var c = len + lid; c < C; c += WG) { Y[base + c] = select(0.0, NEG_BIG, LOG); }
}
