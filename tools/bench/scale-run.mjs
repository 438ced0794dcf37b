// Many hubs (issue 14, target 6): for each mesh size H, H pigeonhubd hubs as a CA mesh on 127.0.0.1 (OpenDHT only,
// hub 1 the bootstrap node of the rest), N peers in K namespaces spread over them by build/pigeonhub-loadgen's
// `mesh` mode, then a window of churn (a fraction of the peers per minute leaves, as many newcomers join on random
// hubs) and cross-hub offers. Per size: cross-hub discovery and signal delivery p50/p99 (from the load generator),
// and per hub over the window: DHT datagrams and requests (/stats mesh), RSS (/proc/PID/status), CPU
// (/proc/PID/stat). Prints a table, writes a PNG (gnuplot) and, with --markdown, a Markdown table.
//
//   node tools/bench/scale-run.mjs [--hubs 3,6,12] [--peers 20000] [--namespaces 2000] [--minutes 1]
//        [--churn 0.1] [--signals 20] [--hub-env NAME=VALUE ...] [--markdown FILE] [--json FILE] [--plot FILE | --no-plot]
//
// Not part of CI (minutes of two cores at full load); `node tools/bench/run.mjs --scale` runs it too. The load
// generator holds one descriptor per peer: peers are capped below the hard open-files limit (said in the output).
// Every hub and the load generator are killed by PID when a size ends, on error too.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startMesh, repoRoot, readRssKiB, readCpuSeconds as cpuSeconds, waitFor } from '../../tests/integration/lib/hub.mjs';
import { get } from '../../tests/integration/lib/client.mjs';

const loadgen = process.env.PIGEONHUB_LOADGEN || path.join(repoRoot, 'build', 'pigeonhub-loadgen');
const FD_RESERVE = 256;  // descriptors the load generator keeps for itself

export const defaults = { hubs: [3, 6, 12], peers: 20000, namespaces: 2000, minutes: 1, churn: 0.1, signals: 20 };


// The hard open-files limit of processes started from here (the load generator raises its soft limit to it).
export function hardFdLimit() {
  const r = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' });
  const n = Number(r.stdout.trim());
  return Number.isFinite(n) ? n : Infinity;  // "unlimited"
}

async function snapshot(hubs) {
  const at = performance.now();
  return Promise.all(hubs.map(async (h) => ({
    at,
    cpu: cpuSeconds(h.pid),
    rssMiB: readRssKiB(h.pid) / 1024,
    mesh: (await get(`${h.url}/stats`)).json.mesh,
  })));
}

const REQUESTS = ['ping', 'find', 'get', 'listen', 'put'];

// Per hub, from two snapshots: rates over the window and the state at its end.
function perHub(s0, s1) {
  return s0.map((a, i) => {
    const b = s1[i], secs = (b.at - a.at) / 1000;
    const requestsOut = Object.fromEntries(REQUESTS.map((k) => [k, b.mesh.dhtRequestsOut[k] - a.mesh.dhtRequestsOut[k]]));
    return {
      secs,
      cpuShare: (b.cpu - a.cpu) / secs,  // of one core
      rssMiB: b.rssMiB,
      datagramsOut: b.mesh.dhtDatagramsOut - a.mesh.dhtDatagramsOut,
      bytesOut: b.mesh.dhtBytesOut - a.mesh.dhtBytesOut,
      requestsOut,
      requestsIn: REQUESTS.reduce((s, k) => s + b.mesh.dhtRequestsIn[k] - a.mesh.dhtRequestsIn[k], 0),
      listens: b.mesh.dhtListensActive,
      pages: b.mesh.presencePages,
      valuesAnnounced: b.mesh.valuesAnnounced,
      remotePeers: b.mesh.remotePeers,
      published: b.mesh.presencePublished - a.mesh.presencePublished,
      stale: b.mesh.recordsStale - a.mesh.recordsStale,
      undeliverable: b.mesh.signalsUndeliverable - a.mesh.signalsUndeliverable,
      droppedLate: (b.mesh.dhtPacketsDroppedLate ?? 0) - (a.mesh.dhtPacketsDroppedLate ?? 0),
      lostListenUpdates: (b.mesh.dhtUpdatesToLostListens ?? 0) - (a.mesh.dhtUpdatesToLostListens ?? 0),
    };
  });
}

