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

// Trigonometric and hyperbolic functions to a few ulp. WGSL promises sin and cos only to an absolute 2^-11
// on [-pi, pi] and derives the others from them, atan2, exp and log, so small results lose their digits.
// sin and cos: x = k pi/2 + r by Cody and Waite's three-part pi/2 (k * PIO2_1 exact for |k| < 2^16, so
// |x| up to about 1e5 keeps full accuracy), then Taylor polynomials on |r| <= pi/4 (the next terms are below
// 1e-11), the quadrant k mod 4 choosing the sign and the function.
const PIO2_1: f32 = 1.5703125;
const PIO2_2: f32 = 4.837512969970703125e-4;
const PIO2_3: f32 = 7.54978995489188216e-8;
const HALF_PI: f32 = 1.5707963267948966;
const PI_: f32 = 3.141592653589793;

struct Reduced { r: f32, q: i32 }
fn reduce_pio2(x: f32) -> Reduced {
  let k = round(x * 0.6366197723675814);
  let r = ((x - k * PIO2_1) - k * PIO2_2) - k * PIO2_3;
  return Reduced(r, i32(k) & 3);
}
fn sin_poly(r: f32) -> f32 {
  let z = r * r;
  return r + r * z * (-1.0 / 6.0 + z * (1.0 / 120.0 + z * (-1.0 / 5040.0 + z * (1.0 / 362880.0 + z * (-1.0 / 39916800.0)))));
}
fn cos_poly(r: f32) -> f32 {
  let z = r * r;
  return 1.0 + z * (-0.5 + z * (1.0 / 24.0 + z * (-1.0 / 720.0 + z * (1.0 / 40320.0 + z * (-1.0 / 3628800.0 + z * (1.0 / 479001600.0))))));
}
fn sin_(x: f32) -> f32 {
  let v = reduce_pio2(x);
  let s = sin_poly(v.r);
  let c = cos_poly(v.r);
  return select(select(select(-c, -s, v.q == 2), c, v.q == 1), s, v.q == 0);
}
fn cos_(x: f32) -> f32 {
  let v = reduce_pio2(x);
  let s = sin_poly(v.r);
  let c = cos_poly(v.r);
  return select(select(select(s, -c, v.q == 2), -s, v.q == 1), c, v.q == 0);
}
fn tan_(x: f32) -> f32 {
  let v = reduce_pio2(x);
  let s = sin_poly(v.r);
  let c = cos_poly(v.r);
  // odd quadrants: tan(r + pi/2) = -cos(r) / sin(r)
  return select(s / c, -c / s, (v.q & 1) == 1);
}
// atan: |x| > 1 as pi/2 - atan(1/|x|); above tan(pi/8) as pi/4 + atan((t - 1) / (t + 1)); then the odd
// Taylor series on |t| <= 0.4143 to t^21 (the next term is below 3e-10).
fn atan_(x: f32) -> f32 {
  let a = abs(x);
  let big = a > 1.0;
  var t = select(a, 1.0 / a, big);
  let mid = t > 0.41421356;
  t = select(t, (t - 1.0) / (t + 1.0), mid);
  let z = t * t;
  var p = 0.0;
  for (var n = 21.0; n >= 3.0; n -= 2.0) { p = z * (1.0 / n - p); }
  var y = t - t * p;
  y = select(y, y + 0.7853981633974483, mid);
  y = select(y, HALF_PI - y, big);
  return select(y, -y, x < 0.0);
}
// asin as atan(x / sqrt(1 - x^2)) for |x| <= 1/2; beyond, pi/2 - 2 asin(sqrt((1 - |x|) / 2)), whose argument
// is at most 1/2 and exact to an ulp, so results near +-1 keep their digits.
fn asin_small(x: f32) -> f32 { return atan_(x / sqrt((1.0 - x) * (1.0 + x))); }
fn asin_(x: f32) -> f32 {
  let a = abs(x);
  let y = select(asin_small(a), HALF_PI - 2.0 * asin_small(sqrt((1.0 - a) * 0.5)), a > 0.5);
  return select(y, -y, x < 0.0);
}
fn acos_(x: f32) -> f32 {
  if (x > 0.5) { return 2.0 * asin_small(sqrt((1.0 - x) * 0.5)); }
  if (x < -0.5) { return PI_ - 2.0 * asin_small(sqrt((1.0 + x) * 0.5)); }
  return HALF_PI - asin_small(x);
}
// sinh through expm1 (e + e / (e + 1)) / 2, e = expm1(|x|): no cancellation for small x.
fn sinh_(x: f32) -> f32 {
  let e = expm1_(abs(x));
  let y = 0.5 * (e + e / (e + 1.0));
  return select(y, -y, x < 0.0);
}
fn cosh_(x: f32) -> f32 {
  let e = exp(abs(x));
  return 0.5 * (e + 1.0 / e);
}
// asinh |x| = log1p(|x| + x^2 / (1 + sqrt(1 + x^2))); above 2^30 as log(2 |x|) (x^2 would overflow).
fn asinh_(x: f32) -> f32 {
  let a = abs(x);
  let y = select(log1p_(a + a * a / (1.0 + sqrt(1.0 + a * a))), log(a) + 0.6931471805599453, a > 1073741824.0);
  return select(y, -y, x < 0.0);
}
// acosh x = log1p(t + sqrt(2t + t^2)), t = x - 1 (exact near 1); above 2^30 as log(2x).
fn acosh_(x: f32) -> f32 {
  let t = x - 1.0;
  return select(log1p_(t + sqrt(t * (2.0 + t))), log(x) + 0.6931471805599453, x > 1073741824.0);
}
// atanh x = log1p(2x / (1 - x)) / 2, accurate for small x.
fn atanh_(x: f32) -> f32 {
  let a = abs(x);
  let y = 0.5 * log1p_(2.0 * a / (1.0 - a));
  return select(y, -y, x < 0.0);
}
