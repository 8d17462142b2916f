// Shared by pool2d.wgsl and pool2d_backward.wgsl: the input range [start, end) of output position o along
// one axis, and the count PyTorch divides an average by. Regular windows start at o*stride - pad and span
// `kernel` taps `dil` apart (clipped to the input, start moved onto the first tap inside it: walk it with
// step dil; with count_include_pad the divisor counts the padding inside [-pad, size + pad)); adaptive
// windows are [floor(o*size/out), ceil((o+1)*size/out)).
struct Window { start: i32, end: i32, padded: i32 }

fn pool_window(o: u32, size: u32, out: u32, kernel: u32, stride: u32, pad: u32, dil: u32) -> Window {
  if (params.adaptive != 0u) {
    let s = i32((o * size) / out);
    let e = i32(((o + 1u) * size + out - 1u) / out);
    return Window(s, e, e - s);
  }
  let s = i32(o * stride) - i32(pad);
  let e = min(s + i32((kernel - 1u) * dil + 1u), i32(size + pad));
  let first = select(s, s + ((-s + i32(dil) - 1) / i32(dil)) * i32(dil), s < 0);
  return Window(first, min(e, i32(size)), e - s);
}
