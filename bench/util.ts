// Shared by the benchmarks: timing with a GPU sync, and writing JSON + a markdown table to bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as rg from '../src/node.js';
import { rt } from '../src/runtime.js';

/** Waits for all submitted GPU work by reading 4 bytes of t back (queue order: everything before is done). */
export async function sync(t: rg.Tensor): Promise<void> {
  await rt().read(t.storage().view(4));
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median milliseconds of fn (which returns a tensor to sync on) over `iters` runs after `warmup`. */
export async function timeMs(fn: () => rg.Tensor, { warmup = 2, iters = 5 } = {}): Promise<number> {
  for (let i = 0; i < warmup; i++) {
    const t = fn();
    await sync(t);
    t.dispose();
  }
  const times: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    const t = fn();
    await sync(t);
    times.push(performance.now() - t0);
    t.dispose();
  }
  return median(times);
}

export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}

/** Writes bench/results/NAME.{json,md} (or to --results DIR). */
export function writeResults(name: string, json: unknown, markdown: string): void {
  const dir = arg('results', 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/${name}.json`, JSON.stringify(json, null, 2) + '\n');
  writeFileSync(`${dir}/${name}.md`, markdown);
  console.log(markdown);
  console.log(`wrote ${dir}/${name}.json and ${dir}/${name}.md`);
}

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
