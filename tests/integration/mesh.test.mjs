// Several real pigeonhubd processes joined in one OpenDHT network on loopback: peers on different hubs
// behave as if they were on one hub; a killed hub's peers disappear within one lease.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, startMesh, randomPeerId, waitFor, dhtPort, tempStateDir, meshCa } from './lib/hub.mjs';
import { joined, get, sleep, settled } from './lib/client.mjs';

let hubs;
before(async () => { hubs = await startMesh(3); });
after(async () => { for (const h of hubs) await h.stop('SIGKILL'); });

const health = async (h) => (await get(`${h.url}/health`)).json;

test('discovery both ways across three hubs, within the namespace only', async () => {
  const [h1, h2, h3] = hubs;
  const A = randomPeerId(), B = randomPeerId(), C = randomPeerId(), D = randomPeerId();
  const a = await joined(h1, A, 'm1', { peerId: A, nick: 'a' });
  const d = await joined(h2, D, 'm2');
  const t0 = Date.now();
  const b = await joined(h2, B, 'm1');
  const c = await joined(h3, C, 'm1');
  const seen = async (client, id) => client.next((m) => m.type === 'peer-discovered' && m.data.peerId === id, 5000);
  const bSawA = await seen(b, A);
  console.log(`cross-hub discovery latency: ${Date.now() - t0} ms (B and C joined, B learned A)`);
  assert.deepEqual(bSawA.data, { peerId: A, isHub: false, nick: 'a' });
  assert.equal(bSawA.networkName, 'm1');
  assert.equal(bSawA.targetPeerId, B);
  await seen(a, B);
  await seen(a, C);
  await seen(c, A);
  await seen(c, B);
  await seen(b, C);
  await settled(d);  // hub 2 has handled m1's pages (b heard them): a leak to d would be in by now
  assert.equal(d.of('peer-discovered').length, 0, 'nothing from m1 reaches m2');
  for (const x of [a, b, c, d]) x.end();
});

test('offer, answer and ICE across hubs keep the original sender; other namespaces are refused', async () => {
  const [h1, h2] = hubs;
  const A = randomPeerId(), B = randomPeerId(), E = randomPeerId();
  const a = await joined(h1, A, 'sig');
  const b = await joined(h2, B, 'sig');
  const e = await joined(h2, E, 'other');
  await a.next((m) => m.type === 'peer-discovered' && m.data.peerId === B, 5000);
  const times = [];
  const ROUNDS = 200;
  for (let i = 0; i < ROUNDS; i++) {
    const t = process.hrtime.bigint();
    a.send({ type: 'offer', data: { type: 'offer', sdp: `v=0 ${i}` }, targetPeerId: B, networkName: 'sig', fromPeerId: E });
    const o = await b.next((m) => m.type === 'offer' && m.data.sdp === `v=0 ${i}`, 5000);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    assert.equal(o.fromPeerId, A, 'fromPeerId is the real sender, across hubs too');
    assert.equal(o.targetPeerId, B);
    assert.equal(o.networkName, 'sig');
  }
  times.sort((x, y) => x - y);
  const q = (f) => times[Math.min(times.length - 1, Math.floor(f * times.length))].toFixed(2);
  console.log(`cross-hub offer delivery: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms (${ROUNDS} sequential offers)`);
  b.send({ type: 'answer', data: { type: 'answer', sdp: 'v=0 answer' }, targetPeerId: A, networkName: 'sig' });
  assert.equal((await a.next((m) => m.type === 'answer', 5000)).fromPeerId, B);
  // A burst keeps its order across hubs, although every signal travels as its own DHT put.
  const since = a.frames.length;
  for (let i = 0; i < 50; i++) {
    b.send({ type: 'ice-candidate', data: { candidate: `candidate:${i} 1 udp 1 127.0.0.1 9 typ host`, sdpMid: '0' }, targetPeerId: A, networkName: 'sig' });
  }
  await a.next((m) => m.type === 'ice-candidate' && m.data.candidate.startsWith('candidate:49 '), 5000, since);
  const order = a.frames.slice(since).map((f) => f.json).filter((m) => m?.type === 'ice-candidate').map((m) => Number(m.data.candidate.split(/[: ]/)[1]));
  assert.deepEqual(order, Array.from({ length: 50 }, (_, i) => i));
  // E (namespace "other") cannot reach A, whether it claims its own namespace or A's.
  e.send({ type: 'offer', data: { sdp: 'x' }, targetPeerId: A, networkName: 'other' });
  e.send({ type: 'offer', data: { sdp: 'x' }, targetPeerId: A, networkName: 'sig' });
  assert.equal(await a.none((f) => f.json?.type === 'offer', 500), true);
  for (const x of [a, b, e]) x.end();
});

