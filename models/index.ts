// The models the command line can build, from a JSON config (also stored in saved weights' metadata).
import { LogisticRegression, type LogisticConfig } from './logistic.js';
import { MLPClassifier, type MlpConfig } from './mlp.js';
import { ViT, type VitConfig } from './vit.js';
import { GPT, type GptConfig } from './gpt.js';
import { LeNet, type LenetConfig } from './lenet.js';
import { ResNet, type ResnetConfig } from './resnet.js';

export type ModelConfig = MlpConfig | LogisticConfig | VitConfig | LenetConfig | ResnetConfig;
export type Classifier = MLPClassifier | LogisticRegression | ViT | LeNet | ResNet;

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

export { LogisticRegression, MLPClassifier, ViT, GPT, LeNet, ResNet, type GptConfig, type VitConfig, type LenetConfig, type ResnetConfig };
