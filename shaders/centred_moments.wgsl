// Mean and biased variance of n values from a first-pass mean m0 and a second pass over the centred values
// d = x - m0: sq = sum d^2 and off = sum d (the corrected two-pass algorithm, Chan, Golub and LeVeque 1983).
// m0 carries the first pass's rounding (a sequential f32 sum of values near 1e3 is off by ~1e-3 after a
// thousand of them); off / n removes it, and sum (x - m)^2 = sq - off^2 / n for the corrected mean m.
// Included by the normalisation kernels; returns (mean, variance).
fn centred_moments(m0: f32, sq: f32, off: f32, n: f32) -> vec2<f32> {
  let shift = off / n;
  return vec2<f32>(m0 + shift, max(sq / n - shift * shift, 0.0));
}