test('goodbye and disconnect on one hub reach the other hubs at once (no lease wait)', async () => {
  const [h1, h2] = hubs;
  const A = randomPeerId(), B = randomPeerId(), C = randomPeerId();
  const a = await joined(h1, A, 'bye');
  const b = await joined(h2, B, 'bye');
  const c = await joined(h2, C, 'bye');
  await a.next((m) => m.type === 'peer-discovered' && m.data.peerId === C, 5000);
  b.send({ type: 'goodbye', data: { peerId: B } });
  const t0 = Date.now();
  await a.next((m) => m.type === 'peer-disconnected' && m.data.peerId === B, 5000);
  c.end();
  await a.next((m) => m.type === 'peer-disconnected' && m.data.peerId === C, 5000);
  console.log(`cross-hub departure notice: ${Date.now() - t0} ms`);
  // A newcomer is not told about departed peers.
  const n = await joined(h1, randomPeerId(), 'bye');
  await settled(n);  // a newcomer hears of remote peers from its hub's directory, at once
  assert.deepEqual(n.of('peer-discovered').map((m) => m.data.peerId), [A], `A=${A} B=${B} C=${C}`);
  // Hub 2's page for 'bye' was withdrawn (emptied); filled again, it is a new record that others hear of.
  const D = randomPeerId();
  const d = await joined(h2, D, 'bye');
  await a.next((m) => m.type === 'peer-discovered' && m.data.peerId === D, 5000);
  await n.next((m) => m.type === 'peer-discovered' && m.data.peerId === D, 5000);
  for (const x of [a, b, d, n]) x.end();
});

test('a client claiming to be a hub gains nothing across hubs', async () => {
  const [h1, h2] = hubs;
  const A = randomPeerId(), F = randomPeerId();
  const a = await joined(h1, A, 'fake');
  const f = await joined(h2, F, 'fake', { peerId: F, isHub: true });
  const seen = await a.next((m) => m.type === 'peer-discovered' && m.data.peerId === F, 5000);
  assert.equal(seen.data.isHub, false);
  const hubList = (await get(`${h1.url}/hubs`)).json.hubs.map((h) => h.hubId);
  assert.equal(hubList.length, 3);
  assert.ok(!hubList.includes(F));
  a.end(); f.end();
});

test('/hubs lists every live hub from the DHT; /health reports the DHT', async () => {
  const ids = [];
  for (const h of hubs) {
    const j = await health(h);
    assert.equal(j.dhtReady, true);
    assert.match(j.dhtNodeId, /^[0-9a-f]{40}$/);
    assert.ok(j.dhtGoodNodes >= 1);
    ids.push(j.nodeId);
  }
  for (const h of hubs) {
    const list = await waitFor(async () => {
      const l = (await get(`${h.url}/hubs`)).json;
      return l.totalHubs === 3 ? l : false;
    }, { timeoutMs: 5000, what: '3 hubs in /hubs' });
    assert.deepEqual(new Set(list.hubs.map((x) => x.hubId)), new Set(ids));
    assert.equal(list.hubs.filter((x) => x.self).length, 1);
    assert.equal((await get(`${h.url}/stats`)).json.hubs, 3, '/stats counts the hubs of the mesh');
  }
});

test('/health answers 503 when the DHT stays disconnected past the grace period', async () => {
  const lonely = await startHub({ env: { ...meshCa().env, DHT_BOOTSTRAP: '127.0.0.1:9', DHT_UNREADY_GRACE: '1000' } });  // nobody there
  try {
    const first = await get(`${lonely.url}/health`);
    assert.equal(first.json.dhtReady, false);
    await waitFor(async () => (await get(`${lonely.url}/health`)).status === 503, { timeoutMs: 5000, what: '503' });
    // And it stays so (the first readiness tick, 1 s after start, once restarted the count from zero).
    for (let i = 0; i < 15; i++) {
      const h = await get(`${lonely.url}/health`);
      assert.equal(h.status, 503);
      assert.equal(h.json.status, 'unhealthy');
      await sleep(100);
    }
  } finally {
    await lonely.stop();
  }
});

test('with MESH_CA a hub starts only with an identity that CA issued', async () => {
  const { spawnSync } = await import('node:child_process');
  const { hubBinary } = await import('./lib/hub.mjs');
  const root = tempStateDir();
  const run = (...args) => spawnSync(hubBinary, args, { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: root } });
  assert.equal(run('--mesh-ca-init', `${root}/ca`).status, 0);
  assert.equal(run('--mesh-ca-init', `${root}/ca`).status, 1, 'an existing CA is never replaced');
  assert.equal(run('--mesh-ca-issue', `${root}/ca`, '--state-dir', `${root}/member`).status, 0);
  const member = await startHub({ env: { STATE_DIR: `${root}/member`, MESH_CA: `${root}/ca/ca.crt` } });
  assert.equal((await health(member)).status, 'healthy');
  await member.stop();
  // A hub whose identity the CA did not issue (here: one it made itself) refuses to start, and says how to fix it.
  const self = tempStateDir();
  await (await startHub({ env: { STATE_DIR: self } })).stop();
  await assert.rejects(startHub({ env: { STATE_DIR: self, MESH_CA: `${root}/ca/ca.crt` } }),
    /exited early \(code 2[\s\S]*does not chain[\s\S]*--mesh-ca-issue/);
});

