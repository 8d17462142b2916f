// Building a model saved by `rootgrad train` from its bytes (a page's Blob, Response or buffer): the config in
// its metadata picks and checks the model, then its weights are loaded. It lives with the models, not in
// src/io/, because it builds them: src/ never imports models/ (test/layers.test.ts).
import { loadFromBytes, type ByteSource } from '../src/io/bytes.js';
import type { Standardizer } from '../src/data/dataset.js';
import { buildModel, checkModelConfig, GPT, checkGpt, type Classifier, type GptConfig, type ModelConfig } from './index.js';

/** A model saved by `rootgrad train` (or by saveToBytes with the same metadata), built and loaded. */
export interface LoadedModel {
  /** The classifier (or GPT), its weights loaded; dispose it when done. */
  model: Classifier | GPT;
  /** Its config (metadata 'model'). */
  config: ModelConfig | GptConfig;
  /** The feature statistics the model was trained with (standardize inputs with them), when saved. */
  standardizer?: Standardizer;
  classNames?: string[];
  /** The GPT's characters, when it is one. */
  vocab?: string[];
  metadata: Record<string, string>;
}

/** Builds the model that the metadata describes and loads its weights: `const { model } = await
 * loadModel(await fetch('model.safetensors'))`. Everything uploaded belongs to the model. */
export async function loadModel(source: ByteSource, name = 'model.safetensors'): Promise<LoadedModel> {
  const { tensors, metadata } = await loadFromBytes(source, name);
  const get = <T>(key: string): T | undefined => {
    if (metadata[key] === undefined) return undefined;
    try {
      return JSON.parse(metadata[key]) as T;
    } catch (e) {
      throw new Error(`${name}: metadata '${key}' is not JSON (${(e as Error).message})`);
    }
  };
  const raw = get<{ kind?: string }>('model');
  if (!raw) throw new Error(`${name}: no 'model' metadata (a config saved by rootgrad train); build the module yourself and use loadFromBytes + loadStateDict`);
  let model: Classifier | GPT;
  let config: ModelConfig | GptConfig;
  if (raw.kind === 'gpt') {
    checkGpt(raw as GptConfig);
    config = raw as GptConfig;
    model = new GPT(config);
  } else {
    config = checkModelConfig(raw);
    model = buildModel(config);
  }
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    model.dispose();
    throw new Error(`${name}: ${(e as Error).message}`);
  }
  const out: LoadedModel = { model, config, metadata };
  const standardizer = get<Standardizer>('standardizer');
  const classNames = get<string[]>('classNames');
  const vocab = get<string[]>('vocab');
  if (standardizer) out.standardizer = standardizer;
  if (classNames) out.classNames = classNames;
  if (vocab) out.vocab = vocab;
  return out;
}
