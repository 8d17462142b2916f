// Softmax (LOG = false) or log-softmax (LOG = true) along the middle axis of a [outer, C, inner] view.
// Stable: max-subtracted, so logits of magnitude 1e4 are fine. One invocation per row, three passes
// over it (max, sum of exp, write), no workgroup memory. Deterministic.
// Also the scores softmax of attention: the input times `scale`, and with a causal block T > 0 (inner = 1)
// row r keeps its first (r % T) + 1 entries and writes exact zeros after them.
// Params: outer, C, inner, scale (f32), causal block T (0: none). Workgroup: 64 invocations.
#include "common.wgsl"

const LOG: bool = {{LOG}};

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let outer = params.outer;
  let C = params.C;
  let inner = params.inner;
  let j = flat_id(gid, nwg, 64u);
  if (j >= outer * inner) { return; }
  let base = (j / inner) * C * inner + j % inner;
  let scale = params.scale;
  let causalT = params.causal_t;
  let len = select(C, min(C, j % max(causalT, 1u) + 1u), causalT > 0u); // entries that take part
  var mx = NEG_BIG;
  for (var c = 0u; c < len; c++) { mx = max(mx, X[base + c * inner] * scale); }
  var s = 0.0;
  for (var c = 0u; c < len; c++) { s += exp(X[base + c * inner] * scale - mx); }
  if (LOG) {
    let log_s = log(s); // (x - mx) - log_s: exact first step, no rounding of lse to the logits' magnitude
    for (var c = 0u; c < len; c++) { Y[base + c * inner] = (X[base + c * inner] * scale - mx) - log_s; }
  } else {
    let inv = 1.0 / s;
    for (var c = 0u; c < len; c++) { Y[base + c * inner] = exp(X[base + c * inner] * scale - mx) * inv; }
  }
  for (var c = len; c < C; c++) { Y[base + c * inner] = select(0.0, NEG_BIG, LOG); }
}
