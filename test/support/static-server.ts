/**
 * A tiny static file server, run as its own process so that a browser can load pages while the
 * test's event loop is blocked inside an add-in call:
 *
 *   node dist/test/support/static-server.js <dir>
 *
 * Prints `listening on http://127.0.0.1:<port>/` when ready. GET and HEAD only, nothing outside <dir>.
 * Without a directory it does nothing (`node --test dist/test/` also loads this file).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export function staticServer(root: string): Server {
  const base = resolve(root);
  return createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      let path: string;
      try {
        path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      } catch {
        res.writeHead(400).end();
        return;
      }
      if (path.endsWith('/')) path += 'index.html';
      const file = resolve(base, `.${path}`);
      if (!file.startsWith(base + sep)) {
        res.writeHead(403).end();
        return;
      }
      try {
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      } catch {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    })();
  });
}

const root = process.argv[1]?.endsWith('static-server.js') ? process.argv[2] : undefined;
if (root) {
  const server = staticServer(root);
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`listening on http://127.0.0.1:${port}/\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
}
