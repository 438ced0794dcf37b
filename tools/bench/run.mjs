// Side-by-side benchmark of pigeonhubd and the PeerPigeon 1.1.3 reference hub, in one run, on loopback.
// Each single-hub scenario starts a fresh hub, drives it with build/pigeonhub-loadgen (C++, asio), reads the
// hub's CPU time and RSS from /proc and kills the hub by PID; the multi-hub scenarios (cross-hub latency,
// failover) come from mesh-scenarios.mjs. Prints one row per hub and scenario, then the targets of the
// benchmarks issue as met or not met.
//
//   node tools/bench/run.mjs [--quick] [--scale] [--only TEXT] [--markdown BENCHMARKS-run.md]
// --scale adds the many-hub run (scale-run.mjs: 3, 6 and 12 hubs with 20,000 peers, about 10 minutes).
// --only TEXT runs only the single-hub scenarios whose name contains TEXT (e.g. --only flood), and their targets.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHub, startReferenceHub, repoRoot, readRssKiB, readCpuSeconds as cpuSeconds } from '../../tests/integration/lib/hub.mjs';
import { crossHub, failover } from './mesh-scenarios.mjs';
import { presenceChurn, describe as describeChurn } from './presence-churn.mjs';
import { dataBench } from './data-bench.mjs';
import { scaleRun, plot as plotScale } from './scale-run.mjs';
import { roomsBench, describe as describeRooms } from './rooms-bench.mjs';
import { crowd, describe as describeCrowd } from './crowd.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const scale = args.includes('--scale');
const mdOut = args.includes('--markdown') ? args[args.indexOf('--markdown') + 1] : null;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const loadgen = path.join(repoRoot, 'build', 'pigeonhub-loadgen');


// Runs the load generator; resolves with its JSON line. `keep` leaves it running (idle) and returns a killer.
function runLoadgen(argv, { keep = false, timeoutMs = 90000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(loadgen, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`loadgen ${argv.join(' ')} timed out`)); }, timeoutMs);
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && keep) { clearTimeout(timer); resolve({ result: JSON.parse(line), stop: () => child.kill('SIGKILL') }); }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!keep) line ? resolve(JSON.parse(line)) : reject(new Error(`loadgen ${argv.join(' ')} printed nothing`));
    });
  });
}

const hubs = {
  // Limits out of the way (a namespace of more than MAX_PEERS_PER_NAMESPACE's 10,000 included).
  pigeonhubd: () => startHub({ env: { MAX_CONNECTIONS: '200000', MESSAGE_RATE: '0', MAX_PEERS_PER_NAMESPACE: '0', NODE_ENV: 'production' } }),
  'pigeonhubd bounded': () => startHub({ env: { MAX_CONNECTIONS: '200000', MESSAGE_RATE: '0', MAX_PEERS_PER_NAMESPACE: '0', NODE_ENV: 'production', DISCOVERY_MODE: 'bounded' } }),
  reference: () => startReferenceHub({ maxConnections: 200000 }),
  // Shipped limits (MESSAGE_RATE, the announce budgets), and the same without the announce budgets (issue 15).
  'pigeonhubd defaults': () => startHub({ env: { NODE_ENV: 'production' } }),
  'pigeonhubd, no announce budget': () => startHub({ env: { NODE_ENV: 'production', ANNOUNCE_RATE: '0', NAMESPACE_RATE: '0',
    MAX_PEERS_PER_NAMESPACE: '0' } }),
};

async function measure(hubName, fn) {
  const hub = await hubs[hubName]();
  hub.name = hubName;
  await new Promise((r) => setTimeout(r, 300));
  const cpu0 = cpuSeconds(hub.pid);
  const rss0 = readRssKiB(hub.pid);
  try {
    const r = await fn(hub);
    return { hub: hubName, cpu: cpuSeconds(hub.pid) - cpu0, rss0, rss: readRssKiB(hub.pid), ...r };
  } finally {
    await hub.stop('SIGKILL');
  }
}

