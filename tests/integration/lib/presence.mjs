// Presence convergence across a mesh of pigeonhubd hubs: what every member of a namespace hears about joins,
// data changes and departures, and how long each took to reach each member.
//
// A member is a plain WebSocket client announced into the namespace on some hub. After an event (a join, a
// re-announce, a departure), every other member must receive the matching frame (peer-discovered with the new
// data, or peer-disconnected); the time from the event to that frame, per member, is the event's convergence.
// Used by tests/integration/presence_convergence.test.mjs (12 hubs, in CI) and tools/bench/presence-churn.mjs
// (24 and 48 hubs with churn).
import { startHub, dhtPort, tempStateDir, randomPeerId, waitFor, meshCa } from './hub.mjs';
import { joined, get } from './client.mjs';

// Starts n hubs, each with its own state directory (so that one can be restarted under the same identity);
// hubs 2..n bootstrap from the first one, as the README says; all members of the test's mesh CA unless `env` says
// otherwise. `parallel` hubs start at a time.
export async function startPresenceMesh(n, { env = {}, parallel = 4 } = {}) {
  env = { ...meshCa().env, ...env };
  const dirs = Array.from({ length: n }, () => tempStateDir());
  const first = await startHub({ env: { STATE_DIR: dirs[0], ...env } });
  const boot = `127.0.0.1:${await dhtPort(first)}`;
  const hubs = [first];
  for (let i = 1; i < n; i += parallel) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + parallel); j++) batch.push(startHub({ env: { STATE_DIR: dirs[j], DHT_BOOTSTRAP: boot, ...env } }));
    hubs.push(...(await Promise.all(batch)));
  }
  hubs.forEach((h, i) => { h.stateDir = dirs[i]; h.index = i; });
  await waitFor(async () => {
    for (const h of hubs) if (!(await get(`${h.url}/health`)).json?.dhtReady) return false;
    return true;
  }, { timeoutMs: 20000, intervalMs: 100, what: 'every hub to join the DHT' });
  return { hubs, boot, env };
}

// Stops hub i (SIGTERM: it withdraws its records) and starts it again under the same identity.
export async function restartHub(mesh, i) {
  const old = mesh.hubs[i];
  await old.stop('SIGTERM');
  const h = await startHub({ env: { STATE_DIR: old.stateDir, DHT_BOOTSTRAP: mesh.boot, ...mesh.env } });
  h.stateDir = old.stateDir;
  h.index = i;
  mesh.hubs[i] = h;
  await waitFor(async () => (await get(`${h.url}/health`)).json?.dhtReady, { timeoutMs: 10000, what: 'the restarted hub to join' });
  return h;
}

// The members of one namespace and what each has heard.
export class Room {
  constructor(ns) {
    this.ns = ns;
    this.members = new Map();  // peer id -> {id, hub, client, data}
    this.events = [];          // {kind, peer, ms: [latency per member], missing: [member ids]}
  }

  // What `m` believes: peer id -> discovery data (JSON text), from its frames so far.
  static view(m) {
    const v = new Map();
    for (const f of m.client.frames) {
      const j = f.json;
      if (j?.type === 'peer-discovered') v.set(j.data.peerId, JSON.stringify(j.data));
      else if (j?.type === 'peer-disconnected') v.delete(j.data.peerId);
    }
    return v;
  }

