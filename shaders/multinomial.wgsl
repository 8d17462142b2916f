// Samples n category indices per row of unnormalised probabilities P [rows, C] (torch.multinomial):
// draw s of row r uses u = hash(hash(seed ^ r) ^ s) / 2^24 (dropout_mask.wgsl's counter-based hash: no
// state, deterministic for a seed), scaled by the row's total, and walks the cumulative sum in order. Without
// REPLACEMENT the categories already drawn in the row are left out of the total and the walk. The float64
// reference (src/ops/random.ts) repeats the f32 arithmetic step by step and draws the same indices.
// A row PyTorch refuses (a negative, NaN or infinite probability; no mass left for a draw) gets -1 draws,
// which a check of the output (check_indices.wgsl, always on for multinomial) reports at the next readback.
// Params: rows, C, n, seed. Workgroup: 64 invocations, one row each.
#include "common.wgsl"

const REPLACEMENT: bool = {{REPLACEMENT}};

fn hash_u32(x: u32) -> u32 {
  var h = x * 747796405u + 2891336453u;
  h = ((h >> ((h >> 28u) + 4u)) ^ h) * 277803737u;
  return (h >> 22u) ^ h;
}

fn taken(row: u32, s: u32, c: u32) -> bool {
  for (var t = 0u; t < s; t++) { if (OUT[row * params.n + t] == i32(c)) { return true; } }
  return false;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = flat_id(gid, nwg, 64u);
  if (row >= params.rows) { return; }
  let C = params.C;
  let base = row * C;
  var valid = true;
  for (var c = 0u; c < C; c++) {
    let p = P[base + c];
    if (!is_finite(p) || p < 0.0) { valid = false; }
  }
  if (!valid) {
    for (var s = 0u; s < params.n; s++) { OUT[row * params.n + s] = -1; }
    return;
  }
  for (var s = 0u; s < params.n; s++) {
    var total = 0.0;
    for (var c = 0u; c < C; c++) {
      if (REPLACEMENT || !taken(row, s, c)) { total += P[base + c]; }
    }
    let u = f32(hash_u32(hash_u32(params.seed ^ row) ^ s) >> 8u) / 16777216.0;
    let goal = u * total;
    var acc = 0.0;
    var pick = -1;
    var last = -1;
    for (var c = 0u; c < C; c++) {
      if (!REPLACEMENT && taken(row, s, c)) { continue; }
      if (P[base + c] > 0.0) { last = i32(c); }
      acc += P[base + c];
      if (pick < 0 && goal < acc) { pick = i32(c); }
    }
    // rounding can leave goal at the very top: the last category with mass
    OUT[row * params.n + s] = select(pick, last, pick < 0);
  }
}