const rows = [];
const scenarios = [];
const idleSizes = quick ? [1000] : [1000, 10000];
for (const [n, ann] of idleSizes.flatMap((n) => [[n, false], [n, true]])) {
  scenarios.push([`idle ${n}${ann ? ', each announced' : ''}`, ['pigeonhubd', 'reference'], async (hub) => {
    const { result, stop } = await runLoadgen(['idle', '--port', String(hub.port), '--conns', String(n), ...(ann ? ['--announce'] : [])], { keep: true });
    await new Promise((r) => setTimeout(r, 500));
    const rss = readRssKiB(hub.pid);
    stop();
    return { value: result.held, unit: 'held', extra: `${(((rss - 0) * 1024) / result.held / 1024).toFixed(2)} KiB RSS/conn total`, rssNow: rss, held: result.held };
  }]);
}
// As many idle connections as this machine lets one process hold: the hard limit on open files (which a
// process may not raise) bounds both the hub and the generator; 64 descriptors stay for the hub's own use.
const nofileHard = Number((readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\s+\S+\s+(\S+)/m) || [])[1]) || 1024;
const idleMax = Math.min(quick ? 5000 : 1000000, nofileHard - 64);
scenarios.push([`idle, as many as the machine allows`, ['pigeonhubd'], async (hub) => {
  const { result, stop } = await runLoadgen(['idle', '--port', String(hub.port), '--conns', String(idleMax)], { keep: true });
  await new Promise((r) => setTimeout(r, 500));
  const rss = readRssKiB(hub.pid);
  stop();
  return { value: result.held, unit: 'held', rssNow: rss, held: result.held,
    limit: `stopped by the open-files hard limit of ${nofileHard} per process (RLIMIT_NOFILE), not by the hub` };
}]);
scenarios.push([`join ${quick ? 2000 : 10000} into one namespace, bounded discovery (k=8)`, ['pigeonhubd bounded'], async (hub) => {
  const n = quick ? 2000 : 10000;
  const r = await runLoadgen(['join', '--port', String(hub.port), '--conns', String(n), '--max-peers', '8']);
  return { value: Number(r.joins_per_s.toFixed(0)), unit: 'joins/s', extra: r.complete ? 'all k-closest discoveries delivered' : `incomplete after ${r.seconds}s (${r.discovered}/${r.expected})` };
}]);
for (const n of quick ? [1000] : [1000, 2000]) {
  scenarios.push([`join ${n} into one namespace`, ['pigeonhubd', 'reference'], async (hub) => {
    const r = await runLoadgen(['join', '--port', String(hub.port), '--conns', String(n)]);
    return { value: Number(r.joins_per_s.toFixed(0)), unit: 'joins/s', extra: r.complete ? 'all discoveries delivered' : `incomplete after ${r.seconds}s (${r.discovered}/${r.expected})` };
  }]);
}
scenarios.push(['relay, 16 pairs, ~1 KB offers', ['pigeonhubd', 'reference'], async (hub) => {
  const c0 = cpuSeconds(hub.pid);
  const r = await runLoadgen(['relay', '--port', String(hub.port), '--pairs', '16', '--seconds', quick ? '3' : '10']);
  const cpu = cpuSeconds(hub.pid) - c0;
  return { value: r.messages_per_s, unit: 'msg/s', extra: `${(cpu / (r.messages / 1e6)).toFixed(2)} hub CPU s per million` };
}]);
const series = [];  // [hub, idle, p50, p99] for the plot
for (const idleN of quick ? [0, 1000] : [0, 2000, 5000, 10000]) {
  scenarios.push([`round trip with ${idleN} idle peers`, ['pigeonhubd', 'reference'], async (hub) => {
    const r = await runLoadgen(['rtt', '--port', String(hub.port), '--count', '5000', '--idle', String(idleN)]);
    series.push([hub.name, idleN, r.p50_ms, r.p99_ms]);
    return { value: r.p99_ms, unit: 'ms p99', extra: `p50 ${r.p50_ms} ms` };
  }]);
}
scenarios.push(['round trip during relay load (16 pairs)', ['pigeonhubd', 'reference'], async (hub) => {
  const load = runLoadgen(['relay', '--port', String(hub.port), '--pairs', '16', '--seconds', '8']);
  await new Promise((r) => setTimeout(r, 1500));
  const r = await runLoadgen(['rtt', '--port', String(hub.port), '--count', '2000']);
  await load;
  return { value: r.p99_ms, unit: 'ms p99', p50: r.p50_ms, extra: `p50 ${r.p50_ms} ms` };
}]);
// Announce flood (issue 15): 50 sockets in one namespace re-announce 200 times a second each (a fifth of MESSAGE_RATE)
// while an honest pair there exchanges offers every 10 ms; the pair's round trip and the hub's bytes out per byte in.
const FLOOD = { conns: 50, rate: 200 };
scenarios.push([`honest offers while ${FLOOD.conns} sockets flood announces`, ['pigeonhubd defaults', 'pigeonhubd, no announce budget', 'reference'], async (hub) => {
  const r = await runLoadgen(['flood', '--port', String(hub.port), '--conns', String(FLOOD.conns), '--rate', String(FLOOD.rate),
    '--seconds', quick ? '5' : '10']);
  return { value: r.p99_ms, unit: 'ms p99', p50: r.p50_ms, flood: r,
    extra: `p50 ${r.p50_ms} ms, max ${r.max_ms} ms, ${r.count} round trips; ${r.announces} announces sent; hub bytes out/in ` +
      `${(r.hub_bytes_out / 1e6).toFixed(1)} / ${(r.hub_bytes_in / 1e6).toFixed(1)} MB = ${r.out_per_in}x; ${r.open_at_end}/${r.flooders} flooders still open` };
}]);
// A crowd in one namespace (issue 14, targets 1-3; crowd.mjs): connected RSS per peer, the peak while every peer leaves
// at once, and RSS 30 s later. 10,000 all-to-all is 100 million peer-discovered frames: minutes, pigeonhubd only.
for (const n of quick ? [2000] : [2000, 10000]) {
  scenarios.push([`crowd of ${n} in one namespace, all leave at once`, n > 2000 ? ['pigeonhubd'] : ['pigeonhubd', 'reference'], async (hub) => {
    const r = await crowd(hub, n);
    return { value: Number(((r.peak - r.connected) / 1024).toFixed(1)), unit: 'MiB peak', crowd: r, extra: describeCrowd(r) };
  }]);
}

