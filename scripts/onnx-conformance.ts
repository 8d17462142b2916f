// npm run test:onnx: runs ONNX's backend test data (ONNX_TESTDATA, default Debian's libonnx-testdata) and
// writes docs/onnx-conformance.md. Optional argument: a substring that test names must contain.
import { writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { init, shutdown } from '../src/node.js';
import { listCases, report, runAll, testDataDir, FOLDERS } from '../test/onnx/conformance.js';

const root = testDataDir();
if (!existsSync(root)) {
  console.log(`ONNX test data not found at ${root} (apt-get install libonnx-testdata, or set ONNX_TESTDATA)`);
  process.exit(0);
}
const only = process.argv[2];
await init();
const t0 = performance.now();
const results = await runAll(root, only ? (n) => n.includes(only) : undefined);
const seconds = (performance.now() - t0) / 1000;
for (const r of results) if (!r.pass) console.log(`FAIL ${r.folder}/${r.name}: ${r.reason}`);
for (const f of FOLDERS) {
  const rs = results.filter((r) => r.folder === f);
  console.log(`${f}: ${rs.filter((r) => r.pass).length}/${rs.length}`);
}
for (const r of [...results].sort((a, b) => b.ms - a.ms).slice(0, 8)) console.log(`slow: ${r.folder}/${r.name} ${r.ms.toFixed(0)} ms`);
const passed = results.filter((r) => r.pass).length;
console.log(`total: ${passed}/${results.length} (${((100 * passed) / Math.max(1, results.length)).toFixed(1)}%) in ${seconds.toFixed(1)} s`);
if (!only) {
  writeFileSync('docs/onnx-conformance.md', report(results, seconds));
  console.log('wrote docs/onnx-conformance.md');
}
void listCases;
shutdown();
