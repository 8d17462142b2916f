// 2-D pooling backward for disjoint windows (stride >= kernel on both axes, the default), one invocation per
// output element: every input lies in at most one window, so each is written by at most one invocation (no
// atomics; DX is zero-filled first for the inputs no window covers):
//   max:  DX[p, IDX[o]] = G[o]
//   avg:  DX[p, i] = G[o] / divisor for every input i of window o
// Layout: G and IDX [planes, OH, OW], DX [planes, H, W]. Workgroup: 64 invocations.
#include "common.wgsl"
#include "pool_window.wgsl"

const MAX: bool = {{MAX}};

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = flat_id(gid, nwg, 64u);
  let per = params.OH * params.OW;
  if (o >= params.planes * per) { return; }
  let base = (o / per) * params.H * params.W;
  if (MAX) {
    DX[base + u32(IDX[o])] = G[o];
    return;
  }
  let oh = (o % per) / params.OW;
  let ow = o % params.OW;
  let wh = pool_window(oh, params.H, params.OH, params.kh, params.sh, params.ph, params.dh);
  let ww = pool_window(ow, params.W, params.OW, params.kw, params.sw, params.pw, params.dw);
  let count = select((wh.end - wh.start) * (ww.end - ww.start), wh.padded * ww.padded, params.include_pad != 0u);
  let v = G[o] / f32(max(count, 1));
  for (var ih = wh.start; ih < wh.end; ih++) {
    for (var iw = ww.start; iw < ww.end; iw++) { DX[base + u32(ih * i32(params.W) + iw)] = v; }
  }
}
