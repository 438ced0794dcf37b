// Namespace churn (issue 15): a hub's DHT listen state must not grow with the number of namespace names clients
// walk through. OpenDHT 2.4.12 keeps a key's search for about an hour after its last listen is cancelled, so
// presence pages live under one key per bucket of namespaces (MESH_NAMESPACE_BUCKETS, docs/MESH.md): one socket
// walks N names, and the hub's RSS comes back to within 5 MB of where it started. And presence still works across
// two hubs in a namespace that was emptied and re-joined (the listen cancelled and taken again), and between
// namespaces that share a key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMesh, randomPeerId, waitFor, readRssKiB, sanitized } from './lib/hub.mjs';
import { connect, joined, get, settled, walkNamespaces } from './lib/client.mjs';
import { namespaceBucket } from './lib/rogue.mjs';

const NAMES = 10000;
const BUCKETS = 256;  // the hubs' default MESH_NAMESPACE_BUCKETS
const meshStats = async (h) => (await get(`${h.url}/stats`)).json.mesh;
const discovered = (c, id) => c.next((m) => m.type === 'peer-discovered' && m.data.peerId === id, 5000);
const disconnected = (c, id) => c.next((m) => m.type === 'peer-disconnected' && m.data.peerId === id, 5000);

let h1, h2;
before(async () => { [h1, h2] = await startMesh(2, { env: { MESSAGE_RATE: '0', ANNOUNCE_RATE: '0', NAMESPACE_RATE: '0' } }); });
after(async () => { for (const h of [h1, h2]) await h?.stop('SIGKILL'); });

test('a namespace emptied on both hubs and re-joined is discovered both ways again', async () => {
  const A = randomPeerId(), B = randomPeerId();
  let a = await joined(h1, A, 'again');
  let b = await joined(h2, B, 'again');
  await discovered(a, B);
  await discovered(b, A);
  a.end(); b.end();
  await waitFor(async () => (await meshStats(h1)).presencePages === 0 && (await meshStats(h2)).presencePages === 0,
    { timeoutMs: 5000, intervalMs: 20, what: 'both hubs to withdraw their pages' });
  const C = randomPeerId(), D = randomPeerId();
  const c = await joined(h1, C, 'again');
  const d = await joined(h2, D, 'again');
  await discovered(c, D);
  await discovered(d, C);
  // Emptied on one hub only, while the other keeps a member: the re-joined side hears it again, and is heard.
  c.end();
  await disconnected(d, C);
  const E = randomPeerId();
  const e = await joined(h1, E, 'again');
  await discovered(e, D);
  await discovered(d, E);
  assert.equal(d.of('peer-discovered').filter((m) => m.data.peerId === A).length, 0,
    'no peer of before the namespace emptied on both hubs');
  d.end(); e.end();
});

test('namespaces that share a presence key stay apart; one joined later gets the pages the key holds', async () => {
  // Two names in one bucket (mesh::namespace_bucket): a hub listening to the key for one of them hears the other's
  // pages and ignores them; when it gets a member in the other, the pages it ignored are looked up.
  const first = 'shared-0';
  let second = null;
  for (let i = 1; !second; i++) if (namespaceBucket(`shared-${i}`, BUCKETS) === namespaceBucket(first, BUCKETS)) second = `shared-${i}`;
  const B = randomPeerId(), A = randomPeerId(), C = randomPeerId();
  const b = await joined(h2, B, second);
  const before1 = await meshStats(h1);
  const a = await joined(h1, A, first);
  await waitFor(async () => (await meshStats(h1)).recordsOtherNamespace > before1.recordsOtherNamespace,
    { timeoutMs: 5000, intervalMs: 20, what: `hub 1 to hear ${second}'s page on ${first}'s key` });
  await settled(a);
  assert.equal(a.of('peer-discovered').length, 0, 'nothing from the other namespace of the bucket');
  const c = await joined(h1, C, second);
  await discovered(c, B);
  await discovered(b, C);
  await settled(b);
  assert.equal(b.of('peer-discovered').filter((m) => m.data.peerId === A).length, 0);
  assert.equal((await meshStats(h1)).recordsInvalid, before1.recordsInvalid);
  a.end(); b.end(); c.end();
});

test(`${NAMES} namespace names through one socket: DHT listens bounded, RSS back within 5 MB`, async () => {
  const P = randomPeerId();
  const s = await connect(h1.wsUrl(P));
  s.send({ type: 'announce', networkName: 'walk-start', data: { peerId: P } });
  await s.next((m) => m.type === 'connected');
  await settled(s);
  const start = readRssKiB(h1.pid);
  const walkMs = await walkNamespaces(s, P, Array.from({ length: NAMES }, (_, i) => `walk-${i}`));
  const walked = await (await get(`${h1.url}/stats`)).json;
  s.end();
  // The last namespace empties; its tombstone lives one lease (30 s), superseded pages expire within it, and the
  // hub's memory trim runs a few checks after namespaces stop emptying.
  // OpenDHT listens: the presence keys of at most BUCKETS buckets, plus the hubs key, the inbox and the bootstrap
  // announcements.
  assert.ok(walked.mesh.dhtListenKeys <= BUCKETS + 3, `OpenDHT listens after the walk: ${walked.mesh.dhtListenKeys}`);
  let rss = Infinity;
  const t1 = performance.now();
  await waitFor(async () => {
    rss = readRssKiB(h1.pid);
    return sanitized || rss - start < 5 * 1024;  // (ASan's quarantine keeps what was freed: lib/hub.mjs)
  }, { timeoutMs: 60000, intervalMs: 500, what: 'RSS back within 5 MB' }).catch((e) => {
    assert.fail(`${e.message}: started at ${start} KiB, now ${rss} KiB; at the end of the walk: ${JSON.stringify(walked.mesh)}`);
  });
  console.log(`# walk ${NAMES} names: ${walkMs.toFixed(0)} ms; RSS start ${start} KiB, after ${rss} KiB ` +
    `(+${rss - start} KiB) ${((performance.now() - t1) / 1000).toFixed(1)} s after; OpenDHT listens ` +
    `${walked.mesh.dhtListenKeys} at the end of the walk`);
});
