// rootgrad inspect FILE.safetensors: what a weights file holds (names, dtypes, shapes, bytes, metadata) and
// which built-in model it fits, with the flags or --config that rebuild it for eval and generate.
import { readFileSync, statSync } from 'node:fs';
import { init } from '../gpu.js';
import { safetensorsHeader, type SafetensorsEntry } from '../io/safetensors.js';
import { shapeStr } from '../shape.js';
import { buildModel, classifierSpecs, GPT, inferGpt, type GptConfig, type ModelConfig, type Shapes } from '../../models/index.js';
import type { ModelSpec } from '../../models/spec.js';
import { parseFlags, usage, UsageError, type Flags } from './flags.js';

export const inspectFlags: Flags = {
  json: { kind: 'bool', help: 'print the report as JSON' },
};

export const INSPECT_HELP = usage('inspect FILE.safetensors', inspectFlags, "Show a safetensors file's tensors (names, dtypes, shapes, bytes) and metadata, and which built-in model\nit fits: the flags or --config that make rootgrad eval / generate load it.");

export interface Fit {
  kind: string;
  config: ModelConfig | GptConfig;
  /** What the weights do not determine and was assumed. */
  assumed: string[];
  /** Command-line flags that rebuild the model, when flags can express it. */
  flags: string | null;
}

/** The built-in models whose state_dict names and shapes are exactly these (built and compared). */
export function fits(shapes: Shapes): Fit[] {
  const out: Fit[] = [];
  const same = (model: { stateDict(): Record<string, { shape: readonly number[] }>; dispose(): void }) => {
    const own = model.stateDict();
    const ok = Object.keys(own).length === Object.keys(shapes).length && Object.entries(own).every(([k, t]) => shapes[k] && shapeStr(shapes[k]) === shapeStr(t.shape));
    model.dispose();
    return ok;
  };
  for (const spec of Object.values(classifierSpecs) as ModelSpec<ModelConfig>[]) {
    const got = spec.infer(shapes);
    if (got && same(buildModel(got.config))) out.push({ kind: spec.kind, config: got.config, assumed: got.assumed, flags: flagsFor(spec, got.config) });
  }
  const gpt = inferGpt(shapes);
  if (gpt && same(new GPT(gpt.config))) {
    const c = gpt.config;
    out.push({ kind: 'gpt', config: c, assumed: gpt.assumed, flags: `--dim ${c.dim} --heads ${c.heads} --layers ${c.layers} --context ${c.context}` });
  }
  return out;
}

/** `--model kind --option value ...` when every architecture field is a flag the model takes. */
function flagsFor(spec: ModelSpec<ModelConfig>, c: ModelConfig): string | null {
  const derived = new Set(['kind', 'inputs', 'classes', 'side', 'dropout']); // from the data, or unused in eval
  const fields = Object.keys(c).filter((k) => !derived.has(k));
  if (fields.some((k) => !spec.options.includes(k as never))) return null;
  const value = (v: unknown) => (Array.isArray(v) ? v.join(',') : String(v));
  return [`--model ${c.kind}`, ...fields.map((k) => `--${k} ${value((c as unknown as Record<string, unknown>)[k])}`)].join(' ');
}

const bytesStr = (n: number) => (n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1 << 20)).toFixed(2)} MiB`);

export async function inspectCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(INSPECT_HELP);
    return 0;
  }
  const files = argv.filter((a) => !a.startsWith('--'));
  const f = parseFlags('inspect', argv.filter((a) => a.startsWith('--')), inspectFlags);
  if (files.length !== 1) throw new UsageError(`rootgrad inspect: give one safetensors file, got ${files.length ? files.join(' ') : 'none'}`);
  const file = files[0];
  let bytes: Uint8Array;
  try {
    if (statSync(file).isDirectory()) throw new Error('EISDIR');
    bytes = readFileSync(file);
  } catch (e) {
    throw new Error(`cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const { entries, metadata } = safetensorsHeader(bytes, file);
  const shapes: Shapes = Object.fromEntries(entries.map((e) => [e.name, e.shape]));
  await init();
  const found = fits(shapes);
  const params = entries.reduce((a, e) => a + e.shape.reduce((x, y) => x * y, 1), 0);
  if (f.json) {
    console.log(JSON.stringify({ file, bytes: bytes.length, parameters: params, tensors: entries.map(({ offsets: _, ...e }) => e), metadata, fits: found }, null, 2));
    return 0;
  }
  console.log(`${file}: ${entries.length} tensors, ${params.toLocaleString('en-US')} values, ${bytesStr(bytes.length)}`);
  console.log(table(entries));
  const keys = Object.keys(metadata);
  console.log(keys.length ? `metadata:\n${keys.map((k) => `  ${k}: ${metadata[k].length > 200 ? metadata[k].slice(0, 200) + '…' : metadata[k]}`).join('\n')}` : 'metadata: none (rootgrad eval and generate need the model given by flags or --config)');
  if (!found.length) console.log('fits no built-in model (names and shapes checked against mlp, logistic, vit, lenet, resnet, gpt)');
  for (const fit of found) {
    console.log(`fits: ${fit.kind} ${JSON.stringify(fit.config)}`);
    if (fit.assumed.length) console.log(`  not in the weights, assumed: ${fit.assumed.join('; ')}`);
    if (fit.flags) console.log(`  flags: ${fit.flags}`);
    console.log(`  or --config with: ${JSON.stringify({ model: fit.config })}`);
  }
  return 0;
}

function table(entries: SafetensorsEntry[]): string {
  const rows = entries.map((e) => [e.name, e.dtype, shapeStr(e.shape), String(e.bytes)]);
  const head = ['name', 'dtype', 'shape', 'bytes'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 3 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ');
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}
