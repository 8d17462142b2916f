// 2-D max or average pooling forward, NCHW, one invocation per output element:
//   max:  Y[p, oh, ow] = max over the window of X[p, ih, iw]; IDX = ih*W + iw of the first maximum (for backward);
//         a NaN in the window wins and stays, as PyTorch (found by its bits: WGSL's > may ignore NaN)
//   avg:  Y[p, oh, ow] = sum over the window / divisor (the window's padded or clipped size: pool_window.wgsl)
// Windows are regular (kernel, stride, padding, dilation: max only) or adaptive. Padding never wins a max (PyTorch pads with -inf;
// here a large finite sentinel: windows always hold one input element, as a padding below the kernel ensures).
// Layout: X [planes = N*C, H, W], Y and IDX [planes, OH, OW]. Workgroup: 64 invocations.
#include "common.wgsl"
#include "pool_window.wgsl"

const MAX: bool = {{MAX}};

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 64u);
  let per = params.OH * params.OW;
  if (i >= params.planes * per) { return; }
  let plane = i / per;
  let oh = (i % per) / params.OW;
  let ow = i % params.OW;
  let wh = pool_window(oh, params.H, params.OH, params.kh, params.sh, params.ph, params.dh);
  let ww = pool_window(ow, params.W, params.OW, params.kw, params.sw, params.pw, params.dw);
  let base = plane * params.H * params.W;
  var best = NEG_BIG;
  var at = -1;
  var total = 0.0;
  for (var ih = wh.start; ih < wh.end; ih += i32(params.dh)) {
    for (var iw = ww.start; iw < ww.end; iw += i32(params.dw)) {
      let j = ih * i32(params.W) + iw;
      let v = X[base + u32(j)];
      if (MAX) {
        if (at < 0 || (!is_nan(best) && (is_nan(v) || v > best))) { best = v; at = j; }
      } else {
        total += v;
      }
    }
  }
  if (MAX) {
    Y[i] = best;
    IDX[i] = at;
  } else {
    let count = select((wh.end - wh.start) * (ww.end - ww.start), wh.padded * ww.padded, params.include_pad != 0u);
    Y[i] = total / f32(max(count, 1));
  }
}