// Runs the load generator's mesh mode; calls `onEvent(json)` for its event lines, resolves with its result line.
// The promise's `child` is the load generator's process (for a caller that must kill it early).
export function runMeshLoad(argv, onEvent, timeoutMs) {
  // stdin: the load generator waits after its window until the driver has read the hubs (onEvent of "end").
  const child = spawn(loadgen, ['mesh', ...argv], { stdio: ['pipe', 'pipe', 'inherit'] });
  const done = new Promise((resolve, reject) => {
    child.stdin.on('error', () => {});  // it may be gone already
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`loadgen mesh timed out after ${timeoutMs} ms`)); }, timeoutMs);
    let buf = '', result = null, chain = Promise.resolve();
    child.stdout.on('data', (d) => {
      buf += d;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        const j = JSON.parse(line);
        if (j.event) {
          chain = chain.then(() => onEvent(j));  // snapshots in order, the load goes on meanwhile
          if (j.event === 'end') chain = chain.finally(() => child.stdin.end('\n'));
          chain.catch(() => child.kill('SIGKILL'));  // a failed snapshot ends the run (reported at exit)
        }
        else result = j;
      }
    });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      chain.then(() => (result ? resolve(result) : reject(new Error(`loadgen mesh ended (${code ?? sig}) without a result`))), reject);
    });
  });
  done.child = child;
  return done;
}

const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
const max = (xs) => Math.max(...xs);

// One mesh size: start, load, measure, stop. Resolves with the row.
export async function scaleOne(nHubs, opts) {
  const { peers, namespaces, minutes, churn, signals } = opts;
  const env = { MAX_CONNECTIONS: '200000', MESSAGE_RATE: '0', NODE_ENV: 'production', LOG_LEVEL: 'warn', ...opts.hubEnv };
  const t0 = performance.now();
  const hubs = await startMesh(nHubs, { env });
  try {
    // Every hub admitted by every other (CA mesh): pages of a hub not known yet would wait.
    await waitFor(async () => {
      for (const h of hubs) if ((await get(`${h.url}/stats`)).json.mesh.members < nHubs - 1) return false;
      return true;
    }, { timeoutMs: 30000, intervalMs: 200, what: 'every hub to admit every other' });
    const startSecs = (performance.now() - t0) / 1000;
    let s0 = null, s1 = null;
    const argv = ['--ports', hubs.map((h) => h.port).join(','), '--peers', String(peers), '--namespaces', String(namespaces),
      '--seconds', String(minutes * 60), '--churn', String(churn), '--signals', String(signals)];
    const load = await runMeshLoad(argv, async (e) => {
      if (e.event === 'steady') s0 = await snapshot(hubs);
      else if (e.event === 'end') s1 = await snapshot(hubs);
    }, (300 + 30 + 10 + minutes * 60 + 30) * 1000);
    if (!s0 || !s1) throw new Error('the load generator did not report its window');
    const h = perHub(s0, s1);
    const windowMin = h[0].secs / 60;
    const dgrams = h.reduce((s, x) => s + x.datagramsOut, 0);
    const reqs = h.reduce((s, x) => s + REQUESTS.reduce((t, k) => t + x.requestsOut[k], 0), 0);
    const byKind = Object.fromEntries(REQUESTS.map((k) => [k, h.reduce((s, x) => s + x.requestsOut[k], 0) / load.ready / windowMin]));
    return {
      hubs: nHubs, peers, namespaces, minutes: windowMin, startSecs, load,
      datagramsPerPeerMin: dgrams / load.ready / windowMin,
      requestsPerPeerMin: reqs / load.ready / windowMin,
      requestsPerPeerMinByKind: byKind,
      bytesPerPeerMin: h.reduce((s, x) => s + x.bytesOut, 0) / load.ready / windowMin,
      datagramsPerHubSec: { mean: mean(h.map((x) => x.datagramsOut / x.secs)), max: max(h.map((x) => x.datagramsOut / x.secs)) },
      rssMiB: { mean: mean(h.map((x) => x.rssMiB)), max: max(h.map((x) => x.rssMiB)) },
      cpu: { mean: mean(h.map((x) => x.cpuShare)), max: max(h.map((x) => x.cpuShare)) },
      listensPerHub: mean(h.map((x) => x.listens)),
      pagesPerHub: mean(h.map((x) => x.pages)),
      valuesAnnouncedPerHub: mean(h.map((x) => x.valuesAnnounced)),
      pageEditsPerMin: h.reduce((s, x) => s + x.published, 0) / windowMin,
      staleRecords: h.reduce((s, x) => s + x.stale, 0),
      undeliverable: h.reduce((s, x) => s + x.undeliverable, 0),
      droppedLate: h.reduce((s, x) => s + x.droppedLate, 0),
      lostListenUpdates: h.reduce((s, x) => s + x.lostListenUpdates, 0),
      perHub: h,
    };
  } catch (e) {
    const dead = hubs.map((h, i) => [h, i]).filter(([h]) => !h.alive());
    for (const [h, i] of dead) {
      e.message += `\nhub ${i + 1} (pid ${h.pid}) ended: code ${h.child.exitCode}, signal ${h.child.signalCode}; ` +
        `stderr tail: ${h.stderr().slice(-1500)}`;
    }
    throw e;
  } finally {
    await Promise.all(hubs.map((x) => x.stop('SIGKILL')));
  }
}

