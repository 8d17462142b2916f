// The row-loss contract, shared by every multiclass fused path (the softmax row kernels loss_rows_*.wgsl
// and the fused linear losses linear_loss_*.wgsl): the file named by {{LOSS}} defines
//   fn row_loss(logp: f32) -> vec2<f32>     (L, dL/dlogp) at logp = log p_y = z_y - logsumexp(z) <= 0
// reading its scalars as params.a0 .. params.a3 and the class count as params.C. A loss of p_y alone has
// dL/dz_c = -dL/dlogp (p_c - [c == y]), which the kernels write.
//
// Options shared by the multiclass row kernels (loss_rows_*.wgsl): a row whose label is params.ignore
// (ignoreIndex) adds no loss and no gradient; with SMOOTH (cross-entropy's labelSmoothing, eps =
// params.eps) the target is (1 - eps) one-hot + eps / C:
//   L = (1 - eps) L_y + eps mean_c(-log p_c),   dL/dz_c = (1 - eps) coef (p_c - [c == y]) + eps (p_c - 1/C),
// where mean_c(-log p_c) = (mx - mean_c z_c) + log s from the row's max and sum of exp.
const SMOOTH: bool = {{SMOOTH}};

// Every kernel calls row_loss through this: log p_y is clamped at 0. A target logit computed apart from
// the row's max (the tiled linear loss's own dot product, summed in another order) can round an ulp above
// it: p_y > 1, 1 - p_y < 0 and (1 - p_y)^gamma NaN for a fractional gamma, a negative cross-entropy.
fn row_loss_at(logp: f32) -> vec2<f32> { return row_loss(min(logp, 0.0)); }

fn smoothed_loss(ly: f32, mx: f32, zmean: f32, log_s: f32) -> f32 {
  return (1.0 - params.eps) * ly + params.eps * ((mx - zmean) + log_s);
}
