// What several subcommands share: data preparation, weight loading, the adapter line, autotuning, progress.
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../data/files.js';
import { fitStandardizer, standardize, subset, trainTestSplit, type Dataset, type Standardizer } from '../data/dataset.js';
import { Generator } from '../random.js';
import { toDevice, type HostTensor } from '../io/safetensors.js';
import { fileStore } from '../io/files.js';
import { autotune } from '../autotune.js';
import type { AdapterInfo } from '../gpu.js';
import type { EpochLog } from '../train.js';
import type { Tensor } from '../tensor.js';

/** The data's own test split when it has one (IDX folders), else a seeded random split; `limit` keeps a
 * seeded random subset of the training examples. */
export function splitFor(ds: Dataset, testFraction: number, seed: number, limit?: number): { train: Dataset; test: Dataset } {
  let { train, test } = ds.test ? { train: { ...ds, test: undefined }, test: ds.test } : trainTestSplit(ds, testFraction, seed);
  if (limit !== undefined && limit < train.n) {
    const order = Array.from({ length: train.n }, (_, i) => i);
    new Generator(seed + 1).shuffle(order);
    train = subset(train, order.slice(0, limit));
  }
  return { train, test };
}

export interface Prepared {
  train: Dataset;
  test: Dataset;
  stats: Standardizer;
}

/** Splits the data and standardises both parts with the training part's statistics (as `rootgrad train` does). */
export function prepare(data: string, testFraction: number, seed: number, limit?: number): Prepared {
  const { train, test } = splitFor(loadDataset(data), testFraction, seed, limit);
  const stats = fitStandardizer(train);
  return { train: standardize(train, stats), test: standardize(test, stats), stats };
}

export function parseJson(what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/** A --config file (eval, generate): a JSON object, with errors that name the file. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read config file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const j = parseJson(`config file '${path}'`, text);
  if (!j || typeof j !== 'object' || Array.isArray(j)) throw new Error(`config file '${path}': expected a JSON object, got ${text.slice(0, 60)}`);
  return j as Record<string, unknown>;
}

/** Copies saved host tensors into a freshly built model's parameters (strict: names and shapes must match). */
export function loadWeights(model: { loadStateDict(s: Record<string, Tensor>): void }, tensors: Record<string, HostTensor>, file: string): void {
  const dev = toDevice(tensors);
  try {
    model.loadStateDict(dev);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  } finally {
    for (const t of Object.values(dev)) t.dispose();
  }
}

/** The adapter as the command names it, e.g. "SwiftShader driver 5.0.0 (software: no hardware WebGPU adapter found)". */
export function adapterLine(info: AdapterInfo): string {
  const name = info.description || info.vendor || 'an unnamed adapter';
  return info.note ? `${name} (${info.note})` : name;
}

/** --autotune: times the kernel variants before training (before, not during: a switch mid-run would change
 * the bits). The result is kept per adapter in $XDG_CACHE_HOME/rootgrad (~/.cache/rootgrad) and reused. */
export async function autotuneFor(on: boolean, quiet: boolean): Promise<void> {
  if (!on) return;
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'rootgrad');
  mkdirSync(dir, { recursive: true });
  const results = await autotune({ store: fileStore(join(dir, 'autotune.json')) });
  if (!quiet) console.log(`autotune: ${results.map((r) => `${r.kernel}:${r.shapeClass} ${r.chosen}`).join(', ')}`);
}

export function progress(enabled: boolean) {
  const tty = !!process.stdout.isTTY;
  return {
    step(epoch: number, epochs: number, step: number, steps: number) {
      if (!enabled || !tty) return;
      const width = 30;
      const done = Math.round((step / steps) * width);
      process.stdout.write(`\repoch ${epoch}/${epochs} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${step}/${steps}`);
    },
    epoch(log: EpochLog, epochs: number) {
      if (!enabled) return;
      const line = `epoch ${log.epoch}/${epochs}  loss ${log.trainLoss.toFixed(4)}  acc ${(100 * log.trainAccuracy).toFixed(2)}%  test loss ${log.testLoss.toFixed(4)}  test cross-entropy ${log.testCrossEntropy.toFixed(4)}  test acc ${(100 * log.testAccuracy).toFixed(2)}%  ${Math.round(log.examplesPerSecond)} ex/s`;
      process.stdout.write(tty ? `\r${line}\x1b[K\n` : `${line}\n`);
    },
  };
}
