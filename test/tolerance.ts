// Every numeric tolerance of the test suite, in one place.
// Forward: GPU f32 against the f64 reference. Gradient: GPU f32 autograd against central finite
// differences of the f64 reference. A value passes when |got - want| <= atol + rtol * scale, where scale
// is the largest |want| of that tensor (errors of f32 sums scale with the magnitudes summed).
export const tol = {
  forward: { atol: 1e-5, rtol: 2e-5 },
  gradient: { atol: 1e-4, rtol: 5e-4 },
  /** Finite-difference step, relative to max(1, |x|), on the float64 reference. */
  fdStep: 1e-6,
  /** Elements per input checked by finite differences (a seeded sample when the input is larger). */
  fdSamples: 48,
  /** fast-check runs per property. */
  runs: Number(process.env.FC_RUNS ?? 16),
  /** Fixed seed, so that CI runs the same cases every time (override with FC_SEED to explore). */
  seed: Number(process.env.FC_SEED ?? 20261129),
};
