// Fused linear loss, chunked strategy: the row loss of one chunk of logits Z = H W^T + b (written by
// linear.wgsl, R rows x C classes), and dL/dz in place of the logits (Liger-Kernel's trick: the chunk's
// logits and its gradient share one buffer). One INVOCATION per row: loss_row_thread.wgsl, as
// loss_rows_thread.wgsl (the row-loss contract and the options: loss_rows_options.wgsl).
// Also keeps, per row of the whole batch, the log-sum-exp and coef = -dL/dlogp (for a backward that
// recomputes the logits, as reduction 'none' needs).
// Params: R (rows in the chunk), C, row0 (the chunk's first row in the batch), scale (1/count for a mean),
// write gradient (0/1), the loss's scalars a0..a3, the ignored label, the smoothing eps.
// Bindings: 1 ZD logits chunk [R, C] (read, then overwritten by the gradient), 2 labels i32 [N],
// 3 per-row loss [N], 4 log-sum-exp [N], 5 coef [N].
// Workgroup: 64 invocations, one row each.
#include "common.wgsl"
#include "math.wgsl"
#include "{{LOSS}}.wgsl"
#include "loss_rows_options.wgsl"
#include "loss_row_thread.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let C = params.C;
  let r = flat_id(gid, nwg, 64u);
  if (r >= params.R) { return; }
  let i = params.row0 + r;
  let base = r * C;
  let needGrad = params.need_grad != 0u;
  if (Y[i] == params.ignore) {
    LOSS[i] = 0.0; LSE[i] = 0.0; COEF[i] = 0.0;
    if (needGrad) { for (var c = 0u; c < C; c++) { ZD[base + c] = 0.0; } }
    return;
  }
  let y = u32(clamp(Y[i], 0, i32(C) - 1));
  let out = loss_row(base, C, y, params.scale, needGrad);
  LOSS[i] = out.x;
  LSE[i] = out.y;
  COEF[i] = out.z;
}
