// Options shared by the multiclass row kernels (loss_rows_*.wgsl): a row whose label is params.ignore
// (ignoreIndex) adds no loss and no gradient; with SMOOTH (cross-entropy's labelSmoothing, eps =
// params.eps) the target is (1 - eps) one-hot + eps / C:
//   L = (1 - eps) L_y + eps mean_c(-log p_c),   dL/dz_c = (1 - eps) coef (p_c - [c == y]) + eps (p_c - 1/C),
// where mean_c(-log p_c) = (mx - mean_c z_c) + log s from the row's max and sum of exp.
const SMOOTH: bool = {{SMOOTH}};

fn smoothed_loss(ly: f32, mx: f32, zmean: f32, log_s: f32) -> f32 {
  return (1.0 - params.eps) * ly + params.eps * ((mx - zmean) + log_s);
}
