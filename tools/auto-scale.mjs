// Auto-scaling rehearsal on loopback (the seed's auto-scale): N hubs of one mesh behind a local nginx, M WebSocket
// clients through nginx announced into one namespace; then, round after round, one hub is stopped (its clients
// reconnect through nginx to a live hub) and a fresh hub is started in its place. Reports reconnections, peers
// lost (a client some other client does not see as present once the round has settled) and the time until a
// moved client is present again for every other client (p50/p99).
//   node tools/auto-scale.mjs [--hubs 3] [--clients 12] [--rounds 3] [--signal SIGTERM|SIGKILL]
//                             [--settle-ms 10000] [--json]
// Needs build/pigeonhubd (or PIGEONHUBD) and nginx (Debian's nginx-light). Exit 1 when a peer was lost.
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { startHub, meshCa, dhtPort, freePort, randomPeerId, waitFor } from '../tests/integration/lib/hub.mjs';
import { nginxBinary, startNginx } from '../tests/integration/lib/nginx.mjs';

const { values: opt } = parseArgs({ options: {
  hubs: { type: 'string', default: '3' }, clients: { type: 'string', default: '12' },
  rounds: { type: 'string', default: '3' }, signal: { type: 'string', default: 'SIGTERM' },
  'settle-ms': { type: 'string', default: '10000' }, json: { type: 'boolean', default: false } } });
const nHubs = Number(opt.hubs);
const nClients = Number(opt.clients);
const rounds = Number(opt.rounds);
const settleMs = Number(opt['settle-ms']);
const log = opt.json ? () => {} : (...a) => console.log(...a);
const NET = `auto-scale-${Date.now()}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (!nginxBinary()) { console.error('auto-scale: nginx is not installed (apt-get install nginx-light)'); process.exit(2); }
if (nHubs < 2) { console.error('auto-scale: --hubs must be at least 2 (one is always stopped)'); process.exit(2); }

// --- hubs: fixed slots (ports known to nginx), a fresh identity at every start, members of one mesh CA.
const slots = await Promise.all(Array.from({ length: nHubs }, async () => ({ port: await freePort(), hub: null, dht: 0 })));
const liveSlots = () => slots.filter((s) => s.hub?.alive());
async function startSlot(slot) {
  const boot = liveSlots().map((s) => `127.0.0.1:${s.dht}`).join(',');
  slot.hub = await startHub({ env: { ...meshCa().env, PORT: String(slot.port), ...(boot ? { DHT_BOOTSTRAP: boot } : {}) } });
  slot.dht = await dhtPort(slot.hub);
  slot.id = (await (await fetch(`${slot.hub.url}/health`)).json()).nodeId;
}
// Resolves once every live hub lists every other live hub in /hubs.
async function meshFormed(timeoutMs) {
  await waitFor(async () => {
    const live = liveSlots();
    for (const s of live) {
      try {
        const listed = new Set((await (await fetch(`${s.hub.url}/hubs`)).json()).hubs.map((h) => h.hubId));
        if (!live.every((o) => listed.has(o.id))) return false;
      } catch { return false; }
    }
    return true;
  }, { timeoutMs, intervalMs: 50, what: 'every hub in every other hub\'s /hubs' });
}

// --- clients: reconnect on close (like PeerPigeon clients, to the one URL they were given) and announce again.
let nginx;
let stopping = false;
let reconnections = 0;
const clients = Array.from({ length: nClients }, () => ({ peerId: randomPeerId(), ws: null, announced: false,
  present: new Map(), discoveredAt: new Map(), closedAt: 0, announcedAt: 0 }));
function open(c) {
  const ws = new WebSocket(`ws://127.0.0.1:${nginx.port}/?peerId=${c.peerId}`, { perMessageDeflate: false });
  c.ws = ws;
  ws.on('open', () => {
    ws.send(JSON.stringify({ type: 'announce', networkName: NET, data: { peerId: c.peerId } }));
    c.announced = true;
    c.announcedAt = performance.now();
  });
  ws.on('message', (d) => {
    let m;
    try { m = JSON.parse(d); } catch { return; }
    if (m.networkName !== undefined && m.networkName !== NET) return;
    if (m.type === 'peer-discovered') { c.present.set(m.data.peerId, true); c.discoveredAt.set(m.data.peerId, performance.now()); }
    if (m.type === 'peer-disconnected') c.present.set(m.data.peerId, false);
  });
  ws.on('error', () => {});
  ws.on('close', () => {
    if (stopping || c.ws !== ws) return;
    if (c.announced) { c.closedAt = performance.now(); reconnections++; }
    c.announced = false;
    setTimeout(() => { if (!stopping) open(c); }, 100 + Math.random() * 200);
  });
}
const connected = () => clients.filter((c) => c.announced);
// Pairs (observer, peer) of announced clients where the observer does not see the peer as present.
const missingPairs = () => connected().flatMap((o) => connected().filter((x) => x !== o && o.present.get(x.peerId) !== true).map((x) => [o, x]));

