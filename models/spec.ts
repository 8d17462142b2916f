// What every built-in classifier owns: its defaults, the validation of its config, the training settings it
// needs to train well, and how to recognise its weights. The command (train, experiment, eval, inspect) and
// the browser page read them from here, so a model's defaults live in one place: its own file.
import type { TrainConfig } from '../src/train-config.js';
import type { Activation } from '../src/nn/layers.js';

/** The architecture options a user may set (the command's flags of the same names). */
export interface ModelOptions {
  hidden?: number[];
  activation?: Activation;
  dropout?: number;
  patch?: number;
  dim?: number;
  heads?: number;
  layers?: number;
  channels?: number[];
  /** LeNet: 'batch' (a BatchNorm2d after each convolution) or 'none'. */
  norm?: 'batch' | 'none';
  width?: number;
  blocks?: number[];
}

/** What a classifier needs to know of its data. */
export interface DataShape {
  features: number;
  classes: number;
  /** For error messages, e.g. 'digits' or a file name. */
  name?: string;
}

/** Tensor shapes by state_dict name, e.g. from a safetensors header. */
export type Shapes = Record<string, readonly number[]>;

export interface Inferred<C> {
  config: C;
  /** What the weights do not tell (e.g. the activation) and was taken from the defaults. */
  assumed: string[];
}

export interface ModelSpec<C extends { kind: string }> {
  kind: C['kind'];
  /** One line for the command's help. */
  about: string;
  /** The options this model takes; the command refuses the others. */
  options: readonly (keyof ModelOptions)[];
  /** A complete config for data of this shape: the options, with this model's defaults for what is not set.
   * Throws (naming the model and the value) on a bad option. */
  configure(data: DataShape, options: ModelOptions): C;
  /** Throws what is wrong with a complete config (from saved metadata or a config file). */
  check(config: C): void;
  /** The training settings this model needs on top of `defaultTrainConfig` (epochs, learning rate, ...). */
  training(config: C): Partial<TrainConfig>;
  /** The config whose state_dict has these names and shapes, if the names are this model's. */
  infer(shapes: Shapes): Inferred<C> | null;
}

export function positiveInt(model: string, what: string, v: unknown, min = 1): void {
  if (!Number.isInteger(v) || (v as number) < min) throw new Error(`${model}: ${what} must be an integer >= ${min}, got ${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`);
}

export function positiveInts(model: string, what: string, v: unknown, length?: number): void {
  if (!Array.isArray(v) || !v.length || (length !== undefined && v.length !== length) || v.some((x) => !Number.isInteger(x) || x < 1))
    throw new Error(`${model}: ${what} must be ${length ?? 'one or more'} positive integers, got ${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`);
}

/** Layer indices i of the names `${prefix}.${i}.${suffix}`, ascending. */
export function indexed(shapes: Shapes, prefix: string, suffix: string): number[] {
  const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)\\.${suffix.replace(/\./g, '\\.')}$`);
  return Object.keys(shapes).flatMap((k) => (re.exec(k) ? [Number(re.exec(k)![1])] : [])).sort((a, b) => a - b);
}
