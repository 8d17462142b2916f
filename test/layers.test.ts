// The layering rules of the tree (issue #30 item 5), checked on the run-time import graph that
// scripts/import-graph.ts builds from src/, models/ and examples/. Only imports that survive compilation count:
// `import type` / `export type` (and imports whose every name is marked `type`) vanish at compile time, so
// they may point anywhere (a type-only circle, such as models/spec.ts naming TrainConfig, costs nothing at run
// time); a dynamic `import('./x')` counts like a static one, so it cannot hide a circle. The rules:
// 1. Layers depend one way. The library core (src/ without its entries and application layer) imports neither
//    models/ nor the application layer; the application layer is APP below: the public entries, which
//    re-export the models, the ONNX importer (an entry built on the core: it imports src/core.ts), and
//    the training / language-model drivers and the CLI, which build models.
// 2. The runtime sits below kernel declarations and fusion: nothing src/runtime.ts reaches imports
//    src/kernel.ts or src/fuse.ts (the parameter layout they share is src/kernel-params.ts).
// 3. src/onnx/ is reached from outside only through its entries (src/onnx/index.ts, src/onnx/node.ts).
// 4. No import circle, except among the eager ops around the tensor (ALLOWED_CYCLE: an op makes tensors,
//    a tensor method calls ops).
// 5. The rootgrad/core entry (src/core.ts, src/node-core.ts) reaches none of the tools rootgrad adds on top
//    (TOOLS: compiled steps, the checks and the audit with its cases, autotuning, data sets, plots), which
//    keeps them out of the core bundle and its 100 KB budget.
// The last test plants each kind of forbidden import in a copy of the graph and checks that it is caught.
import { describe, expect, test } from 'vitest';
import { cycles, cyclePath, importGraph, runtimeImports, type Graph } from '../scripts/import-graph.ts';

const APP = [/^src\/index\.ts$/, /^src\/node\.ts$/, /^src\/onnx\//, /^src\/train\.ts$/, /^src\/experiment\.ts$/, /^src\/lm\.ts$/, /^src\/lm-experiment\.ts$/, /^src\/cli\//];
const ALLOWED_CYCLE = [/^src\/tensor\.ts$/, /^src\/creation\.ts$/, /^src\/custom\.ts$/, /^src\/ops\/[^/]+\.ts$/];
const ONNX_ENTRIES = ['src/onnx/index.ts', 'src/onnx/node.ts'];
const CORE_ENTRIES = ['src/core.ts', 'src/node-core.ts'];
const TOOLS = [/^src\/compile\.ts$/, /^src\/fuse\.ts$/, /^src\/gradcheck\.ts$/, /^src\/audit(-module)?\.ts$/, /^src\/ops\/.*audit.*\.ts$/, /^src\/autotune\.ts$/, /^src\/data\//, /^src\/plot\.ts$/];

const isApp = (f: string): boolean => APP.some((r) => r.test(f));
const isCore = (f: string): boolean => f.startsWith('src/') && !isApp(f);

function reachable(graph: Graph, from: string): Set<string> {
  const seen = new Set<string>([from]);
  const todo = [from];
  while (todo.length > 0) for (const w of graph.get(todo.pop()!) ?? []) if (!seen.has(w)) { seen.add(w); todo.push(w); }
  return seen;
}

/** Every broken rule, one line each, naming the importing file and what it imports. */
export function violations(graph: Graph, allowedCycle: RegExp[] = ALLOWED_CYCLE): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph) {
    for (const t of targets) {
      if (isCore(file) && t.startsWith('models/')) out.push(`rule 1: ${file} imports ${t} (the library core must not import models/)`);
      if (isCore(file) && isApp(t)) out.push(`rule 1: ${file} imports ${t} (the library core must not import the application layer)`);
      if (file.startsWith('models/') && isApp(t)) out.push(`rule 1: ${file} imports ${t} (models/ must not import the application layer)`);
      if (t.startsWith('src/onnx/') && !file.startsWith('src/onnx/') && !ONNX_ENTRIES.includes(t)) out.push(`rule 3: ${file} imports ${t} (outside src/onnx/, import ${ONNX_ENTRIES.join(' or ')})`);
    }
  }
  for (const entry of CORE_ENTRIES) {
    for (const f of reachable(graph, entry)) if (isApp(f) || f.startsWith('models/') || TOOLS.some((r) => r.test(f))) out.push(`rule 5: ${entry} reaches ${f} (rootgrad/core must not carry the tools or the application layer)`);
  }
  for (const f of reachable(graph, 'src/runtime.ts')) {
    if (f === 'src/kernel.ts' || f === 'src/fuse.ts') out.push(`rule 2: src/runtime.ts reaches ${f} (the runtime must import neither kernels nor fusion)`);
  }
  for (const group of cycles(graph)) {
    if (group.every((f) => allowedCycle.some((r) => r.test(f)))) continue;
    const outside = group.find((f) => !allowedCycle.some((r) => r.test(f)))!;
    out.push(`rule 4: import circle ${cyclePath(graph, outside, group).join(' -> ')} (${group.length} files in the circle)`);
  }
  return out.sort();
}

