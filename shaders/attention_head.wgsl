// Shared by the attention kernels: the head dimension, compiled in (one pipeline per D), so that the
// fixed-size private arrays stay in registers; rows are read as vec4 when D is a multiple of 4
// (VD = vec4<f32>, D counts vec4s), else as f32.
const D: u32 = {{D}}u;
alias VD = {{VD}};
fn dotv(a: VD, b: VD) -> f32 { {{DOT}} }

// Params of every attention kernel: BH, T, (unused), scale (f32), causal (0/1).
fn att_bh() -> u32 { return params.bh; }
fn att_t() -> u32 { return params.T; }
fn att_scale() -> f32 { return params.scale; }
fn att_causal() -> bool { return params.causal != 0u; }