test('a restarted hub keeps its identity', async () => {
  const dir = (await import('./lib/hub.mjs')).tempStateDir();
  const first = await startHub({ env: { STATE_DIR: dir } });
  const id1 = (await health(first)).nodeId;
  await first.stop();
  const second = await startHub({ env: { STATE_DIR: dir } });
  assert.equal((await health(second)).nodeId, id1);
  await second.stop();
});

test('a hub restarted under the same identity is discovered and reachable again at once', async () => {
  const h2 = hubs[1];
  const env = { ...meshCa().env, STATE_DIR: tempStateDir(), DHT_BOOTSTRAP: `127.0.0.1:${await dhtPort(h2)}` };
  const first = await startHub({ env });
  await waitFor(async () => (await health(first)).dhtReady, { what: 'the hub to join' });
  const A = randomPeerId(), B = randomPeerId(), B2 = randomPeerId();
  const a = await joined(h2, A, 'restart');
  const b = await joined(first, B, 'restart');
  await a.next((m) => m.type === 'peer-discovered' && m.data.peerId === B, 5000);
  a.send({ type: 'offer', data: { sdp: 'before' }, targetPeerId: B, networkName: 'restart' });
  await b.next((m) => m.type === 'offer' && m.data.sdp === 'before', 5000);  // hub 2 now holds a link key for it
  await first.stop('SIGKILL');
  b.end();
  const second = await startHub({ env });  // same identity; new process: no link keys, new record value ids
  hubs.push(second);
  const t0 = Date.now();
  const since = a.frames.length;
  const b2 = await joined(second, B2, 'restart');
  await a.next((m) => m.type === 'peer-discovered' && m.data.peerId === B2, 5000, since);
  const discovered = Date.now() - t0;
  a.send({ type: 'offer', data: { sdp: 'after' }, targetPeerId: B2, networkName: 'restart' });
  assert.equal((await b2.next((m) => m.type === 'offer' && m.data.sdp === 'after', 5000)).fromPeerId, A);
  console.log(`restarted hub: its new peer discovered after ${discovered} ms, first offer to it after ${Date.now() - t0} ms`);
  const mesh = (await get(`${second.url}/stats`)).json.mesh;
  assert.ok(mesh.linkKeysReceived >= 1, 'the restarted hub asked for the sender\'s link key again');
  assert.equal(mesh.signalsUnopened, 0);
  a.end(); b2.end();
  await second.stop();
});

test('kill -9 of a hub: its peers disappear elsewhere within one lease; the rest keep working', async () => {
  const [h1, h2, h3] = hubs;
  const A = randomPeerId(), C = randomPeerId();
  const a = await joined(h1, A, 'whack');
  const c = await joined(h3, C, 'whack');
  await a.next((m) => m.type === 'peer-discovered' && m.data.peerId === C, 5000);
  await h3.stop('SIGKILL');
  const t0 = Date.now();
  await a.next((m) => m.type === 'peer-disconnected' && m.data.peerId === C, 45000);
  console.log(`dead hub's peer forgotten after ${Date.now() - t0} ms (lease 30 s)`);
  const late = await joined(h2, randomPeerId(), 'whack');
  await late.next((m) => m.type === 'peer-discovered' && m.data.peerId === A, 5000);
  await settled(late);
  assert.ok(!late.of('peer-discovered').some((m) => m.data.peerId === C), 'no ghost of the dead hub');
  await waitFor(async () => (await get(`${h1.url}/hubs`)).json.totalHubs === 2, { timeoutMs: 15000, what: 'the dead hub to leave /hubs' });
  a.end(); c.end(); late.end();
});

test('killing the hub the others bootstrapped from does not break the rest', async () => {
  const [h1, h2] = hubs;
  const extra = await startHub({ env: { ...meshCa().env, DHT_BOOTSTRAP: `127.0.0.1:${await dhtPort(h2)}` } });
  hubs.push(extra);
  await waitFor(async () => (await health(extra)).dhtReady, { what: 'the extra hub to join' });
  await h1.stop('SIGKILL');
  const t0 = Date.now();
  const X = randomPeerId(), Y = randomPeerId();
  const x = await joined(h2, X, 'after');
  const y = await joined(extra, Y, 'after');
  await y.next((m) => m.type === 'peer-discovered' && m.data.peerId === X, 20000);
  await x.next((m) => m.type === 'peer-discovered' && m.data.peerId === Y, 20000);
  const t1 = Date.now();
  x.send({ type: 'offer', data: { type: 'offer', sdp: 'v=0' }, targetPeerId: Y, networkName: 'after' });
  assert.equal((await y.next((m) => m.type === 'offer', 20000)).fromPeerId, X);
  console.log(`after the bootstrap hub died: discovery ${t1 - t0} ms, first offer ${Date.now() - t1} ms`);
  x.end(); y.end();
});
