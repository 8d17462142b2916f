// The cell an index row of gatherNd / scatterNd names: IDX[row, 0 .. k-1] over the extents params.dims
// (X_1 .. X_k), row-major after `start` (the batch index, or 0 for a cell within the batch). A negative
// index counts from the end (ONNX); one outside [-X_j, X_j) makes the row invalid. Returns (cell, valid):
// an invalid row's cell is clamped, never out of range. Included by gather_nd.wgsl and scatter_nd.wgsl,
// which bind IDX (i32 [rows, k]) and declare params.k and params.dims.
fn nd_cell(row: u32, start: u32) -> vec2<u32> {
  var cell = start;
  var ok = true;
  for (var j = 0u; j < params.k; j++) {
    let extent = params.dims[j];
    var v = IDX[row * params.k + j];
    if (v < 0) { v += i32(extent); }
    ok = ok && v >= 0 && u32(v) < extent;
    cell = cell * extent + select(0u, u32(v), ok);
  }
  return vec2<u32>(cell, select(0u, 1u, ok));
}
