// Flags: one table per subcommand, parsed strictly (unknown flags, missing values, bad numbers and choices
// are usage errors that name the flag and the value), and the help text made from the same table.
import { classifierSpec, type ClassifierKind, type DataShape, type ModelConfig, type ModelOptions } from '../../models/index.js';

export class UsageError extends Error {}

export interface FlagSpec {
  kind: 'int' | 'number' | 'string' | 'list' | 'bool';
  help: string;
  choices?: readonly string[];
  min?: number;
}

export type Flags = Record<string, FlagSpec>;
export type Parsed = Record<string, string | number | boolean | number[]>;

/** The architecture flags (their defaults live with each model in models/). */
export const modelFlags: Flags = {
  hidden: { kind: 'list', help: 'MLP hidden layer sizes, e.g. 256,256' },
  activation: { kind: 'string', help: 'MLP activation', choices: ['relu', 'gelu', 'tanh'] },
  dropout: { kind: 'number', help: 'dropout probability (MLP, ViT, GPT)', min: 0 },
  patch: { kind: 'int', help: 'ViT patch side', min: 1 },
  dim: { kind: 'int', help: 'ViT / GPT width', min: 1 },
  heads: { kind: 'int', help: 'ViT / GPT attention heads', min: 1 },
  layers: { kind: 'int', help: 'ViT / GPT blocks', min: 1 },
  channels: { kind: 'list', help: 'LeNet channels of its two convolutions (default 8,16 on 28x28 images, 6,16 below 20 pixels)' },
  norm: { kind: 'string', help: 'LeNet normalisation after each convolution: batch (default, BatchNorm2d) or none (LeNet-5 as published)', choices: ['batch', 'none'] },
  width: { kind: 'int', help: 'ResNet channels of the first stage', min: 1 },
  blocks: { kind: 'list', help: 'ResNet BasicBlocks per stage, e.g. 1,1' },
};

/** One help line per flag. */
export function flagLines(flags: Flags): string {
  return Object.entries(flags).map(([k, f]) => `  --${k.padEnd(15)} ${f.help}${f.choices ? ` [${f.choices.join('|')}]` : ''}`).join('\n');
}

export function usage(cmd: string, flags: Flags, intro: string): string {
  return `${intro}

usage: rootgrad ${cmd} [flags]

${flagLines(flags)}
  --import FILE     load an ES module (or .ts) first: its defineRowLoss losses and defineOp ops are usable by name (repeatable)
  --help            this text
`;
}

export function parseFlags(cmd: string, argv: string[], flags: Flags): Parsed {
  const out: Parsed = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new UsageError(`rootgrad ${cmd}: unexpected argument '${a}'`);
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
    const spec = flags[name];
    if (!spec) throw new UsageError(`rootgrad ${cmd}: unknown flag --${name} (see rootgrad ${cmd} --help)`);
    if (spec.kind === 'bool') {
      out[name] = true;
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UsageError(`rootgrad ${cmd}: --${name} needs a value`);
    if (spec.kind === 'string') {
      if (spec.choices && !spec.choices.includes(v)) throw new UsageError(`rootgrad ${cmd}: --${name} must be one of ${spec.choices.join(', ')}, got '${v}'`);
      out[name] = v;
    } else if (spec.kind === 'list') {
      const xs = v.split(',').map(Number);
      if (!xs.length || xs.some((x) => !Number.isInteger(x) || x < 1)) throw new UsageError(`rootgrad ${cmd}: --${name} must be positive integers separated by commas, got '${v}'`);
      out[name] = xs;
    } else {
      const x = Number(v);
      if (v.trim() === '' || !Number.isFinite(x)) throw new UsageError(`rootgrad ${cmd}: --${name} must be a number, got '${v}'`);
      if (spec.kind === 'int' && !Number.isInteger(x)) throw new UsageError(`rootgrad ${cmd}: --${name} must be an integer, got '${v}'`);
      if (spec.min !== undefined && x < spec.min) throw new UsageError(`rootgrad ${cmd}: --${name} must be ${spec.min === Number.MIN_VALUE ? '> 0' : `>= ${spec.min}`}, got '${v}'`);
      out[name] = x;
    }
  }
  return out;
}

/** The architecture options among the parsed flags. */
export function modelOptions(f: Parsed): ModelOptions {
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(modelFlags)) if (k in f) o[k] = f[k];
  return o as ModelOptions;
}

/** The model of `kind` for this data from the flags (the model's own defaults for the rest): flags that the
 * model does not take, and invalid values, are usage errors. */
export function configureModel(cmd: string, kind: string, data: DataShape, f: Parsed): ModelConfig {
  const spec = classifierSpec(kind as ClassifierKind);
  const given = Object.keys(modelOptions(f));
  const foreign = given.filter((k) => !spec.options.includes(k as keyof ModelOptions));
  if (foreign.length) throw new UsageError(`rootgrad ${cmd}: --${foreign[0]} is not an option of --model ${kind}${spec.options.length ? ` (it takes --${spec.options.join(', --')})` : ''}`);
  try {
    return spec.configure(data, modelOptions(f));
  } catch (e) {
    throw new UsageError(`rootgrad ${cmd}: ${(e as Error).message}`);
  }
}
