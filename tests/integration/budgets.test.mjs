// The abuse budgets of announces (README "Bounds"): ANNOUNCE_RATE / ANNOUNCE_BURST, NAMESPACE_RATE and
// MAX_PEERS_PER_NAMESPACE, each hit with its documented reply and counted in /stats and /metrics; and a
// re-announce storm, whose cost the budget bounds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, randomPeerId, waitFor } from './lib/hub.mjs';
import { connect, joined, get, settled } from './lib/client.mjs';
import { sample } from './lib/metrics.mjs';

// One announce a minute after a burst of 5, so that no token comes back while a test runs.
const BURST = 5;
let hub;
before(async () => {
  hub = await startHub({ env: { ANNOUNCE_RATE: '1', ANNOUNCE_BURST: String(BURST), NAMESPACE_RATE: '3',
    MAX_PEERS_PER_NAMESPACE: '3' } });
});
after(async () => { await hub.stop(); });

const refused = async () => (await get(`${hub.url}/stats`)).json.announcesRefused;
const metric = async (reason) =>
  sample((await get(`${hub.url}/metrics`)).text, `pigeonhub_announces_refused_total{reason="${reason}"}`);
const members = async (ns) => (await get(`${hub.url}/peers?network=${ns}`)).json.total;
const errors = (c) => c.of('error').map((m) => m.error);

test('announces over ANNOUNCE_RATE are dropped: one error a second, the members hear nothing of them', async () => {
  const before = await refused();
  const A = randomPeerId(), B = randomPeerId();
  const a = await joined(hub, A, 'rate');   // the first of a's 5 tokens
  const b = await joined(hub, B, 'rate');
  await a.next((m) => m.type === 'peer-discovered');
  for (let i = 0; i < 10; i++) a.send({ type: 'announce', networkName: 'rate', data: { peerId: A, n: i } });
  await settled(a, b);
  // Four re-announces pass (new data each: b is told), six are dropped with one error between them.
  assert.deepEqual(b.of('peer-discovered').map((m) => m.data.n), [undefined, 0, 1, 2, 3]);
  assert.deepEqual(errors(a), ['Announce rate limit exceeded: announce dropped']);
  assert.equal((await refused()).rateLimited - before.rateLimited, 6);
  assert.ok(await metric('announce_rate') >= 6);
  // The connection itself is fine: its signals still pass.
  a.send({ type: 'offer', data: { type: 'offer', sdp: 'v=0 after' }, targetPeerId: B, networkName: 'rate' });
  assert.equal((await b.next((m) => m.type === 'offer')).data.sdp, 'v=0 after');
  a.end(); b.end();
});

test('entering more than NAMESPACE_RATE namespaces a minute: an error, and the connection stays where it was', async () => {
  const before = await refused();
  const C = randomPeerId();
  const c = await connect(hub.wsUrl(C));
  for (const ns of ['hop-1', 'hop-2', 'hop-3', 'hop-4']) c.send({ type: 'announce', networkName: ns, data: { peerId: C } });
  await settled(c);
  assert.deepEqual(errors(c), ['Namespace change limit exceeded: not moved']);
  assert.equal(await members('hop-3'), 1);
  assert.equal(await members('hop-4'), 0);
  // A re-announce into its own namespace is not a move.
  c.send({ type: 'announce', networkName: 'hop-3', data: { peerId: C } });
  await settled(c);
  assert.equal(errors(c).length, 1);
  assert.equal((await refused()).namespaceRateLimited - before.namespaceRateLimited, 1);
  assert.ok(await metric('namespace_rate') >= 1);
  c.end();
});

test('beyond MAX_PEERS_PER_NAMESPACE: an error, not joined, nobody told; a place freed is taken', async () => {
  const before = await refused();
  const ids = [randomPeerId(), randomPeerId(), randomPeerId()];
  const first = [];
  for (const id of ids) first.push(await joined(hub, id, 'full'));
  const D = randomPeerId();
  const d = await joined(hub, D, 'elsewhere');
  d.send({ type: 'announce', networkName: 'full', data: { peerId: D } });
  await settled(d, ...first);
  assert.deepEqual(errors(d), ['Namespace full: not joined']);
  assert.equal(d.of('peer-discovered').length, 0);
  for (const c of first) assert.ok(!c.of('peer-discovered').some((m) => m.data.peerId === D), 'no member heard of D');
  assert.equal(await members('full'), 3);
  assert.equal(await members('elsewhere'), 1, 'D stays in its namespace');
  assert.equal((await refused()).namespaceFull - before.namespaceFull, 1);
  assert.ok(await metric('namespace_full') >= 1);

  first[0].end();
  await waitFor(async () => (await members('full')) === 2, { what: 'a member gone' });
  d.send({ type: 'announce', networkName: 'full', data: { peerId: D } });
  await waitFor(() => d.of('peer-discovered').length === 2, { what: 'D joined and learned both members' });
  assert.equal(await members('full'), 3);
  for (const c of [...first, d]) c.end();
});

test('a re-announce storm costs the hub at most the budget: 20 sockets x 100 re-announces', async () => {
  const N = 20, REPEATS = 100;
  const stormHub = await startHub({ env: { ANNOUNCE_RATE: '1', ANNOUNCE_BURST: String(BURST) } });
  try {
    const ids = Array.from({ length: N }, () => randomPeerId());
    const storm = [];
    for (const id of ids) storm.push(await joined(stormHub, id, 'storm'));
    await waitFor(() => storm.every((c) => c.of('peer-discovered').length === N - 1), { what: 'the storm namespace formed' });
    const stats0 = (await get(`${stormHub.url}/stats`)).json;
    const t0 = performance.now();
    for (let r = 0; r < REPEATS; r++)
      storm.forEach((c, i) => c.send({ type: 'announce', networkName: 'storm', data: { peerId: ids[i] } }));
    await settled(...storm);
    const seconds = (performance.now() - t0) / 1000;
    const stats = (await get(`${stormHub.url}/stats`)).json;
    // Each socket's re-announces within its burst (its join took one token) are answered with the member list, as
    // the reference does; the rest are dropped. Without the budget: N * REPEATS * (N - 1) = 38,000 peer-discovered.
    const allowed = N * (BURST - 1);
    assert.equal(stats.announcesRefused.rateLimited - stats0.announcesRefused.rateLimited, N * REPEATS - allowed);
    assert.equal(stats.messages.peerDiscoveredSent - stats0.messages.peerDiscoveredSent, allowed * (N - 1));
    for (const c of storm) {
      const n = errors(c).length;
      assert.ok(n >= 1 && n <= Math.ceil(seconds) + 1, `${n} errors in ${seconds.toFixed(1)} s: at most one a second`);
    }
    for (const c of storm) c.end();
  } finally {
    await stormHub.stop();
  }
});