function percentile(xs, p) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]);
}

const report = { hubs: nHubs, clients: nClients, rounds: [], reconnections: 0, peersLost: 0, rediscoveryMs: [] };
try {
  for (const s of slots) await startSlot(s);
  await meshFormed(15000);
  nginx = await startNginx(slots.map((s) => s.port));
  log(`auto-scale: ${nHubs} hubs behind nginx ${nginx.url}, ${nClients} clients in namespace ${NET}, stop signal ${opt.signal}`);
  for (const c of clients) open(c);
  await waitFor(() => connected().length === nClients && missingPairs().length === 0,
    { timeoutMs: 15000, intervalMs: 20, what: 'every client to discover every other' });
  reconnections = 0;

  for (let r = 1; r <= rounds; r++) {
    // Scale down: stop the live hub with the most clients.
    const counts = await Promise.all(liveSlots().map(async (s) => (await (await fetch(`${s.hub.url}/peers?network=${NET}`)).json()).peers.length));
    const victim = liveSlots()[counts.indexOf(Math.max(...counts))];
    const index = slots.indexOf(victim) + 1;
    const before = reconnections;
    const t0 = performance.now();
    await victim.hub.stop(opt.signal, 5000);
    // Settled: every client that was on the victim is back, and everyone sees everyone.
    const moved = () => clients.filter((c) => c.closedAt >= t0);
    try {
      await waitFor(() => moved().every((c) => c.announced) && connected().length === nClients && missingPairs().length === 0,
        { timeoutMs: settleMs, intervalMs: 20, what: 'the round to settle' });
    } catch {}
    const lost = new Set(missingPairs().map(([, x]) => x.peerId).concat(clients.filter((c) => !c.announced).map((c) => c.peerId)));
    const times = moved().filter((x) => !lost.has(x.peerId)).map((x) => {
      // Present again for everyone: the last peer-discovered of x after its close, or its own announce.
      const seen = connected().filter((o) => o !== x).map((o) => o.discoveredAt.get(x.peerId) ?? 0).filter((t) => t > x.closedAt);
      return Math.max(x.announcedAt, ...seen) - x.closedAt;
    });
    report.rediscoveryMs.push(...times);
    report.peersLost += lost.size;
    const round = { round: r, stopped: index, moved: moved().length, reconnections: reconnections - before, peersLost: lost.size,
      rediscoveryP50: percentile(times, 50), rediscoveryP99: percentile(times, 99) };
    log(`round ${r}: stopped hub ${index} (${opt.signal}): ${round.moved} clients moved, ${round.reconnections} reconnections, ` +
      `peers lost ${round.peersLost}, rediscovery p50 ${round.rediscoveryP50} ms p99 ${round.rediscoveryP99} ms`);
    // Scale up: a fresh hub (new identity) in the freed slot, bootstrapped from the live ones.
    const t1 = performance.now();
    await startSlot(victim);
    await meshFormed(15000);
    round.joinMs = Math.round(performance.now() - t1);
    log(`round ${r}: started hub ${index}: in every hub's /hubs after ${round.joinMs} ms`);
    report.rounds.push(round);
  }
} finally {
  stopping = true;
  for (const c of clients) { try { c.ws?.terminate(); } catch {} }
  if (nginx) await nginx.stop();
  for (const s of slots) if (s.hub) await s.hub.stop('SIGTERM', 3000);
}

report.reconnections = reconnections;
const all = report.rediscoveryMs;
report.rediscoveryP50 = percentile(all, 50);
report.rediscoveryP99 = percentile(all, 99);
report.rediscoveryMs = all.map(Math.round);
if (opt.json) console.log(JSON.stringify(report));
else console.log(`summary: ${report.reconnections} reconnections, ${report.peersLost} peers lost, rediscovery p50 ` +
  `${report.rediscoveryP50} ms p99 ${report.rediscoveryP99} ms (${all.length} moves)`);
process.exit(report.peersLost ? 1 : 0);
