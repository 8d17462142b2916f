// The training settings' and epoch log's types, and no code. models/spec.ts names TrainConfig (the settings a
// model needs) and src/plot.ts draws EpochLogs;
// keeping the types apart from src/train.ts, which builds models, leaves no circle between models/ and src/
// and keeps the core off the application layer, not even at type level. src/train.ts re-exports them.

/** A built-in loss ('bce' for the logistic model), or the name of any registered row loss (rowLossNames():
 * built-in and defineRowLoss's, e.g. 'poly1'), whose scalars come from `lossOptions`. */
export type LossName = 'ce' | 'focal' | 'rooted' | 'bce' | (string & {});

export interface TrainConfig {
  loss: LossName;
  /** A registered row loss's scalars by name (e.g. { eps: 0.5 }); its defaults for the rest. */
  lossOptions?: Record<string, number>;
  k: number;
  m: number;
  alpha: number;
  gamma: number;
  epochs: number;
  batch: number;
  lr: number;
  optimizer: 'adam' | 'adamw' | 'sgd';
  momentum: number;
  weightDecay: number;
  /** cosine: annealed to 0 over the run; constant; onecycle: PyTorch's OneCycleLR (lr is the peak). */
  schedule: 'cosine' | 'constant' | 'onecycle';
  /** Linear warm-up steps (cosine and constant; onecycle rises over its first 30% itself). */
  warmup: number;
  clip: number;
  seed: number;
  /** Run each training step as a compiled step (rg.compile: recorded, then replayed; the same bits).
   * Default true; false runs every step eagerly. */
  compile?: boolean;
}

export interface EpochLog {
  epoch: number;
  lr: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  /** Test cross-entropy (binary cross-entropy for the logistic model) whatever the training loss: the
   * number that compares runs with different losses. */
  testCrossEntropy: number;
  testAccuracy: number;
  seconds: number;
  examplesPerSecond: number;
}
