// Presence convergence under churn in a mesh of many pigeonhubd hubs (loopback, one OpenDHT network).
//
// N hubs (hub 1 the bootstrap node of the rest), two peers per hub announced into one namespace; then for
// `seconds`, every `everyMs` a random event: a newcomer joins a random hub, a random member leaves, or a member
// re-announces with new data. Each event must reach every member of the namespace; its convergence time is
// when the last member heard it. Reported: convergence p50/p99/max over events, events not heard by every
// member within 5 s, DHT messages per peer per minute (all hubs' counters over the churn minute, divided by the
// peers connected on average), RSS per hub, hub CPU.
//
//   node tools/bench/presence-churn.mjs [hubs...] [--seconds 60]      e.g. 24 48
// Used by run.mjs (rows "presence churn, N hubs").
import { startPresenceMesh, Room, quantile } from '../../tests/integration/lib/presence.mjs';
import { readRssKiB, readCpuSeconds as cpuSeconds } from '../../tests/integration/lib/hub.mjs';
import { get } from '../../tests/integration/lib/client.mjs';


async function meshCounters(hubs) {
  const total = { msgs: 0, stale: 0, announcedMax: 0 };
  for (const h of hubs) {
    const m = (await get(`${h.url}/stats`)).json.mesh;
    total.msgs += m.dhtMessagesIn + m.dhtMessagesOut;
    total.stale += m.recordsStale;
    total.announcedMax = Math.max(total.announcedMax, m.valuesAnnounced);
  }
  return total;
}

export async function presenceChurn(nHubs, { seconds = 60, everyMs = 250, peersPerHub = 2, env = {} } = {}) {
  const t0 = performance.now();
  const mesh = await startPresenceMesh(nHubs, { env });
  const startup = performance.now() - t0;
  const { hubs } = mesh;
  const room = new Room(`churn-${nHubs}`);
  try {
    await Promise.all(hubs.flatMap((h) => Array.from({ length: peersPerHub }, () => room.join(h, {}, { expect: false }))));
    const settle = performance.now() + 10000;
    while (room.differences().length && performance.now() < settle) await new Promise((r) => setTimeout(r, 50));
    const initialDiffs = room.differences().length;
    const cpu0 = hubs.map((h) => cpuSeconds(h.pid));
    const c0 = await meshCounters(hubs);
    const began = performance.now();
    const pending = [];
    let peerSeconds = 0;
    let n = 0;
    let last = began;
    while (performance.now() - began < seconds * 1000) {
      const now = performance.now();
      peerSeconds += room.members.size * (now - last) / 1000;
      last = now;
      const members = [...room.members.values()];
      const r = Math.random();
      // Keep the room near its starting size: joins when below it, departures when above.
      const target = nHubs * peersPerHub;
      const bias = (members.length - target) / target;
      if (r < 0.4 - bias) pending.push(room.join(hubs[Math.floor(Math.random() * hubs.length)], { nick: `n${n}` }));
      else if (r < 0.8) pending.push(Promise.resolve(room.leave(members[Math.floor(Math.random() * members.length)].id)));
      else pending.push(Promise.resolve(room.reannounce(members[Math.floor(Math.random() * members.length)].id, { nick: `r${n}` })));
      n++;
      await new Promise((res) => setTimeout(res, everyMs));
    }
    const minutes = (performance.now() - began) / 60000;
    const c1 = await meshCounters(hubs);
    const msgs = c1.msgs - c0.msgs;
    const cpu = hubs.map((h, i) => cpuSeconds(h.pid) - cpu0[i]);
    const events = await Promise.all((await Promise.all(pending)).map((ev) => ev.done(5000)));
    const convergence = events.filter((e) => e.ms.length).map((e) => Math.max(...e.ms));
    const late = events.filter((e) => e.missing.length || Math.max(0, ...e.ms) > 5000).length;
    if (process.env.CHURN_DEBUG) {
      for (const e of events.filter((x) => x.missing.length || Math.max(0, ...x.ms) > 1000)) {
        console.log(`slow ${e.kind} of ${e.peer.slice(0, 6)} at ${((e.t0 - began) / 1000).toFixed(1)} s: ` +
          `confirmed ${e.confirmedMs?.toFixed(0)} ms on hub ${e.hub}, ms max..min ${Math.max(...e.ms).toFixed(0)}..${Math.min(...e.ms).toFixed(0)} of ${e.ms.length} missing ${e.missing.length}`);
      }
    }
    const rss = hubs.map((h) => readRssKiB(h.pid) / 1024);
    const finalDiffs = room.differences();
    const peersAvg = peerSeconds / ((last - began) / 1000);
    return {
      hubs: nHubs,
      startupS: Number((startup / 1000).toFixed(1)),
      initialDiffs,
      events: events.length,
      deliveries: events.reduce((s, e) => s + e.ms.length, 0),
      late,
      p50: Number(quantile(convergence, 0.5).toFixed(0)),
      p99: Number(quantile(convergence, 0.99).toFixed(0)),
      max: Number(Math.max(...convergence).toFixed(0)),
      dhtMsgsPerPeerMinute: Number((msgs / peersAvg / minutes).toFixed(0)),
      staleValues: c1.stale - c0.stale,
      valuesAnnouncedMax: c1.announcedMax,
      peersAvg: Number(peersAvg.toFixed(0)),
      rssMiBAvg: Number((rss.reduce((a, b) => a + b, 0) / rss.length).toFixed(1)),
      rssMiBMax: Number(Math.max(...rss).toFixed(1)),
      cpuSPerHubMinute: Number((cpu.reduce((a, b) => a + b, 0) / cpu.length / minutes).toFixed(2)),
      finalDiffs: finalDiffs.length,
    };
  } finally {
    room.endAll();
    for (const h of mesh.hubs) await h.stop('SIGKILL');
  }
}

export function describe(r) {
  return `${r.events} events (${r.deliveries} deliveries), convergence p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms; ` +
    `${r.late} not heard by every member within 5 s; ${r.dhtMsgsPerPeerMinute} DHT msgs per peer per minute ` +
    `(${r.peersAvg} peers; ${r.staleValues} superseded values heard and ignored; at most ${r.valuesAnnouncedMax} values announced by a hub at the end); RSS per hub ${r.rssMiBAvg} MiB avg, ${r.rssMiBMax} max; hub CPU ${r.cpuSPerHubMinute} s per hub-minute`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
  const seconds = opt('--seconds', 60);
  const sizes = args.filter((a, i) => /^\d+$/.test(a) && !args[i - 1]?.startsWith('--')).map(Number);
  for (const n of sizes.length ? sizes : [24, 48]) {
    const r = await presenceChurn(n, { seconds });
    console.log(`presence churn, ${n} hubs: ${describe(r)}`);
    console.log(JSON.stringify(r));
  }
  process.exit(0);
}