for (const [name, which, fn] of scenarios) {
  if (only && !name.includes(only)) continue;
  for (const h of which) {
    const r = await measure(h, fn);
    if (r.held) r.extra = `${(((r.rssNow - r.rss0) * 1024) / r.held).toFixed(0)} B RSS per idle connection${r.limit ? `; ${r.limit}` : ''}`;
    rows.push({ scenario: name, ...r });
    console.log(`${name.padEnd(36)} ${h.padEnd(20)} ${String(r.value).padStart(10)} ${r.unit.padEnd(8)} ${r.extra}  (hub CPU ${r.cpu.toFixed(2)} s, RSS ${(r.rss0 / 1024).toFixed(1)} -> ${(r.rss / 1024).toFixed(1)} MiB)`);
  }
}

// Multi-hub scenarios: three hubs of each kind (pigeonhubd over OpenDHT, reference hubs over their links).
// A scenario that fails for one hub is reported as a failed row; the run goes on.
const attempt = async (fn) => { try { return await fn(); } catch (e) { return { error: e.message }; } };
for (const h of only ? [] : ['pigeonhubd', 'reference']) {
  const x = await attempt(() => crossHub(h, { offers: quick ? 100 : 500, joins: quick ? 20 : 100 }));
  const f = await attempt(() => failover(h, { victims: 20 }));
  const add = (row) => {
    rows.push({ hub: h, cpu: null, ...row });
    console.log(`${row.scenario.padEnd(36)} ${h.padEnd(20)} ${String(row.value).padStart(10)} ${row.unit.padEnd(8)} ${row.extra}`);
  };
  const failed = (scenario, r) => add({ scenario, value: 'failed', unit: '', extra: r.error });
  if (x.error) {
    failed('cross-hub offer delivery (3 hubs)', x);
    failed('cross-hub discovery (3 hubs)', x);
  } else {
    add({ scenario: 'cross-hub offer delivery (3 hubs)', value: x.delivery.p99, unit: 'ms p99', p50: x.delivery.p50,
      extra: `p50 ${x.delivery.p50} ms; ${x.delivery.n} sequential ~1 KB offers, sender on hub 1, receiver on hub 2` });
    add({ scenario: 'cross-hub discovery (3 hubs)', value: x.discovery.p99, unit: 'ms p99', p50: x.discovery.p50,
      extra: `p50 ${x.discovery.p50} ms; ${x.discovery.n} newcomers announce on hub 1, one at a time, until a peer on hub 2 hears` });
  }
  if (f.error) failed('failover: kill -9 of a hub (3 hubs)', f);
  else add({ scenario: 'failover: kill -9 of a hub (3 hubs)', value: f.ms === null ? 'never' : Number(f.ms.toFixed(0)), unit: 'ms',
    extra: `${f.rediscovered}/${f.victims} peers of the killed hub rediscovered by a peer on a third hub; each reconnects at once to a live hub` });
}

