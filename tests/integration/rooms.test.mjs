// Many two-peer rooms across a two-hub CA mesh (issue 14, target 4): one member of each pair on each hub, so that
// every discovery goes through the DHT as a presence page (a plain value signed with the hub's Ed25519 page key,
// docs/MESH.md). Every pair must discover each other, nothing may leak between rooms, no page may be refused, and
// an offer must still cross the mesh inside a room. The load generator's `rooms` mode measures the same at scale
// (tools/bench/rooms-bench.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMesh, randomPeerId, waitFor } from './lib/hub.mjs';
import { joined, get, settled } from './lib/client.mjs';

const PAIRS = 150;
let h1, h2;
before(async () => { [h1, h2] = await startMesh(2); });
after(async () => { for (const h of [h1, h2]) await h?.stop('SIGKILL'); });

const stats = async (h) => (await get(`${h.url}/stats`)).json.mesh;

test(`${PAIRS} two-peer rooms across two hubs: every pair discovers each other, and only each other`, async () => {
  const pairs = Array.from({ length: PAIRS }, (_, i) => ({ room: `room-${i}`, a: randomPeerId(), b: randomPeerId() }));
  const t0 = Date.now();
  // All at once, as a crowd arrives: the first of each pair on hub 1, the second on hub 2.
  const clients = await Promise.all(pairs.map(async (p) => {
    const [a, b] = await Promise.all([joined(h1, p.a, p.room), joined(h2, p.b, p.room)]);
    return { ...p, ca: a, cb: b };
  }));
  const heard = (client, id) => client.next((m) => m.type === 'peer-discovered' && m.data.peerId === id, 15000);
  await Promise.all(clients.map(async (p) => { await heard(p.ca, p.b); await heard(p.cb, p.a); }));
  console.log(`${PAIRS} rooms: every pair discovered each other across the mesh after ${Date.now() - t0} ms`);

  await settled(...clients.flatMap((p) => [p.ca, p.cb]));
  for (const p of clients) {
    assert.deepEqual(p.ca.of('peer-discovered').map((m) => m.data.peerId), [p.b], `${p.room}: hub 1's member heard only its partner`);
    assert.deepEqual(p.cb.of('peer-discovered').map((m) => m.data.peerId), [p.a], `${p.room}: hub 2's member heard only its partner`);
  }
  for (const h of [h1, h2]) {
    const m = await stats(h);
    assert.equal(m.refused.badSignature, 0, 'every page verified with its hub\'s page key');
    assert.equal(m.recordsInvalid, 0);
  }

  // Inside a room, an offer crosses the mesh to the partner.
  const p = clients[PAIRS - 1];
  p.ca.send({ type: 'offer', data: { sdp: 'rooms' }, targetPeerId: p.b, networkName: p.room });
  assert.equal((await p.cb.next((m) => m.type === 'offer' && m.data.sdp === 'rooms', 5000)).fromPeerId, p.a);

  // A departure reaches the partner on the other hub, and the rooms' pages are withdrawn.
  p.ca.end();
  await p.cb.next((m) => m.type === 'peer-disconnected' && m.data.peerId === p.a, 5000);
  for (const c of clients) { c.ca.end(); c.cb.end(); }
  await waitFor(async () => (await get(`${h1.url}/health`)).json.remotePeers === 0, { timeoutMs: 10000, what: 'hub 1 to forget hub 2\'s peers' });
});