  // Announces a new member on `hub`; resolves once its hub confirmed, with the event (who must hear of it).
  // With expect=false (a burst of joins at once, where the order of confirmations says nothing) no event is
  // recorded: check the burst with differences().
  async join(hub, data = {}, { expect = true } = {}) {
    const id = randomPeerId();
    const others = [...this.members.values()];
    const since = snapshot(others);  // before the announce: whatever comes after it counts
    const t0 = performance.now();
    const client = await joined(hub, id, this.ns, { peerId: id, ...data });
    const m = { id, hub, client, data: { peerId: id, isHub: false, ...data } };
    this.members.set(id, m);
    if (!expect) return m;
    const expected = m.data;  // as announced now (a later re-announce is an event of its own)
    const ev = this.#expect('join', id, t0, others, (j) => j.type === 'peer-discovered' && j.data.peerId === id &&
      sameData(j.data, expected), since);
    ev.confirmedMs = performance.now() - t0;  // when its own hub confirmed (a slow join starts here)
    ev.hub = hub.index;
    return ev;
  }

  // `id` announces again with new data.
  reannounce(id, data) {
    const m = this.members.get(id);
    const expected = m.data = { peerId: id, isHub: false, ...data };
    const others = [...this.members.values()].filter((x) => x.id !== id);
    const since = snapshot(others);
    const t0 = performance.now();
    m.client.send({ type: 'announce', data: { peerId: id, ...data }, networkName: this.ns });
    return this.#expect('reannounce', id, t0, others, (j) => j.type === 'peer-discovered' && j.data.peerId === id &&
      sameData(j.data, expected), since);
  }

  // `id` leaves (its socket closes).
  leave(id) {
    const m = this.members.get(id);
    this.members.delete(id);
    const t0 = performance.now();
    m.client.end();
    return this.#expect('leave', id, t0, [...this.members.values()], (j) => j.type === 'peer-disconnected' && j.data.peerId === id);
  }

  // Members on `hub` are gone with it (the hub was stopped): each departure is an event.
  hubGone(hub, t0) {
    const gone = [...this.members.values()].filter((m) => m.hub === hub);
    for (const m of gone) this.members.delete(m.id);
    return gone.map((m) => this.#expect('leave', m.id, t0, [...this.members.values()],
      (j) => j.type === 'peer-disconnected' && j.data.peerId === m.id));
  }

  // An event: each member in `audience` must get a frame matching `pred` after t0. Returns a pending record
  // whose `done(timeoutMs)` resolves once all did or the time is up (then `missing` names who did not).
  #expect(kind, peer, t0, audience, pred, since = snapshot(audience)) {
    const ev = { kind, peer, t0, ms: [], missing: [] };
    this.events.push(ev);
    ev.done = async (timeoutMs = 2000) => {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        ev.ms = [];
        ev.missing = [];
        for (const m of audience) {
          if (!this.members.has(m.id)) continue;  // left since: nothing to hear
          const f = m.client.frames.slice(since.get(m.id)).find((x) => x.json && pred(x.json));
          if (f) ev.ms.push(f.t - t0);
          else ev.missing.push(m.id);
        }
        if (ev.missing.length === 0 || performance.now() > deadline) return ev;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    return ev;
  }

  // Every member's view equals the room (peers and data). Returns the list of differences (empty: converged).
  differences() {
    const diffs = [];
    for (const m of this.members.values()) {
      const v = Room.view(m);
      for (const o of this.members.values()) {
        if (o.id === m.id) continue;
        if (!v.has(o.id)) diffs.push(`${m.id.slice(0, 6)}@hub${m.hub.index} misses ${o.id.slice(0, 6)}@hub${o.hub.index}`);
        else if (!sameData(JSON.parse(v.get(o.id)), o.data)) diffs.push(`${m.id.slice(0, 6)} has stale data of ${o.id.slice(0, 6)}`);
      }
      for (const id of v.keys()) if (!this.members.has(id)) diffs.push(`${m.id.slice(0, 6)}@hub${m.hub.index} still lists ${id.slice(0, 6)}`);
    }
    return diffs;
  }

  endAll() { for (const m of this.members.values()) m.client.end(); this.members.clear(); }
}

// Where each member's frames stand now.
function snapshot(members) {
  return new Map(members.map((m) => [m.id, m.client.frames.length]));
}

function sameData(a, b) {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return false;
  return true;
}

// p-quantile of a list of numbers (nearest rank).
export function quantile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
}
