// rootgrad generate: continue a prompt with a character-level GPT. The model and its vocabulary come from
// the file's metadata (rootgrad train --model gpt), or, for weights written elsewhere with the same names
// (nanoGPT's wte, wpe, h.N, ln_f), from --config or the flags and --text (the training text, whose sorted
// characters are the vocabulary, as rootgrad train builds it).
import { readFileSync } from 'node:fs';
import { init } from '../gpu.js';
import { load } from '../io/files.js';
import { buildCorpus, decode, encode } from '../lm.js';
import { GPT, checkGpt, gptDefaults, inferGpt, type GptConfig } from '../../models/index.js';
import { parseFlags, usage, UsageError, type Flags } from './flags.js';
import { loadWeights, readConfigFile } from './common.js';

export const generateFlags: Flags = {
  weights: { kind: 'string', help: 'a GPT model.safetensors (rootgrad train --model gpt, or any with nanoGPT-style names)' },
  prompt: { kind: 'string', help: 'the text to continue' },
  tokens: { kind: 'int', help: 'characters to generate (default 200)', min: 1 },
  temperature: { kind: 'number', help: 'sampling temperature, 0 for greedy (default 0.8)', min: 0 },
  'top-k': { kind: 'int', help: 'sample among the k most likely (0: all; default 0)', min: 0 },
  seed: { kind: 'int', help: 'sampling seed', min: 0 },
  config: { kind: 'string', help: 'weights without rootgrad metadata: a JSON file {"model": {"kind": "gpt", ...}, "vocab": ["a", "b", ...]}' },
  text: { kind: 'string', help: 'weights without rootgrad metadata: the training text (its sorted characters are the vocabulary)' },
  dim: { kind: 'int', help: `without metadata: the width (default: from the weights)`, min: 1 },
  heads: { kind: 'int', help: `without metadata: attention heads (default ${gptDefaults.heads}; the weights do not tell)`, min: 1 },
  layers: { kind: 'int', help: 'without metadata: blocks (default: from the weights)', min: 1 },
  context: { kind: 'int', help: 'without metadata: context length (default: from the weights)', min: 2 },
};

export const GENERATE_HELP = usage('generate', generateFlags, 'Continue a prompt with a GPT trained by rootgrad train --model gpt (or with the same names elsewhere).');

export async function generateCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(GENERATE_HELP);
    return 0;
  }
  const f = parseFlags('generate', argv, generateFlags);
  if (!f.weights) throw new UsageError('rootgrad generate: --weights FILE is required');
  const file = f.weights as string;
  const { tensors, metadata } = load(file);
  let config: GptConfig;
  let vocab: string[];
  if (f.config) {
    const j = readConfigFile(f.config as string) as { model?: GptConfig; vocab?: string[] };
    if (!j.model || j.model.kind !== 'gpt' || !Array.isArray(j.vocab)) throw new UsageError(`rootgrad generate: --config ${f.config} needs {"model": {"kind": "gpt", ...}, "vocab": [...]}`);
    [config, vocab] = [j.model, j.vocab];
  } else if (metadata.model && metadata.vocab && !f.text) {
    config = JSON.parse(metadata.model) as GptConfig;
    if (config.kind !== 'gpt') throw new UsageError(`rootgrad generate: ${file} is a ${config.kind} model, not a GPT (use rootgrad eval)`);
    vocab = JSON.parse(metadata.vocab) as string[];
  } else {
    if (!f.text) throw new UsageError(`rootgrad generate: ${file} has no rootgrad GPT metadata: give --config FILE, or --text (the training text, for the vocabulary) and the model flags`);
    const inferred = inferGpt(Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.shape])));
    if (!inferred) throw new UsageError(`rootgrad generate: ${file} has no GPT weights (wte.weight, wpe.weight, h.N..., ln_f; rootgrad inspect ${file} shows what it holds)`);
    let text: string;
    try {
      text = readFileSync(f.text as string, 'utf8');
    } catch (e) {
      throw new Error(`cannot read text file '${f.text}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    vocab = buildCorpus(text).vocab;
    const c = inferred.config;
    config = { ...c, dim: (f.dim as number) ?? c.dim, heads: (f.heads as number) ?? gptDefaults.heads, layers: (f.layers as number) ?? c.layers, context: (f.context as number) ?? c.context };
    if (vocab.length !== c.vocab) throw new UsageError(`rootgrad generate: ${f.text} has ${vocab.length} distinct characters, the weights a vocabulary of ${c.vocab} (wte.weight ${c.vocab} x ${c.dim})`);
  }
  try {
    checkGpt(config);
  } catch (e) {
    throw new UsageError(`rootgrad generate: ${(e as Error).message}`);
  }
  const prompt = (f.prompt as string) ?? vocab[0];
  const ids = encode(vocab, prompt);
  await init();
  const model = new GPT(config);
  try {
    loadWeights(model, tensors, file);
    const out = await model.generate(ids, (f.tokens as number) ?? 200, { temperature: (f.temperature as number) ?? 0.8, topK: (f['top-k'] as number) ?? 0, seed: (f.seed as number) ?? 0 });
    console.log(prompt + decode(vocab, out));
  } finally {
    model.dispose();
  }
  return 0;
}
