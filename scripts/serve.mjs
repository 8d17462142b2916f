// npm run serve [-- --port 8080 --host 127.0.0.1]: a small static server for the browser page (web/),
// the browser bundle (dist/browser/) and the shipped data (data/). localhost is a secure context, so
// navigator.gpu is available there.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.map': 'application/json', '.json': 'application/json', '.css': 'text/css', '.gz': 'application/gzip', '.csv': 'text/csv', '.svg': 'image/svg+xml', '.png': 'image/png', '.safetensors': 'application/octet-stream', '.wgsl': 'text/plain' };
const ALLOWED = ['web', 'dist/browser', 'data', 'runs'];

/** Starts the server; resolves with { url, close }. root: the package folder; extra: more folders to serve by prefix. */
export function serve({ port = 8080, host = '127.0.0.1', root = resolve(fileURLToPath(new URL('..', import.meta.url))), extra = {} } = {}) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const rel = path === '/' ? 'web/index.html' : normalize(path).replace(/^[/\\]+/, '');
    let file = null;
    for (const [prefix, dir] of Object.entries(extra)) if (rel.startsWith(prefix + '/')) file = join(dir, rel.slice(prefix.length + 1));
    if (!file && ALLOWED.some((a) => rel === a || rel.startsWith(a + '/')) && !rel.includes('..')) file = join(root, rel);
    let st = null;
    try {
      st = file ? statSync(file) : null;
    } catch {
      st = null;
    }
    if (!file || !st?.isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': st.size, 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const { port: p } = server.address();
      ok({ url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${p}`, close: () => new Promise((done) => server.close(() => done()) && server.closeAllConnections?.()) });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const flag = (n, d) => {
    const i = process.argv.indexOf(`--${n}`);
    return i >= 0 ? process.argv[i + 1] : d;
  };
  const port = Number(flag('port', '8080'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: --port must be 0..65535, got ${flag('port')}`);
    process.exit(2);
  }
  const { url } = await serve({ port, host: flag('host', '127.0.0.1') });
  console.log(`rootgrad page at ${url}/ (Ctrl-C to stop)`);
}
