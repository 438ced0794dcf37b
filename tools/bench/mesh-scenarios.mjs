// Multi-hub benchmark scenarios (cross-hub latency, failover), for pigeonhubd hubs joined by OpenDHT and for
// reference hubs joined by their WebSocket bootstrap links. Used by tools/bench/run.mjs; loopback only, every
// hub killed by PID at the end.
//
// Three hubs each time. pigeonhubd: hub 0 is the DHT bootstrap node of hubs 1 and 2. Reference: hub i dials
// hubs 0..i-1 (the reference relays one hop only, so every pair needs its own link).
import { performance } from 'node:perf_hooks';
import { startMesh, startReferenceMesh, randomPeerId } from '../../tests/integration/lib/hub.mjs';
import { connect, joined, sleep } from '../../tests/integration/lib/client.mjs';

const start = { pigeonhubd: (n) => startMesh(n), reference: (n) => startReferenceMesh(n) };

// The first frame after `since` that matches pred, with its arrival time; null after ms.
async function frameOf(client, pred, ms, since = 0) {
  try {
    await client.next(pred, ms, since);
  } catch {
    return null;
  }
  return client.frames.slice(since).find((f) => f.json && pred(f.json));
}

const quantile = (xs, f) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Number(s[Math.min(s.length - 1, Math.floor(f * s.length))].toFixed(2)) : NaN;
};

async function withHubs(kind, n, fn) {
  const hubs = await start[kind](n);
  const clients = [];
  try {
    return await fn(hubs, clients);
  } finally {
    for (const c of clients) c.end();
    for (const h of hubs) await h.stop('SIGKILL');
  }
}

// Scenario 5. A sender on hub 1 and a receiver on hub 2: `offers` sequential ~1 KB offers, each timed from send
// to arrival; then `joins` newcomers announce on hub 1 one after another, each timed until a watcher on hub 2
// hears of it.
export function crossHub(kind, { offers = 200, joins = 50 } = {}) {
  return withHubs(kind, 3, async (hubs, clients) => {
    const ns = 'bench-xhub';
    const [a, b] = [hubs[1], hubs[2]];
    const sid = randomPeerId(), rid = randomPeerId();
    // The sender joins first: a reference hub does not cache peers it hears of over a link dialled to it (§4.4
    // of the protocol notes), so a receiver that joined first would stay unknown to a later sender.
    const sender = await joined(a, sid, ns);
    await sleep(100);
    const receiver = await joined(b, rid, ns);
    clients.push(receiver, sender);
    // Both ways, as a real client only signals peers its own hub told it about.
    if (!(await frameOf(receiver, (m) => m.type === 'peer-discovered' && m.data?.peerId === sid, 10000)) ||
        !(await frameOf(sender, (m) => m.type === 'peer-discovered' && m.data?.peerId === rid, 10000))) {
      throw new Error(`${kind}: the sender and the receiver never discovered each other across hubs`);
    }
    const sdp = 'x'.repeat(850);
    const delivery = [];
    for (let i = 0; i < offers; i++) {
      const since = receiver.frames.length;
      const t0 = performance.now();
      sender.send({ type: 'offer', data: { type: 'offer', sdp, n: i }, targetPeerId: rid, networkName: ns });
      const f = await frameOf(receiver, (m) => m.type === 'offer' && m.data?.n === i, 5000, since);
      if (!f) throw new Error(`${kind}: offer ${i} did not arrive across hubs within 5 s`);
      delivery.push(f.t - t0);
    }
    const discovery = [];
    for (let i = 0; i < joins; i++) {
      const id = randomPeerId();
      const c = await connect(a.wsUrl(id));
      clients.push(c);
      const since = receiver.frames.length;
      const t0 = performance.now();
      c.send({ type: 'announce', networkName: ns, data: { peerId: id } });
      const f = await frameOf(receiver, (m) => m.type === 'peer-discovered' && m.data?.peerId === id, 5000, since);
      if (!f) throw new Error(`${kind}: newcomer ${i} was not discovered across hubs within 5 s`);
      discovery.push(f.t - t0);
    }
    return {
      delivery: { p50: quantile(delivery, 0.5), p99: quantile(delivery, 0.99), n: delivery.length },
      discovery: { p50: quantile(discovery, 0.5), p99: quantile(discovery, 0.99), n: discovery.length },
    };
  });
}

// Scenario 6. `victims` peers on hub 0 and a watcher on hub 2; kill -9 of hub 0. Each victim reconnects at once
// to hub 1 (what a load balancer in front of the hubs does) and announces again. Measured: from the kill until
// the watcher has heard of every victim again. PeerPigeon's own client waits 1 s before its first reconnect.
export function failover(kind, { victims = 20, timeoutMs = 30000 } = {}) {
  return withHubs(kind, 3, async (hubs, clients) => {
    const ns = 'bench-failover';
    const wid = randomPeerId();
    const watcher = await joined(hubs[2], wid, ns);
    clients.push(watcher);
    const ids = Array.from({ length: victims }, () => randomPeerId());
    let reconnects = 0;
    for (const id of ids) {
      const c = await joined(hubs[0], id, ns);
      clients.push(c);
      c.closed.then(async () => {
        const again = await joined(hubs[1], id, ns);
        clients.push(again);
        ++reconnects;
      });
    }
    for (const id of ids) {
      if (!(await frameOf(watcher, (m) => m.type === 'peer-discovered' && m.data?.peerId === id, 10000))) {
        throw new Error(`${kind}: the watcher never discovered victim ${id} before the kill`);
      }
    }
    await sleep(200);
    const since = watcher.frames.length;
    const t0 = performance.now();
    hubs[0].child.kill('SIGKILL');
    const seen = new Map();
    const deadline = t0 + timeoutMs;
    while (seen.size < ids.length && performance.now() < deadline) {
      for (const f of watcher.frames.slice(since)) {
        if (f.json?.type === 'peer-discovered' && ids.includes(f.json.data?.peerId) && !seen.has(f.json.data.peerId)) {
          seen.set(f.json.data.peerId, f.t - t0);
        }
      }
      await sleep(5);
    }
    return { victims: ids.length, rediscovered: seen.size, reconnects, ms: seen.size === ids.length ? Math.max(...seen.values()) : null };
  });
}