const f1 = (x) => x.toFixed(1);
const f0 = (x) => x.toFixed(0);

export function tableRows(results) {
  const head = ['hubs', 'peers', 'ns', 'discovery p50/p99 ms (missed)', 'signal p50/p99 ms (lost)', 'DHT dgrams/peer/min',
    'DHT requests/peer/min', 'dgrams/s per hub (max)', 'RSS MiB per hub (max)', 'CPU % per hub (max)', 'listens per hub'];
  const rows = results.map((r) => [r.hubs, r.load.ready, r.namespaces,
    `${f1(r.load.discovery.p50_ms)} / ${f1(r.load.discovery.p99_ms)} (${r.load.discovery.missed} of ${r.load.discovery.samples + r.load.discovery.missed})`,
    `${f1(r.load.signals.p50_ms)} / ${f1(r.load.signals.p99_ms)} (${r.load.signals.lost} of ${r.load.signals.samples + r.load.signals.lost})`,
    f1(r.datagramsPerPeerMin), f1(r.requestsPerPeerMin),
    `${f0(r.datagramsPerHubSec.mean)} (${f0(r.datagramsPerHubSec.max)})`,
    `${f1(r.rssMiB.mean)} (${f1(r.rssMiB.max)})`, `${f0(r.cpu.mean * 100)} (${f0(r.cpu.max * 100)})`, f0(r.listensPerHub)]);
  return { head, rows };
}

export function markdown(results, { command, capNote }) {
  const { head, rows } = tableRows(results);
  const cpuModel = (os.cpus()[0]?.model ?? 'unknown').trim();
  let md = `Run: \`${command}\`, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ` +
    `${os.cpus().length} x ${cpuModel}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}.` +
    (capNote ? ` ${capNote}` : '') + '\n\n';
  md += `| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|\n`;
  for (const r of rows) md += `| ${r.join(' | ')} |\n`;
  return md;
}

export async function plot(results, png) {
  const dat = path.join(os.tmpdir(), `pigeonhub-scale-${process.pid}.dat`);
  writeFileSync(dat, results.map((r) => [r.hubs, r.datagramsPerPeerMin, r.requestsPerPeerMin, r.load.discovery.p50_ms,
    r.load.discovery.p99_ms, r.load.signals.p50_ms, r.load.signals.p99_ms, r.rssMiB.mean, r.rssMiB.max, r.cpu.mean * 100,
    r.cpu.max * 100].join(' ')).join('\n') + '\n');
  const p = `set terminal pngcairo size 1100,800; set output '${png}';
set multiplot layout 2,2 title 'PigeonHub mesh on loopback: ${results[0].load.ready} peers, ${results[0].namespaces} namespaces, ${results[0].load.churn_per_min * 100}% churn/min';
set grid; set xlabel 'hubs'; set xtics (${results.map((r) => r.hubs).join(',')}); set key top left;
set title 'DHT traffic per peer per minute (all hubs)'; set ylabel 'messages';
plot '${dat}' using 1:2 with linespoints title 'UDP datagrams sent', '' using 1:3 with linespoints title 'requests (OpenDHT counters)';
set title 'Cross-hub latency'; set ylabel 'ms'; set logscale y;
plot '${dat}' using 1:4 with linespoints title 'discovery p50', '' using 1:5 with linespoints dashtype 2 title 'discovery p99', '' using 1:6 with linespoints title 'signal p50', '' using 1:7 with linespoints dashtype 2 title 'signal p99';
unset logscale y;
set title 'RSS per hub'; set ylabel 'MiB'; set yrange [0:*];
plot '${dat}' using 1:8 with linespoints title 'mean', '' using 1:9 with linespoints dashtype 2 title 'max';
set title 'CPU per hub (window)'; set ylabel '% of one core';
plot '${dat}' using 1:10 with linespoints title 'mean', '' using 1:11 with linespoints dashtype 2 title 'max';
unset multiplot`;
  await new Promise((resolve, reject) => {
    const g = spawn('gnuplot', [], { stdio: ['pipe', 'inherit', 'inherit'] });
    g.on('error', reject);
    g.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`gnuplot exit ${c}`))));
    g.stdin.end(p);
  });
}

