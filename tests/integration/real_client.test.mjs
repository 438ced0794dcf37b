// Two real PeerPigeonMesh clients (npm peerpigeon 1.1.3) connect to pigeonhubd, discover each other, open a
// real WebRTC data channel (@roamhq/wrtc, loopback host candidates only) and exchange messages both ways.
// HUB=reference runs the same test against the PeerPigeon reference hub.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, startReferenceHub, startMesh } from './lib/hub.mjs';
import { createMesh, waitEvent } from './lib/peerpigeon.mjs';

let hub;
const meshes = [];
const deadline = setTimeout(() => { console.error('real client test: overall timeout'); process.exit(1); }, 90000);

before(async () => { hub = process.env.HUB === 'reference' ? await startReferenceHub() : await startHub(); });
after(async () => {
  for (const m of meshes) { try { m.disconnect(); } catch {} }
  await hub.stop();
  clearTimeout(deadline);
  // @roamhq/wrtc keeps native threads alive; the test is over, so leave explicitly.
  setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();
});

async function pairExchange(networkName, urlA = `ws://127.0.0.1:${hub.port}`, urlB = urlA) {
  const opts = networkName ? { networkName } : {};
  const a = await createMesh(opts);
  const b = await createMesh(opts);
  meshes.push(a, b);

  const aFound = waitEvent(a, 'peerDiscovered', (e) => e.peerId === b.peerId);
  const bFound = waitEvent(b, 'peerDiscovered', (e) => e.peerId === a.peerId);
  const aConn = waitEvent(a, 'peerConnected', (e) => e.peerId === b.peerId);
  const bConn = waitEvent(b, 'peerConnected', (e) => e.peerId === a.peerId);
  await a.connect(urlA);
  await b.connect(urlB);
  await Promise.all([aFound, bFound]);
  await Promise.all([aConn, bConn]);

  const toB = `hello b from a (${networkName ?? 'global'})`;
  const gotB = waitEvent(b, 'messageReceived', (m) => m.content === toB);
  await a.sendDirectMessage(b.peerId, toB);
  const mb = await gotB;
  assert.equal(mb.from, a.peerId);

  const toA = `hello a from b (${networkName ?? 'global'})`;
  const gotA = waitEvent(a, 'messageReceived', (m) => m.content === toA);
  await b.sendDirectMessage(a.peerId, toA);
  const ma = await gotA;
  assert.equal(ma.from, b.peerId);

  a.disconnect();
  b.disconnect();
}

test('two PeerPigeonMesh clients in a named network exchange messages over WebRTC', async () => {
  await pairExchange('realclient-test');
});

test('the same in the default global network', async () => {
  await pairExchange(undefined);
});

test('two clients on different hubs of one DHT mesh exchange messages over WebRTC', { skip: process.env.HUB === 'reference' }, async () => {
  const [h1, h2] = await startMesh(2);
  try {
    await pairExchange('cross-hub', `ws://127.0.0.1:${h1.port}`, `ws://127.0.0.1:${h2.port}`);
  } finally {
    await h1.stop();
    await h2.stop();
  }
});

test('the hub is healthy afterwards', async () => {
  const r = await fetch(`${hub.url}/health`);
  assert.equal(r.status, 200);
  assert.equal((await r.json()).status, 'healthy');
});
