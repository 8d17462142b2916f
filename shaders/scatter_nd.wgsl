// scatterNd (ONNX ScatterND, with batch dims for gatherNd's backward), out of place and deterministic:
// X and Y viewed as [B, X_1 .. X_k, inner], IDX as [B, M, k], UPD as [B, M, inner]. Each output element
// Y[b, c, i] scans m = 0 .. M-1 in order for the rows with IDX[b, m, :] == c (negative indices count
// from the end; a row with an index out of range is skipped) and, by MODE: 0 replaces with the last such
// UPD[b, m, i] (ONNX leaves duplicates undefined), 1 adds them all to X (or to 0 without BASE),
// 2 multiplies X by them. No atomics: the same bits every run.
// Replacing works on 32-bit words of any dtype; adding and multiplying on f32 (bitcast).
// Params: n (output elements), M, k, inner, dims = X_1 .. X_k. Workgroup: 256 invocations, one output each.
#include "common.wgsl"
#include "nd_cell.wgsl"

const MODE: u32 = {{MODE}}u;
const BASE: bool = {{BASE}};

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_id(gid, nwg, 256u);
  if (e >= params.n) { return; }
  let inner = params.inner;
  let i = e % inner;
  var cells = 1u;
  for (var j = 0u; j < params.k; j++) { cells *= params.dims[j]; }
  let cell = (e / inner) % cells;
  let b = e / (inner * cells);
  var word = 0u;
  if (BASE) { word = X[e]; }
  var acc = bitcast<f32>(word);
  for (var m = 0u; m < params.M; m++) {
    let row = b * params.M + m;
    let at = nd_cell(row, 0u);
    if (at.y == 0u || at.x != cell) { continue; }
    let u = UPD[row * inner + i];
    if (MODE == 0u) { word = u; } else if (MODE == 1u) { acc += bitcast<f32>(u); } else { acc *= bitcast<f32>(u); }
  }
  Y[e] = select(bitcast<u32>(acc), word, MODE == 0u);
}
