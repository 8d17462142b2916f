// The models the command line can build, from a JSON config (also stored in saved weights' metadata), and
// each classifier's spec: its defaults, validation, training settings and how to recognise its weights.
import { LogisticRegression, logisticSpec, type LogisticConfig } from './logistic.js';
import { MLPClassifier, mlpSpec, mlpDefaults, type MlpConfig } from './mlp.js';
import { ViT, vitSpec, vitDefaults, type VitConfig } from './vit.js';
import { GPT, gptDefaults, checkGpt, inferGpt, type GptConfig } from './gpt.js';
import { LeNet, lenetSpec, lenetDefaults, lenetSmallDefaults, type LenetConfig } from './lenet.js';
import { ResNet, resnetSpec, resnetDefaults, type ResnetConfig } from './resnet.js';
import type { ModelSpec } from './spec.js';

export type ModelConfig = MlpConfig | LogisticConfig | VitConfig | LenetConfig | ResnetConfig;
export type Classifier = MLPClassifier | LogisticRegression | ViT | LeNet | ResNet;
export type ClassifierKind = ModelConfig['kind'];

/** Every built-in classifier's spec, by kind. */
export const classifierSpecs: { [K in ClassifierKind]: ModelSpec<Extract<ModelConfig, { kind: K }>> } = {
  mlp: mlpSpec,
  logistic: logisticSpec,
  vit: vitSpec,
  lenet: lenetSpec,
  resnet: resnetSpec,
};

export function classifierSpec(kind: string): ModelSpec<ModelConfig> {
  const s = (classifierSpecs as Record<string, ModelSpec<ModelConfig>>)[kind];
  if (!s) throw new Error(`unknown model kind '${kind}' (the classifiers are ${Object.keys(classifierSpecs).join(', ')})`);
  return s;
}

/** Checks a classifier config from a file or metadata: its kind, then the model's own rules. */
export function checkModelConfig(config: unknown): ModelConfig {
  const kind = (config as { kind?: unknown })?.kind;
  if (typeof kind !== 'string') throw new Error(`a model config needs a "kind" (${Object.keys(classifierSpecs).join(', ')}), got ${JSON.stringify(config)}`);
  classifierSpec(kind).check(config as ModelConfig);
  return config as ModelConfig;
}

/** Number of input features a classifier takes. */
export function inputsOf(config: ModelConfig): number {
  return config.kind === 'vit' || config.kind === 'lenet' || config.kind === 'resnet' ? config.side * config.side : config.inputs;
}

export function buildModel(config: ModelConfig): Classifier {
  switch (config.kind) {
    case 'mlp':
      return new MLPClassifier(config);
    case 'logistic':
      return new LogisticRegression(config);
    case 'vit':
      return new ViT(config);
    case 'lenet':
      return new LeNet(config);
    case 'resnet':
      return new ResNet(config);
    default:
      throw new Error(`unknown model kind '${(config as { kind: string }).kind}'`);
  }
}

export { LogisticRegression, MLPClassifier, ViT, GPT, LeNet, ResNet, type GptConfig, type VitConfig, type LenetConfig, type ResnetConfig, type MlpConfig, type LogisticConfig };
export { mlpDefaults, vitDefaults, lenetDefaults, lenetSmallDefaults, resnetDefaults, gptDefaults, checkGpt, inferGpt };
export type { ModelSpec, ModelOptions, DataShape, Shapes, Inferred } from './spec.js';
