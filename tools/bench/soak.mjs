// Soak (issue 15): three hubs as a CA mesh on 127.0.0.1 under churn and traffic for a long window (30 minutes by
// default), watching for drift and errors rather than speed.
//
//   node tools/bench/soak.mjs [--minutes 30] [--peers 3000] [--namespaces 300] [--churn 0.1] [--signals 100]
//        [--hub-env NAME=VALUE ...] [--json FILE]
//
// The load: build/pigeonhub-loadgen's `mesh` mode (peers spread over the hubs, a fraction of them per minute leave
// and fresh ones join, cross-hub offers at --signals per second), and beside it, once a second, a short-lived
// client that walks through a fresh namespace (namespace churn), a publish and a find on the data API, and the
// REST endpoints a dashboard polls. Every 10 s each hub's RSS is read from /proc.
//
// Printed at the end: per hub, RSS drift from the settled start of the window (the mean of minutes 2-4) to its end
// (the mean of the last 3 minutes), as a percentage (goal: at most 5%); the load generator's missed discoveries and
// lost signals; REST and side-client failures; hubs that died; and the hubs' own error counters over the window.
// Not part of CI (it takes the window plus about a minute). Hubs and the load generator are killed by PID at the end,
// on error too.
import { writeFileSync } from 'node:fs';
import { startMesh, readRssKiB, randomPeerId, waitFor } from '../../tests/integration/lib/hub.mjs';
import { connect, get, settled, sleep } from '../../tests/integration/lib/client.mjs';
import { runMeshLoad } from './scale-run.mjs';

function parseArgs(argv) {
  const o = { minutes: 30, peers: 3000, namespaces: 300, churn: 0.1, signals: 100, hubEnv: {}, json: null };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i], v = argv[i + 1];
    if (v === undefined) throw new Error(`${k} needs a value`);
    if (k === '--minutes') o.minutes = Number(v);
    else if (k === '--peers') o.peers = Number(v);
    else if (k === '--namespaces') o.namespaces = Number(v);
    else if (k === '--churn') o.churn = Number(v);
    else if (k === '--signals') o.signals = Number(v);
    else if (k === '--json') o.json = v;
    else if (k === '--hub-env') {
      const eq = v.indexOf('=');
      if (eq <= 0) throw new Error(`--hub-env wants NAME=VALUE, got ${v}`);
      o.hubEnv[v.slice(0, eq)] = v.slice(eq + 1);
    } else throw new Error(`unknown option ${k}`);
  }
  if (!(o.minutes >= 6)) throw new Error('--minutes must be at least 6 (the drift compares minutes 2-4 with the last 3)');
  return o;
}

// The hubs' counters that mean something went wrong (or a bound was met), summed over the hubs.
function errorCounters(stats) {
  const t = stats.transport, m = stats.mesh;
  return {
    invalidJson: stats.messages.invalidJson,
    errorsSent: stats.messages.errorsSent,
    admissionFull: stats.admission.full,
    rateLimited: t.rateLimited,
    closedTooBig: t.closedTooBig,
    closedProtocolError: t.closedProtocolError,
    closedSendQueueOverflow: t.closedSendQueueOverflow,
    closedOutputStall: t.closedOutputStall,
    acceptErrors: stats.listener.acceptErrors,
    recordsInvalid: m.recordsInvalid,
    signalsUndeliverable: m.signalsUndeliverable,
    signalsUnopened: m.signalsUnopened,
    signalsLateDropped: m.signalsLateDropped,
    dhtUpdatesToLostListens: m.dhtUpdatesToLostListens,
    dhtPacketsDroppedLate: m.dhtPacketsDroppedLate,
    findTimeouts: stats.data.findTimeouts,
  };
}

function sumCounters(list) {
  const out = {};
  for (const c of list) for (const [k, v] of Object.entries(c)) out[k] = (out[k] ?? 0) + (v ?? 0);
  return out;
}

const diff = (a, b) => Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - (a[k] ?? 0)]));
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;

