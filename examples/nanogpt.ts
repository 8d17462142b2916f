// nanoGPT's GPT (Karpathy's model.py) written with rootgrad's ops, with nanoGPT's parameter names, so that
// a nanoGPT state_dict saved as safetensors loads with loadStateDict: the fused q, k, v projection and split,
// the causal mask by tril and maskedFill (or the fused attention op with `flash: true`), exact GELU, tied
// token embedding and head, decay / no-decay parameter groups, and generate() with temperature, top-k and
// multinomial sampling.
// Run: node scripts/run-ts.mjs examples/nanogpt.ts   (trains a few steps on a toy sequence, then samples)
import * as rg from '../src/node.js';
import type { Tensor } from '../src/node.js';

export interface NanoGptConfig {
  blockSize: number;
  vocabSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  dropout: number;
  /** Biases in Linears and LayerNorms (nanoGPT's `bias`). */
  bias: boolean;
  /** The fused attention op instead of the explicit masked softmax (nanoGPT's flash path). */
  flash?: boolean;
}

/** nanoGPT's LayerNorm: an optional bias. */
class LayerNorm extends rg.Module {
  weight: Tensor;
  bias: Tensor | null;
  constructor(n: number, bias: boolean) {
    super();
    this.weight = this.param('weight', rg.ones([n]));
    this.bias = bias ? this.param('bias', rg.zeros([n])) : null;
  }
  forward(x: Tensor): Tensor {
    return rg.tidy(() => rg.layerNorm(x, this.weight, this.bias ?? rg.zeros([this.weight.size]), 1e-5));
  }
}

class CausalSelfAttention extends rg.Module {
  c_attn: rg.Linear;
  c_proj: rg.Linear;
  attn_dropout: rg.Dropout;
  resid_dropout: rg.Dropout;
  /** The causal mask buffer (registered below; `declare`: the accessor is the module's). */
  declare readonly bias: Tensor;
  constructor(readonly cfg: NanoGptConfig) {
    super();
    if (cfg.nEmbd % cfg.nHead) throw new Error(`nanogpt: nEmbd ${cfg.nEmbd} is not a multiple of nHead ${cfg.nHead}`);
    this.c_attn = this.module('c_attn', new rg.Linear(cfg.nEmbd, 3 * cfg.nEmbd, { bias: cfg.bias }));
    this.c_proj = this.module('c_proj', new rg.Linear(cfg.nEmbd, cfg.nEmbd, { bias: cfg.bias }));
    this.attn_dropout = this.module('attn_dropout', new rg.Dropout(cfg.dropout));
    this.resid_dropout = this.module('resid_dropout', new rg.Dropout(cfg.dropout));
    // the causal mask, a buffer as in nanoGPT's non-flash path (so its state_dict's `attn.bias` loads)
    const T = cfg.blockSize;
    this.buffer('bias', rg.reshape(rg.tril(rg.ones([T, T])), [1, 1, T, T]));
  }
  forward(x: Tensor): Tensor {
    return rg.tidy(() => {
      const [B, T, C] = x.shape;
      const H = this.cfg.nHead;
      const heads = (t: Tensor) => rg.transpose(rg.reshape(t, [B, T, H, C / H]), 1, 2); // [B, H, T, hd]
      const [q, k, v] = rg.split(this.c_attn.forward(x), C, 2).map(heads);
      let y: Tensor;
      if (this.cfg.flash) y = rg.attention(q, k, v, { causal: true });
      else {
        const mask = rg.narrow(rg.narrow(this.bias, 2, 0, T), 3, 0, T); // bias[:, :, :T, :T]
        const att = rg.mul(rg.matmul(q, rg.transpose(k, -2, -1)), 1 / Math.sqrt(C / H));
        const probs = rg.softmax(rg.maskedFill(att, rg.eq(mask, 0), -Infinity), -1);
        y = rg.matmul(this.attn_dropout.forward(probs), v);
      }
      const merged = rg.reshape(rg.transpose(y, 1, 2), [B, T, C]);
      return this.resid_dropout.forward(this.c_proj.forward(merged));
    });
  }
}

