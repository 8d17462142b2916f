// Numerically careful scalar functions shared by the elementwise and loss kernels.

// tanh saturates to +-1 in f32 beyond |x| = 9; clamping keeps exp() inside it from overflowing.
fn safe_tanh(x: f32) -> f32 { return tanh(clamp(x, -15.0, 15.0)); }

// 1 / (1 + e^-x) without overflow for either sign.
fn sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  let s = 1.0 / (1.0 + e);
  return select(e * s, s, x >= 0.0);
}

// log(1 + x) to a few ulp for any x > -1. WGSL promises log near 1 only to an absolute 2^-21, so neither
// log(1 + x) nor Goldberg's log(u) x / (u - 1) keeps the digits of a small x: for -0.5 <= x <= 1 the series
// log(1 + x) = 2 atanh(s) = 2 s (1 + s^2/3 + s^4/5 + ...), s = x / (2 + x), |s| <= 1/3, to s^12/13 (the
// next term is below 1.4e-8 relative); beyond, log(1 + x), where log is accurate to 3 ulp.
fn log1p_(x: f32) -> f32 {
  if (x < -0.5 || x > 1.0) { return log(1.0 + x); }
  let s = x / (2.0 + x);
  let w = s * s;
  let series = 1.0 + w * (1.0 / 3.0 + w * (0.2 + w * (1.0 / 7.0 + w * (1.0 / 9.0 + w * (1.0 / 11.0 + w / 13.0)))));
  return 2.0 * s * series;
}

// log s of a sum of exponentials shifted by their max (s >= 1: the max's own term is 1), as log1p_(s - 1):
// s - 1 is exact there, so a confident row (s just above 1) keeps the digits of its small log-sum-exp.
fn log_shifted_sum(s: f32) -> f32 { return log1p_(s - 1.0); }

// log(1 + e^x), stable for any x.
fn softplus(x: f32) -> f32 { return max(x, 0.0) + log1p_(exp(-abs(x))); }

const GELU_C: f32 = 0.7978845608028654; // sqrt(2 / pi)

// GELU, tanh approximation (GPT-2; PyTorch's approximate='tanh').
fn gelu_tanh(x: f32) -> f32 {
  return 0.5 * x * (1.0 + safe_tanh(GELU_C * (x + 0.044715 * x * x * x)));
}

fn gelu_tanh_grad(x: f32) -> f32 {
  if (abs(x) > 10.0) { return select(0.0, 1.0, x > 0.0); }
  let t = safe_tanh(GELU_C * (x + 0.044715 * x * x * x));
  return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * 0.044715 * x * x);
}

// erf: an odd Taylor series below 0.5 (relative error < 2e-8 there, where 1 - erfc would lose it), else
// 1 - erfc with Numerical Recipes' Chebyshev fit of erfc (fractional error < 1.2e-7 everywhere).
fn erf_(x: f32) -> f32 {
  let z = abs(x);
  if (z < 0.5) {
    let x2 = x * x;
    return 1.1283791670955126 * x * (1.0 + x2 * (-0.3333333333 + x2 * (0.1 + x2 * (-0.0238095238 + x2 * (0.0046296296 + x2 * -0.0007575758)))));
  }
  let t = 1.0 / (1.0 + 0.5 * z);
  let p = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let erfc = t * exp(p);
  return select(erfc - 1.0, 1.0 - erfc, x >= 0.0);
}

const TWO_OVER_SQRT_PI: f32 = 1.1283791670955126;
const SQRT1_2: f32 = 0.7071067811865476;

// GELU, exact: x Phi(x) = x (1 + erf(x / sqrt 2)) / 2 (PyTorch's default, nn.GELU()).
fn gelu_erf(x: f32) -> f32 { return 0.5 * x * (1.0 + erf_(x * SQRT1_2)); }

fn gelu_erf_grad(x: f32) -> f32 {
  return 0.5 * (1.0 + erf_(x * SQRT1_2)) + x * 0.3989422804014327 * exp(-0.5 * x * x);
}

// x^p for a scalar p: integer powers of negative bases keep their sign; 0^0 = 1.
fn pow_scalar(x: f32, p: f32) -> f32 {
  if (p == 0.0) { return 1.0; }
  if (p == 1.0) { return x; }
  if (p == 2.0) { return x * x; }
  let r = pow(abs(x), p);
  if (floor(p) == p) {
    let odd = abs(p % 2.0) == 1.0;
    return select(r, -r, odd && x < 0.0);
  }
  return select(r, sqrt(x), x < 0.0); // negative base, fractional power: NaN, as in NumPy
}

// e^x - 1 to a few ulp for any x, as needed for 1 - p^(1/k) when p^(1/k) is close to 1 (large k). WGSL
// promises exp only to 3 + 2|x| ulp and log near 1 only in absolute terms, so neither exp(x) - 1 nor Kahan's
// (u - 1) x / log u keeps the digits of a small x: for |x| < 0.5 the Taylor series x (1 + x/2 (1 + x/3
// (... (1 + x/9)))) (the next term is below 6e-10 relative); beyond, exp(x) - 1 loses at most 1.5 bits.
fn expm1_(x: f32) -> f32 {
  if (abs(x) >= 0.5) { return exp(x) - 1.0; }
  var p = 1.0;
  for (var n = 9.0; n >= 2.0; n -= 1.0) { p = 1.0 + x / n * p; }
  return x * p;
}
