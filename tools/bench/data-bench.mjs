// The data API benchmark (issue 11), pigeonhubd only (the PeerPigeon reference hub has no data API): three hubs
// of a CA mesh on loopback.
//   - publish to findable: `topics` topics, one at a time: POST /api/publish on hub 0, then GET /api/find on hub 2
//     until the record is there; the time from sending the publish to the find that returned it.
//   - publishes per second on one hub: `concurrency` HTTP clients posting for `seconds` (each a new topic).
//   - finds per second on one hub: the same for GET /api/find of topics that exist (each a DHT lookup).
// Used by run.mjs; alone: node tools/bench/data-bench.mjs [--quick]
import { performance } from 'node:perf_hooks';
import { startMesh } from '../../tests/integration/lib/hub.mjs';

const quantile = (xs, f) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Number(s[Math.min(s.length - 1, Math.floor(f * s.length))].toFixed(2)) : NaN;
};

async function post(url, body) {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await r.arrayBuffer();
  return r.status;
}

async function findCount(url) {
  const r = await fetch(url);
  return (await r.json()).records.length;
}

// Runs `op(i)` from `concurrency` loops for `seconds`; returns operations per second and the statuses seen.
async function throughput(op, { concurrency, seconds }) {
  const deadline = performance.now() + seconds * 1000;
  let done = 0, bad = 0, i = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const ok = await op(i++);
      if (ok) done++; else bad++;
    }
  }));
  return { perSecond: Math.round(done / seconds), failed: bad };
}

export async function dataBench({ topics = 200, seconds = 5, concurrency = 32 } = {}) {
  const hubs = await startMesh(3);
  try {
    const [a, , c] = hubs;
    const latency = [];
    const names = [];
    for (let i = 0; i < topics; i++) {
      const topic = `bench-${i}-${Date.now()}`;
      names.push(topic);
      const t0 = performance.now();
      if (await post(`${a.url}/api/publish`, { topic, data: { i, text: 'x'.repeat(200) }, ttl: 600 }) !== 201) throw new Error('publish failed');
      for (;;) {
        if (await findCount(`${c.url}/api/find/${topic}`) === 1) break;
        if (performance.now() - t0 > 10000) throw new Error(`topic ${topic} not findable on hub 2 after 10 s`);
      }
      latency.push(performance.now() - t0);
    }
    const publishes = await throughput(async (i) => (await post(`${a.url}/api/publish`,
      { topic: `load-${i}`, data: { i }, ttl: 600 })) === 201, { concurrency, seconds });
    const finds = await throughput(async (i) => (await findCount(`${c.url}/api/find/${names[i % topics]}`)) === 1,
      { concurrency, seconds });
    const stats = (await (await fetch(`${a.url}/stats`)).json()).data;
    return { topics, p50: quantile(latency, 0.5), p99: quantile(latency, 0.99), max: quantile(latency, 1),
      publishesPerSecond: publishes.perSecond, publishFailures: publishes.failed,
      findsPerSecond: finds.perSecond, findFailures: finds.failed, storeFull: stats.storeFull };
  } finally {
    for (const h of hubs) await h.stop('SIGKILL');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  console.log(JSON.stringify(await dataBench(quick ? { topics: 50, seconds: 2 } : {})));
}