class MLP extends rg.Module {
  c_fc: rg.Linear;
  c_proj: rg.Linear;
  dropout: rg.Dropout;
  constructor(cfg: NanoGptConfig) {
    super();
    this.c_fc = this.module('c_fc', new rg.Linear(cfg.nEmbd, 4 * cfg.nEmbd, { bias: cfg.bias }));
    this.c_proj = this.module('c_proj', new rg.Linear(4 * cfg.nEmbd, cfg.nEmbd, { bias: cfg.bias }));
    this.dropout = this.module('dropout', new rg.Dropout(cfg.dropout));
  }
  forward(x: Tensor): Tensor {
    return rg.tidy(() => this.dropout.forward(this.c_proj.forward(rg.gelu(this.c_fc.forward(x))))); // nn.GELU(): exact
  }
}

class Block extends rg.Module {
  ln_1: LayerNorm;
  attn: CausalSelfAttention;
  ln_2: LayerNorm;
  mlp: MLP;
  constructor(cfg: NanoGptConfig) {
    super();
    this.ln_1 = this.module('ln_1', new LayerNorm(cfg.nEmbd, cfg.bias));
    this.attn = this.module('attn', new CausalSelfAttention(cfg));
    this.ln_2 = this.module('ln_2', new LayerNorm(cfg.nEmbd, cfg.bias));
    this.mlp = this.module('mlp', new MLP(cfg));
  }
  forward(x: Tensor): Tensor {
    return rg.tidy(() => {
      const h = rg.add(x, this.attn.forward(this.ln_1.forward(x)));
      return rg.add(h, this.mlp.forward(this.ln_2.forward(h)));
    });
  }
}

/** nanoGPT's GPT: forward(idx, targets?) -> [logits, loss], as model.py. */
export class NanoGPT extends rg.Module<[Tensor, Tensor?], [Tensor, Tensor | null]> {
  transformer: rg.ModuleDict;
  lm_head: rg.Linear;
  blocks: rg.ModuleList<Block>;
  constructor(readonly config: NanoGptConfig) {
    super();
    const c = config;
    this.blocks = new rg.ModuleList(Array.from({ length: c.nLayer }, () => new Block(c)));
    this.transformer = this.module('transformer', new rg.ModuleDict({
      wte: new rg.Embedding(c.vocabSize, c.nEmbd, { std: 0.02 }),
      wpe: new rg.Embedding(c.blockSize, c.nEmbd, { std: 0.02 }),
      drop: new rg.Dropout(c.dropout),
      h: this.blocks,
      ln_f: new LayerNorm(c.nEmbd, c.bias),
    }));
    this.lm_head = this.module('lm_head', new rg.Linear(c.nEmbd, c.vocabSize, { bias: false }));
    // weight tying: one tensor, listed once by namedParameters, under both names in stateDict
    const wte = this.transformer.get('wte') as rg.Embedding;
    wte.weight.dispose();
    wte.weight = this.lm_head.weight;
  }

  forward(idx: Tensor, targets?: Tensor): [Tensor, Tensor | null] {
    const [, t] = idx.shape;
    if (t > this.config.blockSize) throw new Error(`nanogpt: cannot forward a sequence of length ${t}, the block size is ${this.config.blockSize}`);
    const x = rg.tidy(() => {
      const pos = rg.arange(0, t);
      let h = this.transformer.get('drop').forward(rg.add(this.transformer.get('wte').forward(idx), this.transformer.get('wpe').forward(pos)));
      for (const block of this.blocks) h = block.forward(h);
      return this.transformer.get('ln_f').forward(h);
    });
    if (targets) {
      const logits = this.lm_head.forward(x);
      x.dispose();
      return [logits, rg.crossEntropy(logits, targets, { ignoreIndex: -1 })]; // class axis last, as [B, T, V]
    }
    // inference: the head on the last position only (x[:, [-1], :])
    const last = rg.narrow(x, 1, t - 1, 1);
    x.dispose();
    const logits = this.lm_head.forward(last);
    last.dispose();
    return [logits, null];
  }

