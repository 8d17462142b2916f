// Every WGSL file, inlined at build time (esbuild's text loader; a vite plugin under vitest), so that
// nothing reads files at run time. `#include "x.wgsl"` pulls in a shared helper file once;
// `{{NAME}}` is replaced by a define given at pipeline creation (an expression, a bool, a type).
import adam_update from '../shaders/adam_update.wgsl';
import clip_coef from '../shaders/clip_coef.wgsl';
import dropout_mask from '../shaders/dropout_mask.wgsl';
import sgd_update from '../shaders/sgd_update.wgsl';
import attention_backward_kv from '../shaders/attention_backward_kv.wgsl';
import attention_backward_q from '../shaders/attention_backward_q.wgsl';
import attention_forward from '../shaders/attention_forward.wgsl';
import layer_norm from '../shaders/layer_norm.wgsl';
import layer_norm_backward from '../shaders/layer_norm_backward.wgsl';
import check_finite from '../shaders/check_finite.wgsl';
import linear from '../shaders/linear.wgsl';
import matmul_tiled from '../shaders/matmul_tiled.wgsl';
import loss_rows_thread_vec4 from '../shaders/loss_rows_thread_vec4.wgsl';
import attention_head from '../shaders/attention_head.wgsl';
import binary from '../shaders/binary.wgsl';
import binary_cross_entropy_fused from '../shaders/binary_cross_entropy_fused.wgsl';
import cast from '../shaders/cast.wgsl';
import cross_entropy_fused from '../shaders/cross_entropy_fused.wgsl';
import focal_loss_fused from '../shaders/focal_loss_fused.wgsl';
import loss_binary from '../shaders/loss_binary.wgsl';
import loss_rows_thread from '../shaders/loss_rows_thread.wgsl';
import loss_rows_workgroup from '../shaders/loss_rows_workgroup.wgsl';
import rooted_logistic_fused from '../shaders/rooted_logistic_fused.wgsl';
import rooted_loss_fused from '../shaders/rooted_loss_fused.wgsl';
import common from '../shaders/common.wgsl';
import embedding from '../shaders/embedding.wgsl';
import embedding_backward from '../shaders/embedding_backward.wgsl';
import embedding_backward_rows from '../shaders/embedding_backward_rows.wgsl';
import fill from '../shaders/fill.wgsl';
import math from '../shaders/math.wgsl';
import matmul_strided from '../shaders/matmul_strided.wgsl';
import matmul_vec4 from '../shaders/matmul_vec4.wgsl';
import transpose_4x4 from '../shaders/transpose_4x4.wgsl';
import transpose_blocks from '../shaders/transpose_blocks.wgsl';
import max_backward from '../shaders/max_backward.wgsl';
import pick from '../shaders/pick.wgsl';
import reduce_max from '../shaders/reduce_max.wgsl';
import reduce_sum from '../shaders/reduce_sum.wgsl';
import softmax from '../shaders/softmax.wgsl';
import softmax_backward from '../shaders/softmax_backward.wgsl';
import softmax_workgroup from '../shaders/softmax_workgroup.wgsl';
import softmax_backward_workgroup from '../shaders/softmax_backward_workgroup.wgsl';
import reduce_sum_workgroup from '../shaders/reduce_sum_workgroup.wgsl';
import workgroup_reduce from '../shaders/workgroup_reduce.wgsl';
import register_block from '../shaders/register_block.wgsl';
import reduce_range from '../shaders/reduce_range.wgsl';
import strided_copy from '../shaders/strided_copy.wgsl';
import unary from '../shaders/unary.wgsl';
import unary_backward from '../shaders/unary_backward.wgsl';

const files: Record<string, string> = {
  attention_head,
  loss_rows_thread_vec4,
  matmul_tiled,
  linear,
  check_finite,
  attention_backward_kv,
  attention_backward_q,
  attention_forward,
  layer_norm,
  layer_norm_backward,
  adam_update,
  clip_coef,
  dropout_mask,
  sgd_update,
  binary,
  binary_cross_entropy_fused,
  cast,
  cross_entropy_fused,
  focal_loss_fused,
  loss_binary,
  loss_rows_thread,
  loss_rows_workgroup,
  rooted_logistic_fused,
  rooted_loss_fused,
  common,
  embedding,
  embedding_backward,
  embedding_backward_rows,
  fill,
  math,
  matmul_strided,
  matmul_vec4,
  transpose_4x4,
  softmax_workgroup,
  softmax_backward_workgroup,
  reduce_sum_workgroup,
  workgroup_reduce,
  register_block,
  reduce_range,
  transpose_blocks,
  max_backward,
  pick,
  reduce_max,
  reduce_sum,
  softmax,
  softmax_backward,
  strided_copy,
  unary,
  unary_backward,
};

export const shaderNames = (): string[] => Object.keys(files);

/** Adds a kernel file at run time (defineOp). */
export function registerShader(name: string, source: string): void {
  if (files[name] !== undefined) throw new Error(`rootgrad: a WGSL file '${name}' already exists`);
  files[name] = source;
}

/** The complete WGSL of a kernel file: defines substituted (in include lines too, so that a body can
 * include the file a define names), then includes resolved, each file once. */
export function wgslSource(name: string, defines: Record<string, string | number> = {}): string {
  const included = new Set<string>([name]);
  const subst = (src: string) =>
    src.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
      if (!(key in defines)) throw new Error(`rootgrad: kernel '${name}' needs the define {{${key}}}`);
      return String(defines[key]);
    });
  const expand = (file: string): string => {
    const src = files[file];
    if (src === undefined) throw new Error(`rootgrad: no WGSL file '${file}.wgsl' (kernel '${name}')`);
    return subst(src).replace(/^#include "([\w-]+)\.wgsl"\s*$/gm, (_, inc: string) => {
      if (included.has(inc)) return '';
      included.add(inc);
      return expand(inc);
    });
  };
  return expand(name);
}