// One round of the side traffic: a peer walks into a fresh namespace on a hub and leaves, a record is published on
// one hub and found on another, and the REST endpoints are read. Returns the failures (strings).
async function sideRound(hubs, round) {
  const failures = [];
  const a = hubs[round % hubs.length], b = hubs[(round + 1) % hubs.length];
  try {
    const c = await connect(a.wsUrl(randomPeerId()));
    c.send({ type: 'announce', networkName: `soak-walk-${round}`, data: { round } });
    await settled(c);
    c.end();
  } catch (e) { failures.push(`walk: ${e.message}`); }
  const topic = `soak-${round % 50}`;
  try {
    const r = await get(`${a.url}/api/publish`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic, data: { round }, ttl: 120 }) });
    if (r.status !== 200 && r.status !== 201) failures.push(`publish: ${r.status}`);
  } catch (e) { failures.push(`publish: ${e.message}`); }
  try {
    const r = await get(`${b.url}/api/find/${topic}`);
    if (r.status !== 200 && r.status !== 404) failures.push(`find: ${r.status}`);
  } catch (e) { failures.push(`find: ${e.message}`); }
  for (const p of ['/health', '/hubs', '/stats', '/metrics']) {
    try {
      const r = await get(`${b.url}${p}`);
      if (r.status !== 200) failures.push(`${p}: ${r.status}`);
    } catch (e) { failures.push(`${p}: ${e.message}`); }
  }
  return failures;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const env = { MAX_CONNECTIONS: '200000', MESSAGE_RATE: '0', NODE_ENV: 'production', LOG_LEVEL: 'warn', ...o.hubEnv };
  const hubs = await startMesh(3, { env });
  let load = null;
  try {
    await waitFor(async () => {
      for (const h of hubs) if ((await get(`${h.url}/stats`)).json.mesh.members < hubs.length - 1) return false;
      return true;
    }, { timeoutMs: 30000, intervalMs: 200, what: 'every hub to admit every other' });
    const argv = ['--ports', hubs.map((h) => h.port).join(','), '--peers', String(o.peers), '--namespaces',
      String(o.namespaces), '--seconds', String(o.minutes * 60), '--churn', String(o.churn), '--signals', String(o.signals)];
    let onSteady;
    const steady = new Promise((r) => { onSteady = r; });
    load = runMeshLoad(argv, (e) => { if (e.event === 'steady') onSteady(); }, (600 + o.minutes * 60) * 1000);
    load.catch(() => {});
    await Promise.race([steady, load]);
    console.error(`soak: ${o.peers} peers in, window of ${o.minutes} min starts`);

    const t0 = performance.now();
    const startCounters = sumCounters(await Promise.all(hubs.map(async (h) => errorCounters((await get(`${h.url}/stats`)).json))));
    const samples = [];  // {min, rss: [KiB per hub]}
    const sideFailures = [];
    let rounds = 0, nextSample = 0, died = null;
    while (performance.now() - t0 < o.minutes * 60000) {
      const min = (performance.now() - t0) / 60000;
      if (hubs.some((h) => !h.alive())) { died = hubs.findIndex((h) => !h.alive()); break; }
      if (performance.now() - t0 >= nextSample) {
        samples.push({ min, rss: hubs.map((h) => readRssKiB(h.pid)) });
        nextSample += 10000;
        if (samples.length % 6 === 0) {
          console.error(`soak: ${min.toFixed(1)} min, RSS MiB ${samples.at(-1).rss.map((k) => (k / 1024).toFixed(1)).join(' / ')}, ` +
            `side failures ${sideFailures.length}`);
        }
      }
      sideFailures.push(...(await sideRound(hubs, rounds++)).map((f) => `${min.toFixed(1)} min: ${f}`));
      await sleep(1000);
    }
    const endCounters = died === null
      ? sumCounters(await Promise.all(hubs.map(async (h) => errorCounters((await get(`${h.url}/stats`)).json))))
      : null;
    const result = died === null ? await load : null;

    const window = (a, b) => samples.filter((s) => s.min >= a && s.min < b);
    const early = window(2, 4), late = window(o.minutes - 3, o.minutes + 1);
    const drift = hubs.map((_, i) => {
      const e = mean(early.map((s) => s.rss[i])), l = mean(late.map((s) => s.rss[i]));
      return { earlyMiB: e / 1024, lateMiB: l / 1024, driftPct: (l / e - 1) * 100 };
    });
    const report = {
      minutes: o.minutes, peers: o.peers, namespaces: o.namespaces, churnPerMin: o.churn, signalsPerSec: o.signals,
      sideRounds: rounds, sideFailures, died, drift,
      load: result && { ready: result.ready, discovery: result.discovery, signals: result.signals },
      hubErrors: endCounters && diff(startCounters, endCounters),
      rss: samples.map((s) => ({ min: Number(s.min.toFixed(2)), miB: s.rss.map((k) => Number((k / 1024).toFixed(1))) })),
    };
    console.log(`\nSoak: 3 hubs, ${o.peers} peers in ${o.namespaces} namespaces, ${o.churn * 100}% churn/min, ` +
      `${o.signals} cross-hub offers/s, ${rounds} side rounds, ${o.minutes} min`);
    for (const [i, d] of drift.entries()) {
      console.log(`hub ${i + 1}: RSS ${d.earlyMiB.toFixed(1)} MiB (minutes 2-4) -> ${d.lateMiB.toFixed(1)} MiB (last 3), ` +
        `drift ${d.driftPct >= 0 ? '+' : ''}${d.driftPct.toFixed(1)}% ${Math.abs(d.driftPct) <= 5 ? 'MET' : 'NOT MET'} (goal 5%)`);
    }
    if (died !== null) console.log(`hub ${died + 1} DIED: ${hubs[died].stderr().slice(-2000)}`);
    if (result) {
      console.log(`discoveries: ${result.discovery.samples} seen, ${result.discovery.missed} missed; ` +
        `signals: ${result.signals.samples} delivered, ${result.signals.lost} lost`);
    }
    console.log(`side-client failures: ${sideFailures.length}${sideFailures.length ? ` (first: ${sideFailures.slice(0, 5).join('; ')})` : ''}`);
    if (report.hubErrors) {
      const nonzero = Object.entries(report.hubErrors).filter(([, v]) => v !== 0);
      console.log(`hub error counters over the window: ${nonzero.length ? nonzero.map(([k, v]) => `${k} ${v}`).join(', ') : 'all 0'}`);
    }
    if (o.json) writeFileSync(o.json, JSON.stringify(report, null, 2) + '\n');
    process.exitCode = died === null ? 0 : 1;
  } finally {
    if (load && load.child.exitCode === null) load.child.kill('SIGKILL');
    await Promise.all(hubs.map((h) => h.stop('SIGKILL')));
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
