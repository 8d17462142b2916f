// The models the command line can build, from a JSON config (also stored in saved weights' metadata).
import { LogisticRegression, type LogisticConfig } from './logistic.js';
import { MLPClassifier, type MlpConfig } from './mlp.js';

export type ModelConfig = MlpConfig | LogisticConfig;
export type Classifier = MLPClassifier | LogisticRegression;

export function buildModel(config: ModelConfig): Classifier {
  switch (config.kind) {
    case 'mlp':
      return new MLPClassifier(config);
    case 'logistic':
      return new LogisticRegression(config);
    default:
      throw new Error(`unknown model kind '${(config as { kind: string }).kind}'`);
  }
}

export { LogisticRegression, MLPClassifier };
