// Parameters as raw 32-bit words, for kernels without a TypeScript declaration (defineOp's): @binding(0)
// holds the words packed by Params (src/runtime.ts), read with pu()/pi()/pf(). Declared kernels read
// `params.name` instead (src/kernel.ts).
@group(0) @binding(0) var<storage, read> P: array<u32>;

fn pu(i: u32) -> u32 { return P[i]; }
fn pi(i: u32) -> i32 { return bitcast<i32>(P[i]); }
fn pf(i: u32) -> f32 { return bitcast<f32>(P[i]); }
