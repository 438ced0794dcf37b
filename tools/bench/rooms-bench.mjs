// Many small rooms (issue 14, target 4): N peers into N/2 namespaces of two, driven by
// `build/pigeonhub-loadgen rooms`. Measures joins/s until every pair discovered each other, the hub's CPU per join
// (CPU seconds from /proc/PID/stat, counted until 2 s after the last discovery so that work queued behind the joins,
// such as signing presence pages, is included) and RSS per announced peer ((RSS while connected - RSS at start) / N).
//
// Setups: `pigeonhubd` (the default single-node hub), `pigeonhubd, 2-hub CA mesh` (every peer on hub 1, a member of
// a two-hub CA mesh, so that pages really go through the DHT: stored on the other node, listened to),
// `pigeonhubd, 2-hub CA mesh, pairs split` (one member of each pair on each hub: discovery crosses the mesh; CPU and
// RSS are both hubs' sums) and `reference` (PeerPigeon 1.1.3's hub).
//
//   node tools/bench/rooms-bench.mjs [--quick] [--peers N] [--buckets K] [--setup NAME]...
//   (alone; run.mjs uses roomsBench; --buckets sets the hubs' MESH_NAMESPACE_BUCKETS)
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHub, startMesh, startReferenceHub, repoRoot, readRssKiB, readCpuSeconds as cpuSeconds } from '../../tests/integration/lib/hub.mjs';

const loadgen = process.env.LOADGEN || path.join(repoRoot, 'build', 'pigeonhub-loadgen');
const SETTLE_MS = 2000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


const HUB_ENV = { MAX_CONNECTIONS: '200000', MESSAGE_RATE: '0', NODE_ENV: 'production' };
export const SETUPS = {
  pigeonhubd: async () => ({ hubs: [await startHub({ env: HUB_ENV })], split: false }),
  'pigeonhubd, 2-hub CA mesh': async () => ({ hubs: await startMesh(2, { env: HUB_ENV }), split: false }),
  'pigeonhubd, 2-hub CA mesh, pairs split': async () => ({ hubs: await startMesh(2, { env: HUB_ENV }), split: true }),
  reference: async () => ({ hubs: [await startReferenceHub({ maxConnections: 200000 })], split: false }),
};

// Resolves with the loadgen's JSON line while it keeps holding its peers; `stop()` ends it.
function runRooms(argv, timeoutMs = 120000) {
  return new Promise((resolve, reject) => {
    const child = spawn(loadgen, ['rooms', ...argv, '--hold', '60'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('loadgen rooms timed out')); }, timeoutMs);
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) { clearTimeout(timer); resolve({ result: JSON.parse(line), stop: () => child.kill('SIGKILL') }); }
    });
    child.on('exit', () => { clearTimeout(timer); reject(new Error('loadgen rooms exited without a result')); });
  });
}

// One run: {setup, peers, rooms, joinsPerS, complete, pairsComplete, cpuS, cpuUsPerJoin, rssKiBPerPeer, rss0KiB, rssKiB}.
export async function roomsBench(setup, { peers = 10000 } = {}) {
  const { hubs, split } = await SETUPS[setup]();
  try {
    await sleep(300);
    const pids = hubs.map((h) => h.pid);
    const measured = split ? pids : [pids[0]];
    const sum = (f) => measured.reduce((s, pid) => s + f(pid), 0);
    const cpu0 = sum(cpuSeconds), rss0 = sum(readRssKiB);
    const argv = ['--port', String(hubs[0].port), '--conns', String(peers)];
    if (split) argv.push('--port2', String(hubs[1].port));
    const { result, stop } = await runRooms(argv);
    try {
      await sleep(SETTLE_MS);
      const cpu = sum(cpuSeconds) - cpu0, rss = sum(readRssKiB);
      return {
        setup, peers: result.peers, rooms: result.rooms, joinsPerS: Math.round(result.joins_per_s),
        complete: result.complete, pairsComplete: result.pairs_complete, seconds: result.seconds,
        cpuS: cpu, cpuUsPerJoin: (cpu * 1e6) / result.opened, rss0KiB: rss0, rssKiB: rss,
        rssKiBPerPeer: (rss - rss0) / result.peers,
      };
    } finally {
      stop();
    }
  } finally {
    for (const h of hubs) await h.stop('SIGKILL');
  }
}

export function describe(r) {
  return `${r.joinsPerS} joins/s, ${r.complete ? 'every pair discovered each other' : `only ${r.pairsComplete}/${r.rooms} pairs complete`}; ` +
    `hub CPU ${r.cpuUsPerJoin.toFixed(0)} us/join; ${r.rssKiBPerPeer.toFixed(2)} KiB RSS per announced peer`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const peers = args.includes('--peers') ? Number(args[args.indexOf('--peers') + 1]) : quick ? 2000 : 10000;
  if (args.includes('--buckets')) HUB_ENV.MESH_NAMESPACE_BUCKETS = args[args.indexOf('--buckets') + 1];
  const chosen = args.flatMap((a, i) => (a === '--setup' ? [args[i + 1]] : []));
  for (const setup of chosen.length ? chosen : Object.keys(SETUPS)) {
    const r = await roomsBench(setup, { peers });
    console.log(`${setup.padEnd(40)} ${describe(r)}  (CPU ${r.cpuS.toFixed(2)} s, RSS ${(r.rss0KiB / 1024).toFixed(1)} -> ${(r.rssKiB / 1024).toFixed(1)} MiB)`);
  }
  process.exit(0);
}
