// Quick side-by-side numbers for pigeonhubd and the PeerPigeon 1.1.3 reference hub, in one run:
// idle connections held, RSS per idle connection, offer->answer round trip p50/p99 (with the idle peers
// connected). Loopback only; each hub is started fresh and killed by PID.
//
//   node tools/bench/quick.mjs [--conns 2000] [--rtts 2000] [--only ours|reference]
//
// This is the quick check of the hub-core issue; the full benchmark suite comes with the benchmarks issue.
import WebSocket from 'ws';
import { startHub, startReferenceHub, randomPeerId, readRssKiB } from '../../tests/integration/lib/hub.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => {
  if (v.startsWith('--')) a.push([v.slice(2), all[i + 1]]);
  return a;
}, []));
const CONNS = Number(args.conns ?? 2000);
const RTTS = Number(args.rtts ?? 2000);

function open(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function openMany(hub, n, concurrency = 100) {
  const sockets = [];
  let next = 0;
  async function worker() {
    while (next < n) {
      next++;
      const ws = await open(hub.wsUrl(randomPeerId()));
      ws.on('message', () => {});
      sockets.push(ws);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return sockets;
}

async function rtt(hub, count) {
  const a = randomPeerId(), b = randomPeerId();
  const wa = await open(hub.wsUrl(a)), wb = await open(hub.wsUrl(b));
  const net = 'bench-rtt';
  wa.send(JSON.stringify({ type: 'announce', data: { peerId: a }, networkName: net }));
  wb.send(JSON.stringify({ type: 'announce', data: { peerId: b }, networkName: net }));
  await new Promise((r) => setTimeout(r, 200));
  const sdp = 'v=0\r\n' + 'a=x'.repeat(330);  // ~1 KB offer
  wb.on('message', (d) => {
    const m = JSON.parse(d);
    if (m.type === 'offer') wb.send(JSON.stringify({ type: 'answer', data: { type: 'answer', sdp }, targetPeerId: a, networkName: net }));
  });
  const samples = [];
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    await new Promise((resolve) => {
      const on = (d) => { if (JSON.parse(d).type === 'answer') { wa.off('message', on); resolve(); } };
      wa.on('message', on);
      wa.send(JSON.stringify({ type: 'offer', data: { type: 'offer', sdp }, targetPeerId: b, networkName: net }));
    });
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  wa.close(); wb.close();
  samples.sort((x, y) => x - y);
  const q = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  return { p50: q(0.5), p99: q(0.99) };
}

async function measure(name, hub) {
  await new Promise((r) => setTimeout(r, 300));
  const rss0 = readRssKiB(hub.pid);
  const t0 = Date.now();
  const sockets = await openMany(hub, CONNS);
  const openMs = Date.now() - t0;
  await new Promise((r) => setTimeout(r, 500));
  const held = sockets.filter((s) => s.readyState === WebSocket.OPEN).length;
  const rss1 = readRssKiB(hub.pid);
  const r = await rtt(hub, RTTS);
  for (const s of sockets) s.terminate();
  await hub.stop('SIGKILL');
  return { name, held, openMs, rss0, rss1, perConn: ((rss1 - rss0) * 1024) / held, ...r };
}

const rows = [];
if (args.only !== 'reference') rows.push(await measure('pigeonhubd', await startHub({ env: { MAX_CONNECTIONS: String(CONNS + 10), MESSAGE_RATE: '0' } })));
if (args.only !== 'ours') rows.push(await measure('reference', await startReferenceHub({ maxConnections: CONNS + 10 })));
console.log(`idle connections: ${CONNS}, round trips: ${RTTS} (offer ~1 KB, answer ~1 KB), loopback, one machine`);
console.log('hub          held   open ms   RSS before -> with idle (KiB)   bytes/idle conn   RTT p50 ms   RTT p99 ms');
for (const r of rows) {
  console.log(`${r.name.padEnd(12)} ${String(r.held).padStart(5)} ${String(r.openMs).padStart(9)}   ${String(r.rss0).padStart(9)} -> ${String(r.rss1).padEnd(14)} ${r.perConn.toFixed(0).padStart(12)}   ${r.p50.toFixed(3).padStart(10)}   ${r.p99.toFixed(3).padStart(10)}`);
}
process.exit(0);
