// A GPT-style decoder: token and learned position embeddings, causal pre-norm blocks, a final layer norm
// and an output head tied to the token embedding. generate() samples with temperature and top-k.
import { Module, ModuleList } from '../src/nn/module.js';
import { Embedding, LayerNorm, TransformerBlock } from '../src/nn/transformer.js';
import { fromHost } from '../src/creation.js';
import { add } from '../src/ops/binary.js';
import { matmul } from '../src/ops/matmul.js';
import { reshape, transpose } from '../src/ops/movement.js';
import { crossEntropy, focalLoss, rootedLoss } from '../src/ops/losses.js';
import { linearCrossEntropy, linearFocalLoss, linearRootedLoss } from '../src/ops/linear_losses.js';
import { noGrad, tidy, keep, type Tensor } from '../src/tensor.js';
import { Generator } from '../src/random.js';
import { shapeStr } from '../src/shape.js';
import { checkOptions } from '../src/options.js';
import { positiveInt, type Inferred, type Shapes } from './spec.js';

export interface GptConfig {
  kind: 'gpt';
  vocab: number;
  context: number;
  dim: number;
  heads: number;
  layers: number;
  dropout?: number;
}

export interface GptLossOptions {
  loss?: 'ce' | 'focal' | 'rooted';
  k?: number;
  m?: number;
  alpha?: number;
  gamma?: number;
  /** false: materialise the logits (for comparison). */
  fused?: boolean;
}

export class GPT extends Module {
  readonly tokens: Embedding;
  readonly positions: Embedding;
  readonly blocks: ModuleList<TransformerBlock>;
  readonly lnf: LayerNorm;
  constructor(readonly config: GptConfig) {
    super();
    this.tokens = this.module('wte', new Embedding(config.vocab, config.dim, { std: 0.02 }));
    this.positions = this.module('wpe', new Embedding(config.context, config.dim, { std: 0.02 }));
    this.blocks = this.module('h', new ModuleList(Array.from({ length: config.layers }, () => new TransformerBlock(config.dim, config.heads, { causal: true, dropout: config.dropout }))));
    this.lnf = this.module('ln_f', new LayerNorm(config.dim));
  }
  /** The final hidden states [B, T, dim] (after ln_f, before the tied head) for token ids [B, T]. */
  hidden(ids: Tensor): Tensor {
    if (ids.ndim !== 2 || ids.shape[1] > this.config.context) throw new Error(`GPT: expected token ids [B, T] with T <= ${this.config.context}, got ${shapeStr(ids.shape)}`);
    const T = ids.shape[1];
    const pos = fromHost(Array.from({ length: T }, (_, i) => i), [T], 'i32');
    let h = add(this.tokens.forward(ids), this.positions.forward(pos));
    pos.dispose();
    for (const b of this.blocks) h = b.forward(h);
    return this.lnf.forward(h);
  }

  /** Logits [B, T, vocab] for i32 token ids [B, T] (T <= context). */
  forward(ids: Tensor): Tensor {
    return matmul(this.hidden(ids), transpose(this.tokens.weight)); // tied head
  }

  /** The mean language-model loss of next-token targets ([B, T] or [B * T], ignoreIndex -100): the tied
   * head and the loss fused (linearCrossEntropy / linearFocalLoss / linearRootedLoss), so the B x T x vocab
   * logits are never written; `fused: false` materialises them (the head, then the fused loss). */
  loss(ids: Tensor, targets: Tensor, opts: GptLossOptions = {}): Tensor {
    checkOptions('GPT.loss', opts, ['loss', 'k', 'm', 'alpha', 'gamma', 'fused']);
    const { loss = 'ce', k = 3, m = 3, alpha = 0.25, gamma = 3, fused = true } = opts;
    const h = this.hidden(ids);
    const flat = reshape(h, [-1, this.config.dim]);
    const y = targets.ndim === 1 ? targets : reshape(targets, [-1]);
    const w = this.tokens.weight;
    try {
      if (!fused) {
        const logits = matmul(flat, transpose(w));
        return loss === 'rooted' ? rootedLoss(logits, y, { k, m }) : loss === 'focal' ? focalLoss(logits, y, { alpha, gamma }) : crossEntropy(logits, y);
      }
      return loss === 'rooted' ? linearRootedLoss(flat, w, y, { k, m }) : loss === 'focal' ? linearFocalLoss(flat, w, y, { alpha, gamma }) : linearCrossEntropy(flat, w, y);
    } finally {
      if (y !== targets) y.dispose();
    }
  }