// Presence under churn in big meshes (pigeonhubd only: the reference hub's links relay one hop and have no
// shared directory to converge). A minute of random joins, departures and re-announces per size.
for (const n of only ? [] : quick ? [12] : [24, 48]) {
  const scenario = `presence churn, ${n} hubs`;
  const r = await attempt(() => presenceChurn(n, { seconds: quick ? 20 : 60 }));
  const row = r.error ? { scenario, hub: 'pigeonhubd', cpu: null, value: 'failed', unit: '', extra: r.error }
    : { scenario, hub: 'pigeonhubd', cpu: null, value: r.p99, unit: 'ms p99', churn: r, extra: describeChurn(r) };
  rows.push(row);
  console.log(`${scenario.padEnd(36)} ${'pigeonhubd'.padEnd(20)} ${String(row.value).padStart(10)} ${row.unit.padEnd(8)} ${row.extra}`);
}

// The data API (pigeonhubd only: the reference hub has none): publish on hub 0 until findable on hub 2, and
// publishes and finds per second on one hub (tools/bench/data-bench.mjs).
if (!only) {
  const r = await attempt(() => dataBench(quick ? { topics: 50, seconds: 2 } : { topics: 200, seconds: 5 }));
  const rowsOf = r.error ? [{ scenario: 'data: publish until findable on another hub (3 hubs)', hub: 'pigeonhubd', cpu: null,
    value: 'failed', unit: '', extra: r.error }] : [
    { scenario: 'data: publish until findable on another hub (3 hubs)', hub: 'pigeonhubd', cpu: null, value: r.p99, unit: 'ms p99',
      p50: r.p50, extra: `p50 ${r.p50} ms, max ${r.max} ms over ${r.topics} topics, one at a time` },
    { scenario: 'data: publishes per second (one hub)', hub: 'pigeonhubd', cpu: null, value: r.publishesPerSecond, unit: 'pub/s',
      extra: `32 HTTP clients; ${r.publishFailures} failed` },
    { scenario: 'data: finds per second (one hub)', hub: 'pigeonhubd', cpu: null, value: r.findsPerSecond, unit: 'find/s',
      extra: `32 HTTP clients, each find a DHT lookup; ${r.findFailures} without the record` },
  ];
  for (const row of rowsOf) {
    rows.push(row);
    console.log(`${row.scenario.padEnd(36)} ${'pigeonhubd'.padEnd(20)} ${String(row.value).padStart(10)} ${row.unit.padEnd(8)} ${row.extra}`);
  }
}

