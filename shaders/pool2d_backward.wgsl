// 2-D pooling backward to the input, one invocation per input element (a gather: no atomics, deterministic):
//   max:  DX[p, ih, iw] = sum of G[p, oh, ow] over the windows whose first maximum IDX was (ih, iw)
//   avg:  DX[p, ih, iw] = sum of G[p, oh, ow] / divisor over the windows that contain (ih, iw)
// The candidate windows along each axis are the outputs between `first_out` and `last_out`, each checked
// against pool_window (the forward's own windows).
// Layout: G and IDX [planes, OH, OW], DX [planes, H, W]. Workgroup: 64 invocations.
#include "common.wgsl"
#include "pool_window.wgsl"

const MAX: bool = {{MAX}};

// The first and last output whose window along this axis may contain input i (`kernel`: the window's
// extent, dilation included; with dilation only max pools, whose IDX check settles membership).
fn out_range(i: u32, size: u32, out: u32, kernel: u32, stride: u32, pad: u32) -> vec2<i32> {
  if (params.adaptive != 0u) {
    return vec2<i32>(i32((i * out) / size), min(i32(((i + 1u) * out) / size), i32(out) - 1));
  }
  let lo = (i32(i + pad) - i32(kernel) + i32(stride)) / i32(stride); // ceil((i + pad - kernel + 1) / stride), >= 0 below
  return vec2<i32>(max(select(0, lo, i32(i + pad) >= i32(kernel)), 0), min(i32((i + pad) / stride), i32(out) - 1));
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_id(gid, nwg, 64u);
  let HW = params.H * params.W;
  if (e >= params.planes * HW) { return; }
  let plane = e / HW;
  let ih = (e % HW) / params.W;
  let iw = e % params.W;
  let rh = out_range(ih, params.H, params.OH, (params.kh - 1u) * params.dh + 1u, params.sh, params.ph);
  let rw = out_range(iw, params.W, params.OW, (params.kw - 1u) * params.dw + 1u, params.sw, params.pw);
  let base = plane * params.OH * params.OW;
  var acc = 0.0;
  for (var oh = rh.x; oh <= rh.y; oh++) {
    let wh = pool_window(u32(oh), params.H, params.OH, params.kh, params.sh, params.ph, params.dh);
    if (i32(ih) < wh.start || i32(ih) >= wh.end) { continue; }
    for (var ow = rw.x; ow <= rw.y; ow++) {
      let ww = pool_window(u32(ow), params.W, params.OW, params.kw, params.sw, params.pw, params.dw);
      if (i32(iw) < ww.start || i32(iw) >= ww.end) { continue; }
      let o = base + u32(oh) * params.OW + u32(ow);
      if (MAX) {
        if (IDX[o] == i32(ih * params.W + iw)) { acc += G[o]; }
      } else {
        let count = select((wh.end - wh.start) * (ww.end - ww.start), wh.padded * ww.padded, params.include_pad != 0u);
        acc += G[o] / f32(max(count, 1));
      }
    }
  }
  DX[e] = acc;
}