describe('layers', () => {
  const graph = importGraph(process.cwd());

  test('the tree keeps the layering rules', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/runtime.ts')).toContain('src/kernel-params.ts');
    expect(violations(graph)).toEqual([]);
  });

  test('the only import circle is the eager ops family around the tensor', () => {
    const found = cycles(graph);
    expect(found.length).toBeLessThanOrEqual(1);
    for (const f of found[0] ?? []) expect(ALLOWED_CYCLE.some((r) => r.test(f)), f).toBe(true);
  });

  test('with type-only imports counted too, the layers still hold', () => {
    // Not a rule (types vanish at compile time) but kept so far: models/spec.ts and src/plot.ts take their
    // types from src/train-config.ts, the runtime its types from src/dispatch-types.ts, and the ONNX
    // importer's executor, graph builder and op registry theirs from src/onnx/types.ts.
    const typed = importGraph(process.cwd(), undefined, true);
    expect(violations(typed)).toEqual([]);
    expect(typed.get('src/runtime.ts')!.filter((f) => f === 'src/kernel.ts' || f === 'src/fuse.ts' || f.startsWith('models/'))).toEqual([]);
  });

  test('run-time imports: type-only imports vanish, dynamic ones count', () => {
    const code = [
      "import type { A } from './a.js';",
      "import { type B, type C } from './b.js';",
      "import { type D, e } from './d.js';",
      "import './side.js';",
      "export { f } from './f.js';",
      "export type { G } from './g.js';",
      "import x from 'node:fs';",
      "const m = await import('./lazy.js');",
      "type T = import('./typeonly.js').T;",
    ].join('\n');
    expect(runtimeImports(code)).toEqual(['./d.js', './side.js', './f.js', './lazy.js']);
  });

  test('a planted forbidden import is caught', () => {
    const planted = (from: string, to: string): string[] => {
      const copy: Graph = new Map([...graph].map(([k, v]) => [k, [...v]]));
      expect(copy.has(from) && copy.has(to), `${from} and ${to} exist`).toBe(true);
      copy.get(from)!.push(to);
      return violations(copy);
    };
    expect(planted('src/ops/unary.ts', 'models/mlp.ts').join('\n')).toMatch(/rule 1: src\/ops\/unary\.ts imports models\/mlp\.ts/);
    expect(planted('src/nn/layers.ts', 'src/train.ts').join('\n')).toMatch(/rule 1: src\/nn\/layers\.ts imports src\/train\.ts/);
    expect(planted('models/spec.ts', 'src/train.ts').join('\n')).toMatch(/rule 1: models\/spec\.ts imports src\/train\.ts/);
    expect(planted('src/runtime.ts', 'src/kernel.ts').join('\n')).toMatch(/rule 2: src\/runtime\.ts reaches src\/kernel\.ts/);
    expect(planted('src/gpu.ts', 'src/fuse.ts').join('\n')).toMatch(/rule 2: src\/runtime\.ts reaches src\/fuse\.ts/);
    expect(planted('src/tensor.ts', 'src/onnx/graph.ts').join('\n')).toMatch(/rule 3: src\/tensor\.ts imports src\/onnx\/graph\.ts/);
    expect(planted('src/nn/module.ts', 'src/gradcheck.ts').join('\n')).toMatch(/rule 5: src\/core\.ts reaches src\/gradcheck\.ts/);
    expect(planted('src/optim/optimizer.ts', 'src/ops/unary.audit.ts').join('\n')).toMatch(/rule 5: src\/node-core\.ts reaches src\/ops\/unary\.audit\.ts/);
    expect(planted('src/shape.ts', 'src/tensor.ts').join('\n')).toMatch(/rule 4: import circle/);
    expect(planted('src/kernel-params.ts', 'src/runtime.ts').join('\n')).toMatch(/rule 4: import circle src\/kernel-params\.ts -> src\/runtime\.ts -> src\/kernel-params\.ts/);
  });
});
