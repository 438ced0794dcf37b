// The live hub list of a mesh, from any hub's GET /hubs (every member hub, its region and load, from the DHT) and
// its signed bootstrap document (GET /.well-known/pigeonhub-bootstrap: its own URL and region, and the hubs it
// lists). Ranked by region and load (hub-ranking.js); refreshes itself. connectSignaling takes one as `hubs`.
//
// Events: change {hubs} after a refresh that changed the list; error {error} when no known hub answered.
import { bootstrapDocumentMessage } from './canonical-json.js';
import { verifyText } from './ed25519.js';
import { Emitter } from './events.js';
import { rankHubs } from './hub-ranking.js';
import { httpBase } from './websocket.js';

export const DIRECTORY_DEFAULTS = Object.freeze({
  refreshMs: 60000,   // how often the list is fetched again
  timeoutMs: 3000,    // per request
  maxHubs: 256,       // entries kept from one answer
});

// The key a hub is known by: its ws(s) URL without a trailing slash, so http://h:1/ and ws://h:1 are one hub.
export function hubKey(url) {
  const u = new URL(String(url));
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  return u.toString().replace(/\/+$/, '');
}

// The hubs of a /hubs answer and a bootstrap document (either may be null), merged: an entry of /hubs wins over the
// document's, which wins over a seed. Pure.
export function mergeHubLists({ seeds = [], hubsAnswer = null, document = null, maxHubs = DIRECTORY_DEFAULTS.maxHubs }) {
  const byKey = new Map();
  const put = (hub) => {
    if (!hub.url) return;
    let key;
    try { key = hubKey(hub.url); } catch { return; }
    if (byKey.size >= maxHubs && !byKey.has(key)) return;
    byKey.set(key, { ...(byKey.get(key) ?? {}), ...hub, url: key });
  };
  for (const s of seeds) put({ url: s, source: 'seed' });
  if (document) {
    for (const p of Array.isArray(document.hubs) ? document.hubs : []) {
      if (p?.t === 'hub' && typeof p.u === 'string') put({ url: p.u, region: p.region ?? '', priority: p.priority, source: 'document' });
    }
    if (typeof document.url === 'string' && document.url) put({ url: document.url, region: document.region ?? '', hubId: document.hubId, source: 'document' });
  }
  for (const h of Array.isArray(hubsAnswer?.hubs) ? hubsAnswer.hubs : []) {
    if (typeof h?.url === 'string' && h.url) {
      put({ url: h.url, region: h.region ?? '', hubId: h.hubId, connections: h.connections, capacity: h.capacity, source: 'hubs' });
    }
  }
  return [...byKey.values()];
}

export class HubDirectory extends Emitter {
  #seeds;
  #options;
  #hubs = [];
  #timer = null;
  #fetch;

  // seeds: hub URLs to ask first (ws/wss/http/https). region: yours, ranked first. verifyDocuments (true): a
  // bootstrap document whose signature fails is ignored.
  constructor({ seeds, region = '', fetch, verifyDocuments = true, ...limits } = {}) {
    super();
    if (!Array.isArray(seeds) || seeds.length === 0) throw new TypeError('seeds: a non-empty list of hub URLs');
    this.#seeds = seeds.map(hubKey);
    this.region = region;
    this.#options = { verifyDocuments, ...DIRECTORY_DEFAULTS, ...limits };
    this.#fetch = fetch ?? ((...a) => globalThis.fetch(...a));
    this.#hubs = mergeHubLists({ seeds: this.#seeds });
    // Resolves after the first refresh, whether or not a hub answered (the seeds are the list then).
    this.ready = this.refresh();
    this.#timer = setInterval(() => { this.refresh(); }, this.#options.refreshMs);
    this.#timer.unref?.();
  }

  // The known hubs, best first: [{url, region, connections, capacity, hubId, source}].
  hubs({ downUntil } = {}) {
    return rankHubs(this.#hubs, { region: this.region, downUntil });
  }

  urls() { return this.hubs().map((h) => h.url); }

  // Asks the known hubs, best first, until one answers /hubs; then takes its bootstrap document too.
  async refresh() {
    for (const hub of this.hubs()) {
      const base = httpBase(hub.url);
      const hubsAnswer = await this.#getJson(`${base}/hubs`);
      if (!hubsAnswer) continue;
      const document = await this.#document(base);
      const next = mergeHubLists({ seeds: this.#seeds, hubsAnswer, document, maxHubs: this.#options.maxHubs });
      const changed = JSON.stringify(next) !== JSON.stringify(this.#hubs);
      this.#hubs = next;
      if (changed) this.emit('change', { hubs: this.hubs() });
      return this.hubs();
    }
    this.emit('error', { error: new Error('no known hub answered /hubs') });
    return this.hubs();
  }

  close() { clearInterval(this.#timer); }

  async #document(base) {
    const doc = await this.#getJson(`${base}/.well-known/pigeonhub-bootstrap`);
    if (!doc || !this.#options.verifyDocuments) return doc;
    const ok = await verifyText(doc.publicKey, bootstrapDocumentMessage(doc), doc.signature);
    return ok ? doc : null;
  }

  async #getJson(url) {
    try {
      const res = await this.#fetch(url, { signal: AbortSignal.timeout(this.#options.timeoutMs) });
      if (!res.ok) return null;
      return await res.json();
    } catch {
      return null;
    }
  }
}
