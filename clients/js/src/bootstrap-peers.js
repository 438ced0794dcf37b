// Bootstrap peer order: the JavaScript form of the hub's include/pigeonhub/bootstrap.h (getBootstrapPeers and
// parseBootstrapPeersFromEnv of the seed project). Pure: lists in, an ordered list out; no network, no files.
// The orders are written down once, in tests/vectors/bootstrap-peers.json, and checked in both languages.
//
// A peer: {t: 'hub' | 'dht', u, region, priority, description, [publicKey, signature, timestamp], tier, source}.
import { classifyAddress, addressProblem } from './peer-address.js';

export const TIERS = ['custom', 'local', 'production', 'regional', 'community', 'discovered'];
// The order regions rank in after the caller's own.
export const REGIONS = ['global', 'us-east', 'us-west', 'eu-west', 'asia-pacific'];
export const MAX_LIST_PEERS = 1024;
const MAX_PRIORITY = 2147483647;
const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;

export class BootstrapError extends Error {}

// 0 for `own`, then 1 + the index in REGIONS, then 6 for any other or empty region.
export function regionRank(region, own) {
  if (own && region === own) return 0;
  const i = REGIONS.indexOf(region ?? '');
  return 1 + (i < 0 ? REGIONS.length : i);
}

// A comma list in BOOTSTRAP_PEERS syntax: entries trimmed (spaces, tabs), empty ones skipped, entry n (1-based,
// empty ones counted) gets priority n. Throws BootstrapError naming the first bad entry.
export function parsePeerList(list, { name = 'BOOTSTRAP_PEERS', tier = 'custom', source = 'env' } = {}) {
  const peers = [];
  const entries = String(list ?? '').split(',');
  entries.forEach((raw, index) => {
    const entry = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    if (entry === '') return;
    const where = `${name} entry ${index + 1}`;
    if (peers.length === MAX_LIST_PEERS) throw new BootstrapError(`${name} has more than ${MAX_LIST_PEERS} entries`);
    const kind = classifyAddress(entry);
    if (kind !== 'hub' && kind !== 'dht') throw new BootstrapError(`${where} ${addressProblem(kind, entry)}`);
    peers.push({ t: kind, u: entry, region: '', priority: index + 1, description: where, tier, source });
  });
  return peers;
}

export function parseBootstrapPeersFromEnv(list) {
  return parsePeerList(list, { name: 'BOOTSTRAP_PEERS', tier: 'custom', source: 'env' });
}

const HUB_TYPES = ['hub', 'ws', 'wss', 'http', 'https'];

function parsePeer(v) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { problem: 'is not an object' };
  const p = { t: '', u: '', region: '', priority: 100, description: '' };
  for (const name of ['priority', 'timestamp']) {
    if (!(name in v)) continue;
    const max = name === 'priority' ? MAX_PRIORITY : MAX_TIMESTAMP;
    const n = v[name];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > max) return { problem: `${name} must be an integer 0..${max}` };
    p[name] = n;
  }
  for (const name of ['t', 'u', 'region', 'description', 'publicKey', 'signature']) {
    if (!(name in v)) continue;
    if (typeof v[name] !== 'string') return { problem: `${name} must be a string` };
    p[name] = v[name];
  }
  if (!('u' in v)) return { problem: 'u is missing' };
  const kind = classifyAddress(p.u);
  if (kind !== 'hub' && kind !== 'dht') return { problem: `u ${addressProblem(kind, p.u)}` };
  if ('t' in v && v.t !== kind && !(kind === 'hub' && HUB_TYPES.includes(v.t))) {
    return { problem: `t '${v.t}' does not match u '${p.u}' (a ${kind === 'hub' ? 'hub URL: t is hub' : 'DHT node: t is dht'})` };
  }
  p.t = kind;
  return { peer: p };
}

// The BOOTSTRAP_FILE format, already parsed from JSON: an array of peers or {peers: [...]}. Every peer gets `tier`
// and `source` (a list cannot raise its own trust). Throws BootstrapError "<source>: peers[i].<member> ...".
export function parsePeers(value, { tier, source }) {
  const list = value !== null && typeof value === 'object' && !Array.isArray(value) ? value.peers : value;
  if (!Array.isArray(list)) throw new BootstrapError(`${source}: not a JSON array of peers, nor an object with a "peers" array`);
  if (list.length > MAX_LIST_PEERS) throw new BootstrapError(`${source}: more than ${MAX_LIST_PEERS} peers`);
  return list.map((v, i) => {
    const { peer, problem } = parsePeer(v);
    if (problem) throw new BootstrapError(`${source}: peers[${i}]${problem.startsWith('is ') ? ' ' : '.'}${problem}`);
    return { ...peer, tier, source };
  });
}

function localPeers(basePort) {
  const out = [];
  for (let port = basePort; port < basePort + 3 && port <= 65535; port++) {
    if (port === 0) continue;
    out.push({ t: 'hub', u: `ws://127.0.0.1:${port}`, region: '', priority: 100, description: `local hub on port ${port}`,
      tier: 'local', source: 'local' });
  }
  return out;
}

function compareBytes(a, b) {  // the hub compares u as bytes; UTF-16 order differs only past U+FFFF
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(ea.length, eb.length); i++) if (ea[i] !== eb[i]) return ea[i] - eb[i];
  return ea.length - eb.length;
}

// Every peer of every list, ordered by tier, region (own first, then REGIONS, then the rest), priority, then u; a
// u met again is dropped (the copy that ranks first stays). `customPeers` is a BOOTSTRAP_PEERS string or a peer
// list; the other lists are peer lists (parsePeers) or the same kinds of entries as customPeers. The local tier (ws://127.0.0.1:3000..3002) comes when
// includeLocal is true, or when it is unset and environment is 'local' or 'development'.
// A list given in code: each entry a URL / host:port string or a peer object (the seed's {t: 'wss', u} too),
// checked like a file's peers; a peer keeps its `source` ('options' when it has none).
function givenList(list, tier) {
  if (typeof list === 'string') return parsePeerList(list, tier === 'custom' ? {} : { name: tier, tier, source: 'options' });
  if (!Array.isArray(list)) throw new BootstrapError(`${tier}: a list of peers or a comma-separated string`);
  return list.map((v, i) => {
    if (typeof v === 'string') return parsePeerList(v, { name: `${tier}[${i}]`, tier, source: 'options' })[0];
    const { peer, problem } = parsePeer(v);
    if (problem) throw new BootstrapError(`${tier}: peers[${i}]${problem.startsWith('is ') ? ' ' : '.'}${problem}`);
    return { ...peer, tier, source: typeof v.source === 'string' && v.source ? v.source : 'options' };
  }).filter(Boolean);
}

export function getBootstrapPeers({ environment = '', region = '', customPeers = [], includeLocal, production = [],
  regional = [], community = [], discovered = [], localBasePort = 3000 } = {}) {
  const local = includeLocal ?? (environment === 'local' || environment === 'development');
  const all = [
    ...givenList(customPeers, 'custom'),
    ...(local ? localPeers(localBasePort) : []),
    ...givenList(production, 'production'),
    ...givenList(regional, 'regional'),
    ...givenList(community, 'community'),
    ...givenList(discovered, 'discovered'),
  ];
  const key = (p) => [TIERS.indexOf(p.tier), regionRank(p.region, region), p.priority ?? 100];
  // Array.prototype.sort is stable: equal peers keep the order they were given in, as std::stable_sort does.
  all.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return compareBytes(a.u, b.u);
  });
  const seen = new Set();
  return all.filter((p) => !seen.has(p.u) && seen.add(p.u));
}
