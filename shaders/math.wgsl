// Numerically careful scalar functions shared by the elementwise and loss kernels.

// tanh saturates to +-1 in f32 beyond |x| = 9; clamping keeps exp() inside it from overflowing.
fn safe_tanh(x: f32) -> f32 { return tanh(clamp(x, -15.0, 15.0)); }

// 1 / (1 + e^-x) without overflow for either sign.
fn sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  let s = 1.0 / (1.0 + e);
  return select(e * s, s, x >= 0.0);
}

// log(1 + e) accurate for small e (Goldberg's trick: the rounding of 1 + e cancels out).
fn log1p_(e: f32) -> f32 {
  let u = 1.0 + e;
  if (u == 1.0) { return e; }
  return log(u) * e / (u - 1.0);
}

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

// e^x - 1 accurate near 0 (Kahan's trick), as needed for 1 - p^(1/k) when p is close to 1.
fn expm1_(x: f32) -> f32 {
  if (abs(x) >= 0.5) { return exp(x) - 1.0; }
  let u = exp(x);
  if (u == 1.0) { return x; }
  return (u - 1.0) * x / log(u);
}