  /** Continues a prompt of token ids by n tokens, sampling softmax(logits / temperature) over the top k. */
  async generate(prompt: number[], n: number, opts: { temperature?: number; topK?: number; seed?: number } = {}): Promise<number[]> {
    const { temperature = 1, topK = 0, seed = 0 } = opts;
    if (!(temperature >= 0)) throw new Error(`generate: temperature must be >= 0, got ${temperature}`);
    const g = new Generator(seed);
    const ids = [...prompt];
    if (!ids.length) throw new Error('generate: the prompt needs at least one token');
    const wasTraining = this.training;
    this.eval();
    for (let s = 0; s < n; s++) {
      const ctx = ids.slice(-this.config.context);
      const logits = keep(noGrad(() => tidy(() => this.forward(fromHost(ctx, [1, ctx.length], 'i32')))));
      const all = await logits.data();
      logits.dispose();
      const V = this.config.vocab;
      const last = Array.from(all.subarray((ctx.length - 1) * V, ctx.length * V));
      ids.push(sample(last, temperature, topK, g));
    }
    this.train(wasTraining);
    return ids.slice(prompt.length);
  }
}

/** Samples an index from logits with temperature (0: argmax) and top-k (0: all). */
export function sample(logits: number[], temperature: number, topK: number, g: Generator): number {
  const order = logits.map((v, i) => [v, i] as [number, number]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  if (temperature === 0) return order[0][1];
  const kept = topK > 0 ? order.slice(0, topK) : order;
  const mx = kept[0][0];
  const w = kept.map(([v]) => Math.exp((v - mx) / temperature));
  const total = w.reduce((a, b) => a + b, 0);
  let u = g.uniform() * total;
  for (let i = 0; i < kept.length; i++) if ((u -= w[i]) < 0) return kept[i][1];
  return kept[kept.length - 1][1];
}

/** The GPT's defaults: architecture and training (`rootgrad train --model gpt`). The context is 16 for the
 * built-in reverse task (its lines are 14 characters: a context sees a whole line) and 32 for text. */
export const gptDefaults = { dim: 32, heads: 2, layers: 2, dropout: 0, context: { task: 16, text: 32 }, steps: 1000, batch: 32, lr: 5e-3, evalEvery: 100 };

export function checkGpt(c: GptConfig): void {
  for (const k of ['vocab', 'dim', 'heads', 'layers'] as const) positiveInt('gpt', k, c[k]);
  positiveInt('gpt', 'context', c.context, 2);
  if (c.dim % c.heads) throw new Error(`gpt: the width ${c.dim} is not divisible by the heads ${c.heads}`);
  if (c.dropout !== undefined && !(c.dropout >= 0 && c.dropout < 1)) throw new Error(`gpt: dropout must be in [0, 1), got ${c.dropout}`);
}

/** The GPT config whose state_dict has these shapes (nanoGPT-style names: wte, wpe, h.N, ln_f). */
export function inferGpt(shapes: Shapes): Inferred<GptConfig> | null {
  const [wte, wpe] = [shapes['wte.weight'], shapes['wpe.weight']];
  if (!wte || !wpe || wte.length !== 2 || wpe.length !== 2 || !shapes['ln_f.weight']) return null;
  const dim = wte[1];
  const heads = dim % gptDefaults.heads === 0 ? gptDefaults.heads : 1;
  const layers = new Set(Object.keys(shapes).flatMap((k) => /^h\.(\d+)\./.exec(k)?.[1] ?? [])).size;
  return { config: { kind: 'gpt', vocab: wte[0], context: wpe[0], dim, heads, layers }, assumed: [`${heads} heads (the weights fit any number that divides ${dim})`] };
}
