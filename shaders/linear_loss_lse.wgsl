// Fused linear loss, tile-fused strategy (the Cut Cross-Entropy idea), forward part 1: the logits
// Z = X W^T + b of a 16-row block are computed 16x8 at a time in registers (linear_block.wgsl) and folded
// at once into each row's online (max, sum of exp, sum) over a segment of the classes; the logits are
// never stored. linear_loss_combine.wgsl merges the segments in order.
// Math: for a block of values z_j with m' = max(m, max_j z_j): s' = s e^(m - m') + sum_j e^(z_j - m').
// Params: N (rows), C (classes), K (features), S (classes per segment, a multiple of 8), bias (0/1).
// Bindings: 1 X [N, K], 2 W [C, K] (both XTYPE along K), 3 b [C], 4 partials vec4 [segments, N]:
// (max, sum of exp, sum of logits, 0).
// Workgroup: WG_X (segments) x WG_Y (16-row blocks).
#include "common.wgsl"
#include "math.wgsl"
#include "linear_block.wgsl"

@compute @workgroup_size({{WG_X}}, {{WG_Y}})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let N = params.N; let C = params.C;
  let seg = gid.x;
  let m0 = gid.y * 16u;
  let c0 = seg * params.S;
  if (c0 >= C || m0 >= N) { return; }
  let c1 = min(C, c0 + params.S);
  let KV = select(params.K, params.K / 4u, {{VEC4}});
  var mx: array<f32, 16>;
  var se: array<f32, 16>;
  var zs: array<f32, 16>;
  for (var i = 0u; i < 16u; i++) { mx[i] = NEG_BIG; }
  for (var n0 = c0; n0 < c1; n0 += 8u) {
    let rows = block_rows(xwt_block(m0, n0, N - 1u, C - 1u, KV));
    // the block's bias, and which of its 8 columns exist
    var b0 = vec4<f32>(); var b1 = vec4<f32>();
    if (params.bias != 0u) {
      let ca = min(vec4<u32>(n0, n0 + 1u, n0 + 2u, n0 + 3u), vec4<u32>(C - 1u));
      let cb = min(vec4<u32>(n0 + 4u, n0 + 5u, n0 + 6u, n0 + 7u), vec4<u32>(C - 1u));
      b0 = vec4<f32>(Bias[ca.x], Bias[ca.y], Bias[ca.z], Bias[ca.w]);
      b1 = vec4<f32>(Bias[cb.x], Bias[cb.y], Bias[cb.z], Bias[cb.w]);
    }
    let in0 = vec4<u32>(n0, n0 + 1u, n0 + 2u, n0 + 3u) < vec4<u32>(c1);
    let in1 = vec4<u32>(n0 + 4u, n0 + 5u, n0 + 6u, n0 + 7u) < vec4<u32>(c1);
    for (var i = 0u; i < 16u; i++) {
      let z0 = select(vec4<f32>(NEG_BIG), rows[2u * i] + b0, in0);
      let z1 = select(vec4<f32>(NEG_BIG), rows[2u * i + 1u] + b1, in1);
      let bm = max(max(max(z0.x, z0.y), max(z0.z, z0.w)), max(max(z1.x, z1.y), max(z1.z, z1.w)));
      let m = max(mx[i], bm);
      let e = select(vec4<f32>(), exp(z0 - m), in0) + select(vec4<f32>(), exp(z1 - m), in1);
      se[i] = se[i] * exp(mx[i] - m) + (e.x + e.y + e.z + e.w);
      mx[i] = m;
      let zz = select(vec4<f32>(), z0, in0) + select(vec4<f32>(), z1, in1);
      zs[i] += zz.x + zz.y + zz.z + zz.w;
    }
  }
  for (var i = 0u; i < 16u; i++) {
    let row = m0 + i;
    if (row >= N) { break; }
    PART[seg * N + row] = vec4<f32>(mx[i], se[i], zs[i], 0.0);
  }
}
