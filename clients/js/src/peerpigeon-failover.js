// Failover for an unchanged PeerPigeon 1.1.3 app: a WebSocket class installed as globalThis.WebSocket before the
// PeerPigeonMesh connects. PeerPigeon creates a new WebSocket for every (re)connect, always to the one URL it was
// given; this class sends each new socket aimed at one of `hubs` to the best hub not known to have failed (the
// one asked for while it is fine), keeping the path and query (peerId). A hub whose socket ended abnormally
// (1001, 1006, 1011-1014, or an error) counts as failed for downMs. Sockets to other URLs pass through untouched.
//
// What it cannot change: PeerPigeon's own reconnect timing (1 s, 2 s, 4 s ... 30 s, no jitter) and that it gives
// up after 10 attempts for a while; it only changes where each attempt goes. See README "PeerPigeon apps".
import { hubKey } from './hub-directory.js';
import { rankHubs, toHubs } from './hub-ranking.js';
import { webSocketClass } from './websocket.js';

const FAILURE_CODES = new Set([1001, 1006, 1011, 1012, 1013, 1014]);
const INSTALLED = Symbol.for('pigeonhub.failoverWebSocket');

// Where a socket for `requested` should go: `requested` itself unless it is one of `hubs` and marked down, then
// the best hub of the list. Pure.
export function redirectTarget(requested, hubs, { region = '', downUntil = new Map(), now = Date.now() } = {}) {
  let url;
  try { url = new URL(requested); } catch { return requested; }
  const key = hubKey(`${url.protocol}//${url.host}${url.pathname}`);
  const known = hubs.find((h) => h.url === key);
  if (!known || (downUntil.get(key) ?? 0) <= now) return requested;
  const [best] = rankHubs(hubs, { region, downUntil, now });
  const target = new URL(best.url);
  target.search = url.search;
  return target.toString();
}

// Installs the class on globalThis.WebSocket and returns {WebSocket, uninstall(), downUntil}. `hubs`: URLs or a
// HubDirectory. Call it before PeerPigeonMesh.connect(); in Node import peerpigeon first or after, either works
// (PeerPigeon sets globalThis.WebSocket only when there is none).
export async function installFailoverWebSocket({ hubs, region = '', downMs = 30000, WebSocket } = {}) {
  const previous = globalThis.WebSocket;
  const Base = await webSocketClass(WebSocket ?? (previous?.[INSTALLED] ? previous.Base : undefined));
  const downUntil = new Map();
  const list = () => (Array.isArray(hubs) ? toHubs(hubs).map((h) => ({ ...h, url: hubKey(h.url) })) : hubs.hubs());

  class FailoverWebSocket extends Base {
    static [INSTALLED] = true;
    static Base = Base;

    constructor(url, ...rest) {
      const target = redirectTarget(String(url), list(), { region, downUntil });
      super(target, ...rest);
      let key = null;
      try { const u = new URL(target); key = hubKey(`${u.protocol}//${u.host}${u.pathname}`); } catch {}
      this.pigeonhubTarget = target;
      let closing = false;
      const fail = () => { if (key && !closing) downUntil.set(key, Date.now() + downMs); };
      const close = this.close.bind(this);
      this.close = (...a) => { closing = true; return close(...a); };
      this.addEventListener('error', fail);
      this.addEventListener('close', (e) => { if (FAILURE_CODES.has(e.code)) fail(); });
      this.addEventListener('open', () => { if (key) downUntil.delete(key); });
    }
  }

  globalThis.WebSocket = FailoverWebSocket;
  return {
    WebSocket: FailoverWebSocket,
    downUntil,
    uninstall() { if (globalThis.WebSocket === FailoverWebSocket) globalThis.WebSocket = previous; },
  };
}
