// The WebSocket class to use: the platform's (browsers, Deno, Node 22+), else the `ws` package (an optional
// dependency), imported only then so that a browser never sees the import.

let cached = null;

export async function webSocketClass(explicit) {
  if (explicit) return explicit;
  if (typeof globalThis.WebSocket === 'function') return globalThis.WebSocket;
  if (!cached) {
    cached = import('ws').then((m) => m.WebSocket ?? m.default, () => {
      throw new Error('pigeonhub: no global WebSocket; install the "ws" package (Node < 22)');
    });
  }
  return cached;
}

// A hub URL (ws, wss, http or https) as the WebSocket URL for `peerId` (http -> ws, https -> wss).
export function signalingUrl(hub, peerId, params = {}) {
  const url = new URL(String(hub));
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error(`not a hub URL: ${hub}`);
  url.searchParams.set('peerId', peerId);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

// A hub URL as the HTTP base URL of the same hub, without a trailing slash (ws -> http, wss -> https).
export function httpBase(hub) {
  const url = new URL(String(hub));
  if (url.protocol === 'ws:') url.protocol = 'http:';
  else if (url.protocol === 'wss:') url.protocol = 'https:';
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}
