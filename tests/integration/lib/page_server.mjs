// A tiny static HTTP server for browser tests, on 127.0.0.1 and an ephemeral port: fixed pages from memory plus
// whole directories of the repository (e.g. clients/js/ served at /clients/js/, so that a page imports the package
// as ES modules, unchanged, with no bundler). GET and HEAD only; paths outside the mounted directories are 404.
//
//   const server = await servePages({ pages: { '/': html }, mounts: { '/clients/js/': 'clients/js' } });
//   server.url        // 'http://127.0.0.1:PORT'
//   server.requests   // every path asked for, in order
//   await server.close();
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from './hub.mjs';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.json': 'application/json', '.css': 'text/css' };

// `pages`: URL path -> HTML text. `mounts`: URL prefix ending in '/' -> directory (relative to the repository).
export function servePages({ pages = {}, mounts = {} } = {}) {
  const requests = [];
  const server = http.createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://127.0.0.1');
    requests.push(pathname);
    const send = (status, type, body) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed\n');
    if (Object.hasOwn(pages, pathname)) return send(200, TYPES['.html'], pages[pathname]);
    for (const [prefix, dir] of Object.entries(mounts)) {
      if (!pathname.startsWith(prefix)) continue;
      const root = path.resolve(repoRoot, dir);
      const file = path.resolve(root, decodeURIComponent(pathname.slice(prefix.length)));
      if (!file.startsWith(root + path.sep)) break;   // ../ out of the mount
      try {
        return send(200, TYPES[path.extname(file)] ?? 'application/octet-stream', await readFile(file));
      } catch {
        break;
      }
    }
    send(404, 'text/plain', 'not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`, port, requests,
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}
