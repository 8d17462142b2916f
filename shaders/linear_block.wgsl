// One 16x8 block of X W^T (rows m0.., columns n0..) for X [M, K] and W [N, K], both contiguous along K:
// the main loop of linear.wgsl, shared with the fused linear losses (linear_loss_*.wgsl), which take the
// block's logits into their epilogues instead of storing them. With VEC4 (K a multiple of 4) each step of 4
// along K loads 16 vec4 of X and 8 of W for 128 dot products; otherwise one k at a time. Rows past lm and
// columns past ln are clamped (loaded, computed, dropped by the caller).
// Needs module-scope storage arrays X and W of {{XTYPE}} and the define DOT (the dot of two XTYPE).
#include "register_block.wgsl"

fn dot1(a: {{XTYPE}}, b: {{XTYPE}}) -> f32 {
  {{DOT}}
}

// One row of X against four rows of W: four entries of a row of Y.
fn dots(x: {{XTYPE}}, w0: {{XTYPE}}, w1: {{XTYPE}}, w2: {{XTYPE}}, w3: {{XTYPE}}) -> vec4<f32> {
  return vec4<f32>(dot1(x, w0), dot1(x, w1), dot1(x, w2), dot1(x, w3));
}

fn xwt_block(m0: u32, n0: u32, lm: u32, ln: u32, KV: u32) -> Block16x8 {
  let px0 = clamped4(m0, lm) * KV;
  let px1 = clamped4(m0 + 4u, lm) * KV;
  let px2 = clamped4(m0 + 8u, lm) * KV;
  let px3 = clamped4(m0 + 12u, lm) * KV;
  let pw0 = clamped4(n0, ln) * KV;
  let pw1 = clamped4(n0 + 4u, ln) * KV;
  var acc: Block16x8; // zero-initialised (register_block.wgsl)
  for (var k = 0u; k < KV; k++) {
    let w0 = W[pw0.x + k]; let w1 = W[pw0.y + k]; let w2 = W[pw0.z + k]; let w3 = W[pw0.w + k];
    let w4 = W[pw1.x + k]; let w5 = W[pw1.y + k]; let w6 = W[pw1.z + k]; let w7 = W[pw1.w + k];
    let x0 = X[px0.x + k]; let x1 = X[px0.y + k]; let x2 = X[px0.z + k]; let x3 = X[px0.w + k];
    let x4 = X[px1.x + k]; let x5 = X[px1.y + k]; let x6 = X[px1.z + k]; let x7 = X[px1.w + k];
    let x8 = X[px2.x + k]; let x9 = X[px2.y + k]; let x10 = X[px2.z + k]; let x11 = X[px2.w + k];
    let x12 = X[px3.x + k]; let x13 = X[px3.y + k]; let x14 = X[px3.z + k]; let x15 = X[px3.w + k];
    acc.r0_0 += dots(x0, w0, w1, w2, w3); acc.r0_1 += dots(x0, w4, w5, w6, w7);
    acc.r1_0 += dots(x1, w0, w1, w2, w3); acc.r1_1 += dots(x1, w4, w5, w6, w7);
    acc.r2_0 += dots(x2, w0, w1, w2, w3); acc.r2_1 += dots(x2, w4, w5, w6, w7);
    acc.r3_0 += dots(x3, w0, w1, w2, w3); acc.r3_1 += dots(x3, w4, w5, w6, w7);
    acc.r4_0 += dots(x4, w0, w1, w2, w3); acc.r4_1 += dots(x4, w4, w5, w6, w7);
    acc.r5_0 += dots(x5, w0, w1, w2, w3); acc.r5_1 += dots(x5, w4, w5, w6, w7);
    acc.r6_0 += dots(x6, w0, w1, w2, w3); acc.r6_1 += dots(x6, w4, w5, w6, w7);
    acc.r7_0 += dots(x7, w0, w1, w2, w3); acc.r7_1 += dots(x7, w4, w5, w6, w7);
    acc.r8_0 += dots(x8, w0, w1, w2, w3); acc.r8_1 += dots(x8, w4, w5, w6, w7);
    acc.r9_0 += dots(x9, w0, w1, w2, w3); acc.r9_1 += dots(x9, w4, w5, w6, w7);
    acc.r10_0 += dots(x10, w0, w1, w2, w3); acc.r10_1 += dots(x10, w4, w5, w6, w7);
    acc.r11_0 += dots(x11, w0, w1, w2, w3); acc.r11_1 += dots(x11, w4, w5, w6, w7);
    acc.r12_0 += dots(x12, w0, w1, w2, w3); acc.r12_1 += dots(x12, w4, w5, w6, w7);
    acc.r13_0 += dots(x13, w0, w1, w2, w3); acc.r13_1 += dots(x13, w4, w5, w6, w7);
    acc.r14_0 += dots(x14, w0, w1, w2, w3); acc.r14_1 += dots(x14, w4, w5, w6, w7);
    acc.r15_0 += dots(x15, w0, w1, w2, w3); acc.r15_1 += dots(x15, w4, w5, w6, w7);
  }
  return acc;
}