// Every size in turn; peers capped below the open-files limit. Resolves {results, capNote}.
export async function scaleRun(opts = {}, log = console.log) {
  const o = { ...defaults, ...opts };
  const limit = hardFdLimit();
  let capNote = '';
  if (o.peers > limit - FD_RESERVE) {
    capNote = `Peers capped at ${limit - FD_RESERVE} (asked ${o.peers}): the load generator holds one descriptor per peer ` +
      `and the hard open-files limit is ${limit}.`;
    log(capNote);
    o.peers = limit - FD_RESERVE;
  }
  const results = [];
  for (const n of o.hubs) {
    log(`${n} hubs: ${o.peers} peers in ${o.namespaces} namespaces, ${o.minutes} min of ${o.churn * 100}% churn per minute ...`);
    const r = await scaleOne(n, o);
    results.push(r);
    log(`  ready ${r.load.ready}, setup ${r.load.setup_seconds} s, joins ${r.load.joins}, connect failures ` +
      `${r.load.connect_failures}, closed by the hub ${r.load.unexpected_closes}; page edits ${f0(r.pageEditsPerMin)}/min, ` +
      `superseded values received ${r.staleRecords}; OpenDHT: packets dropped late ${r.droppedLate}, updates to lost listens ` +
      `${r.lostListenUpdates}; ` +
      `DHT requests/peer/min by kind ${JSON.stringify(Object.fromEntries(Object.entries(r.requestsPerPeerMinByKind).map(([k, v]) => [k, Number(v.toFixed(2))])))}`);
  }
  return { results, capNote };
}

function parseArgs(argv) {
  const o = { ...defaults, png: path.join(repoRoot, 'docs', 'scaling.png'), markdown: null, json: null };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i], v = argv[i + 1];
    if (k === '--no-plot') { o.png = null; continue; }
    if (v === undefined) throw new Error(`${k} needs a value`);
    i++;
    if (k === '--hubs') o.hubs = v.split(',').map(Number);
    else if (k === '--peers') o.peers = Number(v);
    else if (k === '--namespaces') o.namespaces = Number(v);
    else if (k === '--minutes') o.minutes = Number(v);
    else if (k === '--churn') o.churn = Number(v);
    else if (k === '--signals') o.signals = Number(v);
    else if (k === '--hub-env') { const eq = v.indexOf('='); o.hubEnv = { ...o.hubEnv, [v.slice(0, eq)]: v.slice(eq + 1) }; }
    else if (k === '--markdown') o.markdown = v;
    else if (k === '--json') o.json = v;
    else if (k === '--plot') o.png = v;
    else throw new Error(`unknown option ${k}`);
  }
  return o;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const o = parseArgs(process.argv.slice(2));
  const command = `node tools/bench/scale-run.mjs ${process.argv.slice(2).join(' ')}`.trim();
  try {
    const { results, capNote } = await scaleRun(o);
    const { head, rows } = tableRows(results);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
    console.log(`\n${head.map((h, i) => h.padEnd(widths[i])).join('  ')}`);
    for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(widths[i])).join('  '));
    if (o.json) writeFileSync(o.json, JSON.stringify({ command, date: new Date().toISOString(), capNote, results }, null, 1));
    if (o.markdown) writeFileSync(o.markdown, markdown(results, { command, capNote }));
    if (o.png) {
      try {
        await plot(results, o.png);
        console.log(`plot: ${o.png}`);
      } catch (e) {
        console.log(`no plot (${e.message}); install gnuplot-nox`);
      }
    }
  } catch (e) {
    console.error(`scale run failed: ${e.stack ?? e.message}`);
    process.exitCode = 1;
  }
  process.exit();  // hub.mjs kills every hub still alive on exit
}