  /** AdamW with weight decay on every parameter of two or more dimensions (matmuls, embeddings) and none
   * on biases and norms, as nanoGPT's configure_optimizers. */
  configureOptimizers(weightDecay: number, learningRate: number, betas: [number, number] = [0.9, 0.95]): rg.AdamW {
    const params = this.parameters();
    return new rg.AdamW([
      { params: params.filter((p) => p.ndim >= 2), weightDecay },
      { params: params.filter((p) => p.ndim < 2), weightDecay: 0 },
    ], { lr: learningRate, betas });
  }

  /** Appends maxNewTokens sampled tokens to idx [B, T] (temperature, optional top-k), as nanoGPT's generate. */
  generate(idx: Tensor, maxNewTokens: number, temperature = 1, topK?: number): Tensor {
    let out = idx;
    rg.noGrad(() => {
      for (let i = 0; i < maxNewTokens; i++) {
        const next = rg.tidy(() => {
          const t = out.shape[1];
          const cond = t <= this.config.blockSize ? out : rg.narrow(out, 1, t - this.config.blockSize, this.config.blockSize);
          const [logits] = this.forward(cond);
          let l = rg.mul(rg.reshape(logits, [logits.shape[0], logits.shape[2]]), 1 / temperature);
          if (topK !== undefined) {
            const { values } = rg.topk(l, Math.min(topK, l.shape[1]), -1);
            const kth = rg.narrow(values, 1, values.shape[1] - 1, 1);
            l = rg.maskedFill(l, rg.lt(l, kth), -Infinity);
          }
          return rg.multinomial(rg.softmax(l, -1), 1);
        });
        const grown = rg.cat([out, next], 1);
        next.dispose();
        if (out !== idx) out.dispose();
        out = grown;
      }
    });
    return out;
  }
}

// A demo when run directly: learn to continue a repeating sequence, then sample from it.
// (run-ts bundles the entry as nanogpt.mjs; inside another bundle, import.meta.url would match too)
if (/nanogpt\.(mjs|ts)$/.test(process.argv[1] ?? '')) {
  await rg.init();
  rg.manualSeed(0);
  const cfg: NanoGptConfig = { blockSize: 16, vocabSize: 8, nLayer: 2, nHead: 2, nEmbd: 32, dropout: 0, bias: true };
  const model = new NanoGPT(cfg);
  console.log(`nanoGPT: ${model.numParameters()} parameters (tied head counted once)`);
  const opt = model.configureOptimizers(0.1, 3e-3);
  const seq = Array.from({ length: 17 * 8 }, (_, i) => i % 8);
  for (let step = 1; step <= 150; step++) {
    const starts = Array.from({ length: 8 }, () => rg.globalGenerator.int(seq.length - 17));
    const x = rg.tensor(starts.flatMap((s) => seq.slice(s, s + 16)), [8, 16], { dtype: 'i32' });
    const y = rg.tensor(starts.flatMap((s) => seq.slice(s + 1, s + 17)), [8, 16], { dtype: 'i32' });
    const loss = rg.tidy(() => {
      const [, l] = model.forward(x, y);
      l!.backward();
      rg.clipGradNorm(model.parameters(), 1);
      opt.step();
      opt.zeroGrad();
      return l!.detach();
    });
    if (step % 50 === 0) console.log(`step ${step}: loss ${(await loss.item()).toFixed(4)}`);
    for (const t of [x, y, loss]) t.dispose();
  }
  const start = rg.tensor([[0, 1, 2]], [1, 3], { dtype: 'i32' });
  const sample = model.generate(start, 12, 0.8, 3);
  console.log('sample:', [...(await sample.data())].join(' '));
  rg.shutdown();
}
