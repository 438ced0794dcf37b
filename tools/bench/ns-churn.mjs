// Namespace churn (issue 15): one socket walks N namespace names on a hub (alone, or hub 1 of a 2-hub CA mesh), then
// leaves; prints the hub's RSS at start, at the end of the walk and every 5 s for a while after, and its /stats mesh
// figures. Compare MESH_NAMESPACE_BUCKETS=0 (a presence key per namespace) with the default.
//
//   node tools/bench/ns-churn.mjs [--names N] [--buckets K] [--mesh] [--after S] [--heaptrack FILE_PREFIX] [--gdb-trim]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startHub, startMesh, randomPeerId, readRssKiB } from '../../tests/integration/lib/hub.mjs';
import { connect, get, sleep, walkNamespaces } from '../../tests/integration/lib/client.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const names = Number(opt('--names', 10000));
const after = Number(opt('--after', 60));
const env = { MESSAGE_RATE: '0', ANNOUNCE_RATE: '0', NAMESPACE_RATE: '0' };
if (args.includes('--buckets')) env.MESH_NAMESPACE_BUCKETS = opt('--buckets');
const heaptrack = opt('--heaptrack', null);
const prefix = heaptrack ? ['heaptrack', '-o', heaptrack] : [];

const hubs = args.includes('--mesh') ? await startMesh(2, { env }) : [await startHub({ env, prefix })];
const hub = hubs[0];
// Under heaptrack the PID is heaptrack's (a shell script that runs the hub as its child): RSS is the hub's own.
const hubChild = (p) => readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).map(Number)
  .find((c) => readFileSync(`/proc/${c}/comm`, 'utf8').trim() === 'pigeonhubd');
const pid = heaptrack ? hubChild(hub.pid) : hub.pid;
try {
  const P = randomPeerId();
  const c = await connect(hub.wsUrl(P));
  c.send({ type: 'announce', networkName: 'walk-start', data: { peerId: P } });
  await c.next((m) => m.type === 'connected');
  await sleep(1000);
  const start = readRssKiB(pid);
  const ms = await walkNamespaces(c, P, Array.from({ length: names }, (_, i) => `walk-${i}`));
  const walked = readRssKiB(pid);
  const m = (await get(`${hub.url}/stats`)).json.mesh;
  c.end();
  console.log(`${names} names in ${(ms / 1000).toFixed(1)} s (buckets ${env.MESH_NAMESPACE_BUCKETS ?? 'default'}${hubs.length > 1 ? ', 2-hub mesh' : ''}); ` +
    `RSS start ${start} KiB, after the walk ${walked} KiB (+${walked - start}); dhtListensActive ${m.dhtListensActive}`);
  for (let t = 5; t <= after; t += 5) {
    await sleep(5000);
    const rss = readRssKiB(pid);
    console.log(`  +${t} s: RSS ${rss} KiB (+${rss - start} over start)`);
  }
  if (args.includes('--gdb-trim')) {  // how much of it is free heap glibc keeps: malloc_trim(0) through gdb
    spawnSync('gdb', ['-p', String(pid), '-batch', '-ex', 'call (int)malloc_trim(0)'], { stdio: 'ignore' });
    const rss = readRssKiB(pid);
    console.log(`  after malloc_trim(0): RSS ${rss} KiB (+${rss - start} over start)`);
  }
} finally {
  if (heaptrack) {  // killed: heaptrack's "leaked" is what the hub held at the end; then heaptrack writes its file
    process.kill(pid, 'SIGKILL');
    await hub.stop('SIGTERM', 30000);
  }
  for (const h of hubs) await h.stop('SIGKILL');
}
process.exit(0);
