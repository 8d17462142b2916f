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

// GELU, tanh approximation (GPT-2).
fn gelu(x: f32) -> f32 {
  return 0.5 * x * (1.0 + safe_tanh(GELU_C * (x + 0.044715 * x * x * x)));
}

fn gelu_grad(x: f32) -> f32 {
  if (abs(x) > 10.0) { return select(0.0, 1.0, x > 0.0); }
  let t = safe_tanh(GELU_C * (x + 0.044715 * x * x * x));
  return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * 0.044715 * x * x);
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
