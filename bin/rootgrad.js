#!/usr/bin/env node
// The rootgrad command (built by `npm run build` into dist/node/cli.js).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../dist/node/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('rootgrad: the command is not built yet: run `npm run build` (or `npm run setup`) in the rootgrad folder\n');
  process.exit(1);
}
const { main } = await import(pathToFileURL(cli).href);
process.exitCode = await main(process.argv.slice(2));
