// Which hub to try first. Pure: a list of hubs in, the same hubs ordered out.
// A hub: {url, region?, connections?, capacity?, priority?}. Order: hubs not marked down before those that are
// (the ones down longest ago first among them), then region (the caller's own, global, us-east, us-west, eu-west,
// asia-pacific, any other), then priority (lower first, 100 when absent), then load (connections / capacity, lower
// first; unknown counts as 0), then the order given.
import { regionRank } from './bootstrap-peers.js';

export function hubLoad(hub) {
  const c = Number(hub.connections);
  const cap = Number(hub.capacity);
  if (!Number.isFinite(c) || !Number.isFinite(cap) || cap <= 0) return 0;
  return c / cap;
}

// `downUntil`: Map url -> time (ms) before which that hub is not to be tried first.
export function rankHubs(hubs, { region = '', downUntil = new Map(), now = Date.now() } = {}) {
  const keyed = hubs.map((hub, index) => {
    const until = downUntil.get(hub.url) ?? 0;
    return { hub, key: [until > now ? 1 : 0, until > now ? until : 0, regionRank(hub.region ?? '', region),
      hub.priority ?? 100, hubLoad(hub), index] };
  });
  keyed.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return a.key[i] - b.key[i];
    return 0;
  });
  return keyed.map((k) => k.hub);
}

// A hub list as given by a caller: URLs or hub objects, to hub objects.
export function toHubs(list) {
  return list.map((h) => (typeof h === 'string' ? { url: h } : { ...h, url: h.url ?? h.u }));
}