// What mesh membership (MESH_TRUST=ca) costs per record: a certificate chain check once per hub, a lookup per
// record (pigeonhubd only: the reference has no membership). tools/bench/membership_cost.cpp.
if (!only) {
  const scenario = 'membership: CPU per record (CA mesh)';
  const r = await attempt(() => new Promise((resolve, reject) => {
    const child = spawn(path.join(repoRoot, 'build', 'pigeonhub-bench-membership'), ['20', quick ? '500' : '2000'],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', (c) => (c === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${c}`))));
  }));
  const row = r.error ? { scenario, hub: 'pigeonhubd', cpu: null, value: 'failed', unit: '', extra: r.error }
    : { scenario, hub: 'pigeonhubd', cpu: null, value: r.ofNs, unit: 'ns/rec', extra:
      `certificate check ${r.verifyUs} us once per hub; hub record seen again ${r.presentCachedUs} us; ` +
      `for scale, OpenDHT's RSA-2048 signature check of every signed value ${r.valueSignatureCheckUs} us; ` +
      `certificate ${r.certificateBytes} B in each hub record` };
  rows.push(row);
  console.log(`${scenario.padEnd(36)} ${'pigeonhubd'.padEnd(20)} ${String(row.value).padStart(10)} ${row.unit.padEnd(8)} ${row.extra}`);
}

// Many hubs (tools/bench/scale-run.mjs), only with --scale: per mesh size, DHT traffic per peer, cross-hub latency,
// RSS and CPU per hub under churn. A quick run uses a tenth of the peers and does not replace docs/scaling.png.
if (scale && !only) {
  const r = await attempt(() => scaleRun(quick ? { hubs: [3, 6], peers: 2000, namespaces: 200, minutes: 0.5 } : {}));
  const add = (row) => {
    rows.push({ hub: 'pigeonhubd', cpu: null, ...row });
    console.log(`${row.scenario.padEnd(36)} ${'pigeonhubd'.padEnd(20)} ${String(row.value).padStart(10)} ${row.unit.padEnd(8)} ${row.extra}`);
  };
  if (r.error) add({ scenario: 'many hubs', value: 'failed', unit: '', extra: r.error });
  for (const x of r.results ?? []) {
    add({ scenario: `many hubs: ${x.hubs} hubs, ${x.load.ready} peers`, value: Number(x.datagramsPerPeerMin.toFixed(1)),
      unit: 'dgram/peer/min', extra: `discovery p50 ${x.load.discovery.p50_ms} / p99 ${x.load.discovery.p99_ms} ms, ` +
        `signals p50 ${x.load.signals.p50_ms} / p99 ${x.load.signals.p99_ms} ms; per hub RSS ${x.rssMiB.mean.toFixed(1)} MiB, ` +
        `CPU ${(x.cpu.mean * 100).toFixed(0)}% of a core${r.capNote ? `; ${r.capNote}` : ''}` });
  }
  if (r.results?.length) {
    const png = quick ? path.join(os.tmpdir(), 'pigeonhub-scaling-quick.png') : path.join(repoRoot, 'docs', 'scaling.png');
    try {
      await plotScale(r.results, png);
      console.log(`plot: ${png}`);
    } catch (e) {
      console.log(`no scaling plot (${e.message}); install gnuplot-nox`);
    }
  }
}

// Many two-peer rooms (issue 14, target 4; tools/bench/rooms-bench.mjs): pigeonhubd alone, as a member of a two-hub CA
// mesh (the DHT work real), with the pairs split across that mesh, and the reference hub.
const roomsPeers = quick ? 2000 : 10000;
for (const setup of only ? [] : ['pigeonhubd', 'pigeonhubd, 2-hub CA mesh', 'pigeonhubd, 2-hub CA mesh, pairs split', 'reference']) {
  const scenario = `rooms: ${roomsPeers} peers in ${roomsPeers / 2} two-peer namespaces`;
  const r = await attempt(() => roomsBench(setup, { peers: roomsPeers }));
  const row = r.error ? { scenario, hub: setup, cpu: null, value: 'failed', unit: '', extra: r.error }
    : { scenario, hub: setup, cpu: r.cpuS, value: r.joinsPerS, unit: 'joins/s', rooms: r, extra: describeRooms(r) };
  rows.push(row);
  console.log(`${scenario.padEnd(36)} ${setup.padEnd(20)} ${String(row.value).padStart(10)} ${row.unit.padEnd(8)} ${row.extra}`);
}

// The targets of the benchmarks issue, judged from the rows above.
const find = (scenario, hub) => rows.find((r) => r.scenario === scenario && r.hub === hub);
const targets = [];
const target = (name, result, met) => targets.push({ name, result, met });
{
  const ours = find('relay, 16 pairs, ~1 KB offers', 'pigeonhubd'), ref = find('relay, 16 pairs, ~1 KB offers', 'reference');
  if (ours && ref) {
    const ratio = ours.value / ref.value;
    target('relay throughput >= 10x the reference and >= 100k msg/s', `${ours.value} vs ${ref.value} msg/s = ${ratio.toFixed(1)}x`, ratio >= 10 && ours.value >= 100000);
  }
  const idle = find(`idle ${idleSizes[idleSizes.length - 1]}`, 'pigeonhubd');
  if (idle) {
    const per = ((idle.rssNow - idle.rss0) * 1024) / idle.held;
    target('<= 4 KB RSS per idle connection', `${(per / 1024).toFixed(2)} KiB at ${idle.held} connections`, per <= 4096);
  }
  const rtt = find(`round trip with ${quick ? 1000 : 10000} idle peers`, 'pigeonhubd');
  if (rtt) target(`round trip p99 < 1 ms at ${quick ? '1k (quick run)' : '10k'} connected peers`, `${rtt.value} ms`, rtt.value < 1);
  const join = rows.find((r) => r.scenario.startsWith('join') && r.scenario.includes('bounded'));
  if (join) target(`>= 5,000 joins/s at ${quick ? '2k (quick run)' : '10k'} peers in one namespace`, `${join.value} joins/s (bounded discovery, k = 8)`, join.value >= 5000);
  const xd = find('cross-hub offer delivery (3 hubs)', 'pigeonhubd');
  if (xd) target('cross-hub delivery p50 < 5 ms and p99 < 25 ms', xd.value === 'failed' ? `failed: ${xd.extra}` : `p50 ${xd.p50} ms, p99 ${xd.value} ms`,
    xd.value !== 'failed' && xd.p50 < 5 && xd.value < 25);
  for (const r of rows.filter((x) => x.scenario.startsWith('presence churn'))) {
    target(`${r.scenario.replace('presence churn, ', '')}: every join, re-announce and departure on every member hub within 1 s (p99)`,
      r.churn ? `p99 ${r.churn.p99} ms, max ${r.churn.max} ms, ${r.churn.late} late of ${r.churn.events}` : `failed: ${r.extra}`,
      !!r.churn && r.churn.p99 < 1000 && r.churn.late === 0 && r.churn.finalDiffs === 0);
  }
  {
    const scenario = `rooms: ${roomsPeers} peers in ${roomsPeers / 2} two-peer namespaces`;
    const ref = find(scenario, 'reference')?.rooms;
    for (const setup of ['pigeonhubd', 'pigeonhubd, 2-hub CA mesh']) {
      const r = find(scenario, setup)?.rooms;
      if (!r) continue;
      target(`rooms (${setup}): >= 5,000 joins/s at ${roomsPeers} peers, every pair discovered`, `${r.joinsPerS} joins/s, ${r.pairsComplete}/${r.rooms} pairs`,
        r.joinsPerS >= 5000 && r.complete);
      target(`rooms (${setup}): <= 3 KB RSS per announced peer`, `${(r.rssKiBPerPeer * 1024).toFixed(0)} B`, r.rssKiBPerPeer * 1024 <= 3000);
      if (ref) target(`rooms (${setup}): hub CPU per join <= the reference's`, `${r.cpuUsPerJoin.toFixed(0)} vs ${ref.cpuUsPerJoin.toFixed(0)} us`,
        r.cpuUsPerJoin <= ref.cpuUsPerJoin);
    }
  }
  for (const r of rows.filter((x) => x.crowd && x.hub === 'pigeonhubd')) {
    const c = r.crowd, joined = c.join.opened;
    target(`crowd of ${c.n}: peak RSS while all leave <= connected + 64 MB`, `+${((c.peak - c.connected) / 1024).toFixed(1)} MiB (${joined} joined)`,
      (c.peak - c.connected) * 1024 <= 64e6);
    target(`crowd of ${c.n}: RSS 30 s after all left within 20% of the start`, `${(c.after / 1024).toFixed(1)} vs ${(c.start / 1024).toFixed(1)} MiB`,
      c.after <= 1.2 * c.start);
    target(`crowd of ${c.n}: <= 4 KB RSS per announced idle peer in one namespace`, `${c.perPeerBytes} B (${joined} joined)`,
      c.perPeerBytes <= 4000 && joined === c.n);
  }
  const busy = find('round trip during relay load (16 pairs)', 'pigeonhubd');
  if (busy) target('round trip during relay load: p50 <= 0.5 ms and p99 <= 2 ms', `p50 ${busy.p50} ms, p99 ${busy.value} ms`,
    busy.p50 <= 0.5 && busy.value <= 2);
  const flood = find(`honest offers while ${FLOOD.conns} sockets flood announces`, 'pigeonhubd defaults');
  if (flood) target(`honest offer p99 < 50 ms while ${FLOOD.conns} sockets flood announces (default limits)`,
    `p99 ${flood.value} ms (p50 ${flood.p50} ms, ${flood.flood.count} round trips); hub bytes out/in ${flood.flood.out_per_in}x`,
    flood.value < 50 && flood.flood.count > 0);
  const fo = find('failover: kill -9 of a hub (3 hubs)', 'pigeonhubd');
  if (fo) target('failover < 5 s', typeof fo.value === 'number' ? `${fo.value} ms` : `${fo.value} ${fo.extra}`, typeof fo.value === 'number' && fo.value < 5000);
}
console.log('\ntargets:');
for (const t of targets) console.log(`  ${t.met ? 'MET    ' : 'NOT MET'}  ${t.name}: ${t.result}`);

// Round trip against idle load, both hubs, as a PNG (gnuplot from Debian, if installed).
// A quick or partial (--only) run must not replace the committed plot of a full one.
const png = quick || only ? path.join(os.tmpdir(), 'pigeonhub-rtt-vs-load-quick.png') : path.join(repoRoot, 'docs', 'rtt-vs-load.png');
const dat = path.join(os.tmpdir(), `pigeonhub-rtt-${process.pid}.dat`);
const hubsInSeries = [...new Set(series.map((s) => s[0]))];
writeFileSync(dat, hubsInSeries.map((h) => series.filter((s) => s[0] === h).map((s) => s.slice(1).join(' ')).join('\n')).join('\n\n\n') + '\n');
const plot = `set terminal pngcairo size 900,500; set output '${png}';
set title 'Offer -> answer round trip vs idle connections (loopback, 2 cores)'; set xlabel 'idle connected peers';
set ylabel 'ms'; set key top right; set grid; set logscale y;
plot ${hubsInSeries.map((h, i) => `'${dat}' index ${i} using 1:2 with linespoints title '${h} p50', '${dat}' index ${i} using 1:3 with linespoints dashtype 2 title '${h} p99'`).join(', ')}`;
if (!series.length) console.log('no plot (no round-trip series in this run)');
else try {
  await new Promise((resolve, reject) => {
    const g = spawn('gnuplot', [], { stdio: ['pipe', 'inherit', 'inherit'] });
    g.on('error', reject);
    g.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`gnuplot exit ${c}`))));
    g.stdin.end(plot);
  });
  console.log(`plot: ${png}`);
} catch (e) {
  console.log(`no plot (${e.message}); install gnuplot-nox`);
}

if (mdOut) {
  const cpuModel = (os.cpus()[0]?.model ?? 'unknown').trim();
  let md = `| scenario | hub | result | detail | hub CPU s |\n|---|---|---|---|---|\n`;
  for (const r of rows) md += `| ${r.scenario} | ${r.hub} | ${r.value} ${r.unit} | ${r.extra} | ${r.cpu === null ? '-' : r.cpu.toFixed(2)} |\n`;
  md += `\n| target | result | met? |\n|---|---|---|\n`;
  for (const t of targets) md += `| ${t.name} | ${t.result} | ${t.met ? 'yes' : '**no**'} |\n`;
  md = `Machine: ${os.cpus().length} x ${cpuModel}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}; node ${process.version}.\n\n` + md;
  writeFileSync(mdOut, md);
}
process.exit(0);
