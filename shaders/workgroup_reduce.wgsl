// Workgroup tree reductions over 64 invocations, shared by the one-workgroup-per-row kernels (for GPUs).
// Call from uniform control flow, with every invocation of the workgroup (they contain barriers).
// Deterministic: the combination order is fixed by the invocation index (no atomics).
const WG: u32 = 64u;
var<workgroup> red_m: array<f32, 64>;
var<workgroup> red_s: array<f32, 64>;

// Folds one value into an online (max, sum of exp(x - max)) pair: stable for any magnitude.
fn online_logsumexp(ms: vec2<f32>, x: f32) -> vec2<f32> {
  if (x > ms.x) { return vec2<f32>(x, ms.y * exp(ms.x - x) + 1.0); }
  return vec2<f32>(ms.x, ms.y + exp(x - ms.x));
}

// Combines every invocation's (max, sum of exp) into the row's; every invocation gets the result.
fn workgroup_logsumexp(lid: u32, ms: vec2<f32>) -> vec2<f32> {
  red_m[lid] = ms.x;
  red_s[lid] = ms.y;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      let m1 = red_m[lid];
      let m2 = red_m[lid + stride];
      let mx = max(m1, m2);
      red_s[lid] = red_s[lid] * exp(m1 - mx) + red_s[lid + stride] * exp(m2 - mx);
      red_m[lid] = mx;
    }
    workgroupBarrier();
  }
  let out = vec2<f32>(red_m[0], red_s[0]);
  workgroupBarrier(); // the arrays may be reused right after
  return out;
}

// The sum of every invocation's v; every invocation gets it.
fn workgroup_sum(lid: u32, v: f32) -> f32 {
  red_s[lid] = v;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) { red_s[lid] = red_s[lid] + red_s[lid + stride]; }
    workgroupBarrier();
  }
  let out = red_s[0];
  workgroupBarrier();
  return out;
}
