// Shared by reduce_sum.wgsl and reduce_sum_workgroup.wgsl: what output j of a sum over the middle axis of
// [outer, R, inner], cut into `chunks` pieces of `clen` rows, adds up. Params: outer, R, inner, chunks,
// clen, scale (f32).
struct ReduceRange {
  outputs: u32, // outer * chunks * inner: j beyond it has nothing to do
  first: u32,   // index in X of the first element of the range
  count: u32,   // how many elements, `inner` apart
}

fn reduce_range(j: u32) -> ReduceRange {
  let R = params.R;
  let inner = params.inner;
  let chunks = params.chunks;
  let clen = params.clen;
  let i = j % inner;
  let c = (j / inner) % chunks;
  let o = j / (inner * chunks);
  let r0 = min(R, c * clen);
  let r1 = min(R, r0 + clen);
  return ReduceRange(params.outer * chunks * inner, (o * R + r0) * inner + i, r1 - r0);
}
