// An unchanged PeerPigeon 1.1.3 client gains failover through the pigeonhub WebSocket wrapper
// (installFailoverWebSocket): a real PeerPigeonMesh connected to h1 of three hubs, h1 killed (SIGKILL), the mesh's
// own reconnect goes to another hub of the list, where it announces and is rediscovered by a peer on h3.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMesh, randomPeerId } from './lib/hub.mjs';
import { connect } from './lib/client.mjs';
import { createMesh } from './lib/peerpigeon.mjs';
import { installFailoverWebSocket } from '../../clients/js/index.js';

const NET = 'js-peerpigeon';
let hubs;
let mesh;
let installed;
const deadline = setTimeout(() => { console.error('js_client_peerpigeon: overall timeout'); process.exit(1); }, 60000);

before(async () => { hubs = await startMesh(3); });

after(async () => {
  try { mesh?.disconnect(); } catch {}
  installed?.uninstall();
  for (const h of hubs ?? []) await h.stop('SIGKILL');
  clearTimeout(deadline);
  setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();
});

test('PeerPigeonMesh through the wrapper: h1 killed, its reconnect lands on a live hub and is rediscovered', async () => {
  const list = hubs.map((h) => `ws://127.0.0.1:${h.port}`);
  installed = await installFailoverWebSocket({ hubs: list });
  assert.equal(globalThis.WebSocket, installed.WebSocket);

  mesh = await createMesh({ networkName: NET });
  await mesh.connect(list[0]);
  const bId = randomPeerId();
  const b = await connect(hubs[2].wsUrl(bId));
  b.send({ type: 'announce', networkName: NET, data: { peerId: bId } });
  await b.next((m) => m.type === 'peer-discovered' && m.data.peerId === mesh.peerId, 10000);
  assert.match(mesh.signalingClient.websocket.pigeonhubTarget, new RegExp(`^${list[0]}/`));

  const since = b.frames.length;
  const t0 = performance.now();
  await hubs[0].stop('SIGKILL');
  // PeerPigeon waits 1 s before its first reconnect (no jitter); the wrapper only picks where it goes.
  await b.next((m) => m.type === 'peer-discovered' && m.data.peerId === mesh.peerId, 8000, since);
  const ms = performance.now() - t0;
  const target = mesh.signalingClient.websocket.pigeonhubTarget;
  console.log(`PeerPigeon failover through the wrapper: reconnected to ${target.split('/?')[0]} and rediscovered after ${ms.toFixed(0)} ms`);
  assert.ok(target.startsWith(`${list[1]}/`) || target.startsWith(`${list[2]}/`), target);
  assert.ok(installed.downUntil.get(list[0]) > Date.now(), 'h1 is marked down');
  b.end();
});
