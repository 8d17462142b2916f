// The shader registry, made at build time: `import files from 'virtual:rootgrad-shaders'` is a module that
// imports every shaders/*.wgsl as text and exports { name: source }. Adding a kernel is adding its file.
// One plugin for esbuild (the builds, run-ts, the tests' bundles) and one for vite (vitest).
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHADERS_MODULE = 'virtual:rootgrad-shaders';
const shaderDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'shaders');

/** The registry module's source: one import per .wgsl file (sorted, so builds are reproducible). */
export function registrySource(dir = shaderDir) {
  const names = readdirSync(dir).filter((f) => f.endsWith('.wgsl')).sort();
  const lines = names.map((f, i) => `import s${i} from ${JSON.stringify(join(dir, f))};`);
  lines.push(`export default { ${names.map((f, i) => `${JSON.stringify(f.slice(0, -5))}: s${i}`).join(', ')} };`);
  return lines.join('\n');
}

/** esbuild: resolves the registry module (the .wgsl files it imports load with the build's text loader). */
export const shaderRegistryPlugin = {
  name: 'rootgrad-shaders',
  setup(b) {
    b.onResolve({ filter: /^virtual:rootgrad-shaders$/ }, () => ({ path: 'shaders', namespace: 'rootgrad-shaders' }));
    b.onLoad({ filter: /.*/, namespace: 'rootgrad-shaders' }, () => ({ contents: registrySource(), loader: 'js', resolveDir: shaderDir, watchDirs: [shaderDir] }));
  },
};

/** vite (vitest): the same module. */
export function shaderRegistryVite() {
  const id = '\0' + SHADERS_MODULE;
  return {
    name: 'rootgrad-shaders',
    resolveId: (source) => (source === SHADERS_MODULE ? id : null),
    load: (source) => (source === id ? registrySource() : null),
  };
}

/** The esbuild options every bundle of rootgrad needs: WGSL as text, and the registry. */
export const wgslOptions = { loader: { '.wgsl': 'text' }, plugins: [shaderRegistryPlugin] };
