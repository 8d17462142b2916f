// The runtime import graph of the library's own files (src/, models/, examples/), and its cycles.
// Files are nodes; an edge is an import that survives compilation: `import ... from`, `export ... from`,
// a side-effect `import './x'`, and a dynamic `import('./x')` with a literal path (a dynamic import does not
// hide a cycle). `import type`, `export type` and imports whose every name is marked `type` are left out: they
// vanish at compile time. Built on the TypeScript compiler's parser (already a devDependency), so it needs no
// bundle and runs in well under a second. test/layers.test.ts checks the layering rules on it.
import ts from 'typescript';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, dirname, relative, resolve, sep } from 'node:path';

export const ROOTS = ['src', 'models', 'examples'];

function listTs(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) listTs(path, out);
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
}

/** The relative module paths a file imports at run time (see the header for what counts); withTypes: type-only
 * imports too (for reports: the circles a type-level tool would show). */
export function runtimeImports(code: string, fileName = 'x.ts', withTypes = false): string[] {
  const file = ts.createSourceFile(fileName, code, ts.ScriptTarget.ES2022, true);
  const specs: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const typeOnly = clause !== undefined && (clause.isTypeOnly || (clause.name === undefined
        && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings)
        && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if ((withTypes || !typeOnly) && ts.isStringLiteral(node.moduleSpecifier)) specs.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node)) {
      const typeOnly = node.isTypeOnly || (node.exportClause !== undefined && ts.isNamedExports(node.exportClause)
        && node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly));
      if ((withTypes || !typeOnly) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) specs.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteralLike(arg)) specs.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return specs.filter((s) => s.startsWith('.'));
}

function resolveSpec(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  const stem = base.replace(/\.(js|mjs|ts|mts)$/, '');
  for (const candidate of [stem + '.ts', stem + '.mts', join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

export type Graph = Map<string, string[]>;

/** The graph keyed by repository-relative paths with '/' separators. */
export function importGraph(root: string, dirs: string[] = ROOTS, withTypes = false): Graph {
  const files: string[] = [];
  for (const dir of dirs) if (existsSync(join(root, dir))) listTs(join(root, dir), files);
  const rel = (p: string): string => relative(root, p).split(sep).join('/');
  const graph: Graph = new Map();
  for (const file of files) {
    const targets = new Set<string>();
    for (const spec of runtimeImports(readFileSync(file, 'utf8'), file, withTypes)) {
      const target = resolveSpec(file, spec);
      if (target && /\.(ts|mts)$/.test(target) && !target.endsWith('.d.ts')) targets.add(rel(target));
    }
    graph.set(rel(file), [...targets].sort());
  }
  return graph;
}

/** Strongly connected components with more than one file (or a file importing itself), each sorted. Tarjan. */
export function cycles(graph: Graph): string[][] {
  let counter = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), onStack = new Set<string>();
  const stack: string[] = [], out: string[][] = [];
  const strong = (v: string): void => {
    index.set(v, counter); low.set(v, counter); counter++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { strong(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); group.push(w); } while (w !== v);
      if (group.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(group.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) strong(v);
  return out.sort((a, b) => b.length - a.length || a[0].localeCompare(b[0]));
}

/** One shortest import path from `from` back to itself inside `group`, for error messages. */
export function cyclePath(graph: Graph, from: string, group: string[]): string[] {
  const inGroup = new Set(group);
  const prev = new Map<string, string>();
  const queue = [from];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!inGroup.has(w)) continue;
      if (w === from) { const path = [from]; for (let u = v; u !== from; u = prev.get(u)!) path.splice(1, 0, u); return [...path, from]; }
      if (!prev.has(w)) { prev.set(w, v); queue.push(w); }
    }
  }
  return [from];
}

