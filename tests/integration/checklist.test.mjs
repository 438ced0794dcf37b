// The compatibility checklist of the PeerPigeon 1.1.3 protocol (section 12, items 1-19), against the real
// pigeonhubd binary with raw WebSocket clients. Where docs/PROTOCOL.md says "Fix", the fixed behaviour is
// asserted (and the test says so).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, randomPeerId } from './lib/hub.mjs';
import { connect, joined, rawConnect, frame, OP, get, sleep, settled } from './lib/client.mjs';

let hub;
before(async () => { hub = await startHub({ env: { MAX_CONNECTIONS: '40', CORS_ORIGIN: 'https://app.example' } }); });
after(async () => { await hub.stop(); });

const ERROR_TEXT = (t) => `Signaling server does not route '${t}' messages. Use WebRTC data channels for peer-to-peer communication.`;

test('1. upgrade on any path; first frame is connected', async () => {
  for (const path of ['/', '/ws', '/x/y']) {
    const id = randomPeerId();
    const c = await connect(hub.wsUrl(id, path));
    const m = await c.next();
    assert.deepEqual(Object.keys(m), ['type', 'data', 'fromPeerId', 'timestamp']);
    assert.equal(m.type, 'connected');
    assert.deepEqual(m.data, { peerId: id });
    assert.equal(m.fromPeerId, 'system');
    assert.equal(typeof m.timestamp, 'number');
    c.end();
  }
});

test('2. bad peerId: 101 then close 1008 "Invalid peerId format", no data frames', async () => {
  for (const q of ['', '?peerId=abc', `?peerId=${'g'.repeat(40)}`, `?peerId=${'a'.repeat(39)}`, `?peerId=${'a'.repeat(41)}`]) {
    const c = await connect(`ws://127.0.0.1:${hub.port}/${q}`);
    assert.equal(c.opened, true, 'the upgrade succeeds first');
    const close = await c.closed;
    assert.equal(close.code, 1008);
    assert.equal(close.reason, 'Invalid peerId format');
    assert.equal(c.frames.length, 0);
  }
});

test('3. upper-case ids are accepted and distinct from lower case', async () => {
  const lower = randomPeerId().replace(/[0-9]/g, 'a');
  const a = await connect(hub.wsUrl(lower));
  const b = await connect(hub.wsUrl(lower.toUpperCase()));
  assert.equal((await b.next()).type, 'connected');
  assert.equal((await a.next()).type, 'connected');
  a.end(); b.end();
});

test('4. a second connection with an open id is closed 1008; the first is unaffected', async () => {
  const id = randomPeerId();
  const a = await joined(hub, id, 'dup');
  const b = await connect(hub.wsUrl(id));
  const close = await b.closed;
  assert.deepEqual(close, { code: 1008, reason: 'Peer already connected' });
  a.send({ type: 'ping' });
  assert.equal((await a.next((m) => m.type === 'pong')).targetPeerId, id);
  a.end();
});

test('5. connection number MAX_CONNECTIONS+1 is closed 1008', async () => {
  const local = await startHub({ env: { MAX_CONNECTIONS: '3' } });
  const cs = [];
  for (let i = 0; i < 3; i++) { cs.push(await connect(local.wsUrl(randomPeerId()))); await cs[i].next(); }
  const extra = await connect(local.wsUrl(randomPeerId()));
  assert.deepEqual(await extra.closed, { code: 1008, reason: 'Maximum connections reached' });
  for (const c of cs) c.end();
  await local.stop();
});

test('6. percent-encoded peerId is decoded; the first wins; extra parameters ignored', async () => {
  const id = 'ab' + randomPeerId().slice(2);
  const enc = '%61' + id.slice(1);
  const c = await connect(`ws://127.0.0.1:${hub.port}/?foo=bar&peerId=${enc}&peerId=${randomPeerId()}&networkName=x`);
  const m = await c.next();
  assert.equal(m.data.peerId, id);
  c.end();
});

test('7. binary frames with JSON are treated like text; replies are text', async () => {
  const c = await connect(hub.wsUrl(randomPeerId()));
  await c.next();
  c.ws.send(Buffer.from(JSON.stringify({ type: 'ping' })), { binary: true });
  await c.next((m) => m.type === 'pong');
  assert.equal(c.frames.every((f) => !f.binary), true);
  c.end();
});

test('8. a 1,048,576-byte message is accepted, 1,048,577 closes with 1009', async () => {
  const c = await connect(hub.wsUrl(randomPeerId()));
  await c.next();
  const pad = (n) => { const base = JSON.stringify({ type: 'ping', pad: '' }); return JSON.stringify({ type: 'ping', pad: 'x'.repeat(n - base.length) }); };
  const exact = pad(1048576);
  assert.equal(Buffer.byteLength(exact), 1048576);
  c.send(exact);
  await c.next((m) => m.type === 'pong', 5000);
  c.send(pad(1048577));
  assert.equal((await c.closed).code, 1009);
});

test('9. invalid JSON gets no reply and the connection stays open', async () => {
  const c = await connect(hub.wsUrl(randomPeerId()));
  await c.next();
  c.send('{not json');
  assert.equal(await c.none(() => true, 300), true);
  c.send({ type: 'ping' });
  await c.next((m) => m.type === 'pong');
  c.end();
});

test('10. ping gets pong with targetPeerId; a WebSocket ping gets a pong', async () => {
  const id = randomPeerId();
  const c = await connect(hub.wsUrl(id));
  await c.next();
  c.send({ type: 'ping' });
  const p = await c.next((m) => m.type === 'pong');
  assert.deepEqual(Object.keys(p), ['type', 'data', 'fromPeerId', 'targetPeerId', 'timestamp']);
  assert.equal(p.targetPeerId, id);
  assert.equal(p.fromPeerId, 'system');
  const got = new Promise((r) => c.ws.once('pong', (d) => r(d.toString())));
  c.ws.ping('hello');
  assert.equal(await got, 'hello');
  c.end();
});

test('11. unknown type gets the exact error text', async () => {
  const c = await connect(hub.wsUrl(randomPeerId()));
  await c.next();
  c.send({ type: 'cleanup-everything' });
  const e = await c.next((m) => m.type === 'error');
  assert.deepEqual(Object.keys(e), ['type', 'error', 'timestamp']);
  assert.equal(e.error, ERROR_TEXT('cleanup-everything'));
  c.send({ data: 1 });
  assert.equal((await c.next((m) => m.type === 'error' && m.error.includes("'undefined'"))).error, ERROR_TEXT('undefined'));
  c.end();
});

test('12. announce gives peer-discovered both ways within the namespace only', async () => {
  const A = randomPeerId(), B = randomPeerId(), C = randomPeerId();
  const a = await joined(hub, A, 'net12', { peerId: A, bar: 2 });
  const c = await joined(hub, C, 'other12');
  const b = await joined(hub, B, 'net12');
  const toA = await a.next((m) => m.type === 'peer-discovered');
  assert.deepEqual(Object.keys(toA), ['type', 'data', 'networkName', 'fromPeerId', 'targetPeerId', 'timestamp']);
  assert.deepEqual(toA.data, { peerId: B, isHub: false });
  assert.equal(toA.networkName, 'net12');
  assert.equal(toA.fromPeerId, 'system');
  assert.equal(toA.targetPeerId, A);
  const toB = await b.next((m) => m.type === 'peer-discovered');
  assert.deepEqual(toB.data, { peerId: A, isHub: false, bar: 2 });
  assert.equal(toB.targetPeerId, B);
  assert.equal(await c.none((f) => f.json?.type === 'peer-discovered', 300), true);
  a.end(); b.end(); c.end();
});

test('13. no networkName means global; data.isHub:true is ignored (Fix 10.1)', async () => {
  const A = randomPeerId(), B = randomPeerId();
  const a = await joined(hub, A, undefined, { peerId: A, isHub: true });
  const b = await joined(hub, B, undefined);
  const d = await b.next((m) => m.type === 'peer-discovered' && m.data.peerId === A);
  assert.equal(d.networkName, 'global');
  assert.equal(d.data.isHub, false);
  a.end(); b.end();
});

test('14. discovery is unlimited: the k-th member gets k-1 peer-discovered', async () => {
  const ns = 'net14';
  const cs = [];
  for (let i = 0; i < 6; i++) cs.push(await joined(hub, randomPeerId(), ns));
  const last = cs[5];
  await last.next((m) => m.type === 'peer-discovered');
  await settled(last, cs[0]);
  assert.equal(last.of('peer-discovered').length, 5);
  assert.equal(cs[0].of('peer-discovered').length, 5);
  for (const c of cs) c.end();
});

test('15. offer/answer/ice-candidate are delivered with the reference shape; maxPeers stripped', async () => {
  const A = randomPeerId(), B = randomPeerId();
  const a = await joined(hub, A, 'net15');
  const b = await joined(hub, B, 'net15');
  for (const type of ['offer', 'answer', 'ice-candidate']) {
    const data = type === 'ice-candidate' ? { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 } : { type, sdp: 'v=0\r\n' };
    a.send({ type, data, maxPeers: 3, networkName: 'net15', targetPeerId: B });
    const m = await b.next((x) => x.type === type);
    assert.deepEqual(Object.keys(m), ['type', 'data', 'fromPeerId', 'targetPeerId', 'networkName', 'timestamp']);
    assert.deepEqual(m.data, data);
    assert.equal(m.fromPeerId, A);
    assert.equal(m.targetPeerId, B);
    assert.equal(m.networkName, 'net15');
  }
  a.end(); b.end();
});

test('16. a claimed network that differs, or no targetPeerId, is a silent drop', async () => {
  const A = randomPeerId(), B = randomPeerId();
  const a = await joined(hub, A, 'net16');
  const b = await joined(hub, B, 'net16');
  a.send({ type: 'offer', data: { sdp: 'x' }, networkName: 'elsewhere', targetPeerId: B });
  a.send({ type: 'offer', data: { sdp: 'x' }, networkName: 'net16' });
  assert.equal(await b.none((f) => f.json?.type === 'offer', 300), true);
  assert.equal(a.of('error').length, 0);
  a.end(); b.end();
});

test('17. goodbye: forwarded to close peers, peer-disconnected to the namespace, socket stays open', async () => {
  const A = randomPeerId(), B = randomPeerId(), C = randomPeerId();
  const a = await joined(hub, A, 'net17');
  const b = await joined(hub, B, 'net17');
  const c = await joined(hub, C, 'other17');
  b.send({ type: 'goodbye', data: { peerId: B, timestamp: 1 }, networkName: 'net17' });
  const g = await a.next((m) => m.type === 'goodbye');
  assert.deepEqual(Object.keys(g), ['type', 'data', 'fromPeerId', 'networkName', 'timestamp']);
  assert.equal(g.fromPeerId, B);
  assert.equal(g.networkName, 'net17');
  const d = await a.next((m) => m.type === 'peer-disconnected');
  assert.deepEqual(Object.keys(d), ['type', 'data', 'networkName', 'fromPeerId', 'targetPeerId', 'timestamp']);
  assert.deepEqual(d.data, { peerId: B, isHub: false });
  assert.equal(d.networkName, 'net17');
  assert.equal(b.ws.readyState, 1, 'the hub does not close the socket');
  assert.equal(await c.none((f) => f.json?.type === 'peer-disconnected', 200), true);
  a.end(); b.end(); c.end();
});

test('18. socket close: same-namespace peers get one peer-disconnected, others none (Fix 10.7/10.8)', async () => {
  const A = randomPeerId(), B = randomPeerId(), C = randomPeerId();
  const a = await joined(hub, A, 'net18');
  const b = await joined(hub, B, 'net18');
  const c = await joined(hub, C, 'other18');
  b.ws.close(1000, 'bye');
  const d = await a.next((m) => m.type === 'peer-disconnected');
  assert.equal(d.data.peerId, B);
  assert.equal(d.networkName, 'net18');
  await settled(a, c);
  assert.equal(a.of('peer-disconnected').length, 1);
  assert.equal(c.of('peer-disconnected').length, 0);
  a.end(); c.end();
});

test('19. HTTP: /health, /hubs, other endpoints, 404, OPTIONS, CORS', async () => {
  const h = await get(`${hub.url}/health`);
  assert.equal(h.status, 200);
  assert.match(h.headers.get('content-type'), /application\/json/);
  for (const k of ['status', 'nodeId', 'uptime', 'connected', 'dhtReady', 'signalDirReady', 'connections', 'isHub', 'peers', 'hubs', 'networks', 'memory', 'timestamp']) {
    assert.ok(k in h.json, `health has ${k}`);
  }
  assert.equal(h.json.status, 'healthy');
  assert.match(h.json.nodeId, /^[0-9a-f]{40}$/);
  assert.equal(typeof h.json.memory.rss, 'number');
  assert.equal(h.headers.get('access-control-allow-origin'), 'https://app.example');
  assert.equal((await get(`${hub.url}/health?x=1`)).json.status, 'healthy', 'a query string never breaks routing');

  const hubs = await get(`${hub.url}/hubs`);
  assert.equal(hubs.status, 200);
  assert.ok('timestamp' in hubs.json && 'totalHubs' in hubs.json && Array.isArray(hubs.json.hubs));

  const nf = await get(`${hub.url}/nope?x=1`);
  assert.equal(nf.status, 404);
  assert.deepEqual(nf.json, { error: 'Not found', path: '/nope' });

  const opt = await fetch(`${hub.url}/health`, { method: 'OPTIONS' });
  assert.equal(opt.status, 204);
  assert.equal(opt.headers.get('access-control-allow-origin'), 'https://app.example');
  assert.match(opt.headers.get('access-control-allow-methods'), /GET/);
  assert.match(opt.headers.get('access-control-allow-headers'), /Content-Type/);

  const post = await get(`${hub.url}/health`, { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD, OPTIONS');
  assert.equal((await get(`${hub.url}/health/`)).status, 404, 'paths match exactly');
  const head = await fetch(`${hub.url}/stats`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');

  const home = await get(`${hub.url}/`);
  assert.equal(home.status, 200);
  assert.match(home.text, /PigeonHub/);
});

test('REST: generate-peer-id, signaling, peers with pagination, stats', async () => {
  const g1 = (await get(`${hub.url}/generate-peer-id`)).json.peerId;
  const g2 = (await get(`${hub.url}/generate-peer-id`)).json.peerId;
  assert.match(g1, /^[0-9a-f]{40}$/);
  assert.notEqual(g1, g2);

  const ids = [randomPeerId(), randomPeerId(), randomPeerId()];
  const cs = [];
  for (const id of ids) cs.push(await joined(hub, id, 'restnet'));
  await settled(...cs);  // every announce handled
  const page = (await get(`${hub.url}/peers?network=restnet&limit=2`)).json;
  assert.equal(page.total, 3);
  assert.equal(page.peers.length, 2);
  const rest = (await get(`${hub.url}/peers?network=restnet&limit=2&offset=2`)).json;
  assert.equal(rest.peers.length, 1);
  assert.deepEqual(new Set([...page.peers, ...rest.peers].map((p) => p.peerId)), new Set(ids));
  assert.equal((await get(`${hub.url}/peers?limit=5000`)).json.limit, 1000);

  const s = (await get(`${hub.url}/signaling`)).json;
  assert.equal(s.peersByNetwork.restnet, 3);
  assert.ok(s.received.announce >= 3);
  assert.ok('unknown_target' in s.dropped);

  const st = (await get(`${hub.url}/stats`)).json;
  assert.ok(st.connections >= 3);
  assert.equal(st.maxConnections, 40);
  assert.ok(st.transport.upgrades >= 3);
  for (const c of cs) c.end();
});

test('raw handshake: non-websocket upgrade and bad key get HTTP 400', async () => {
  const bad = await rawConnect(hub.port, { request: `GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n` });
  assert.equal(bad.status, 400);
  bad.destroy();
  const badKey = await rawConnect(hub.port, { request: `GET /?peerId=${randomPeerId()} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n\r\n` });
  assert.equal(badKey.status, 400);
  badKey.destroy();
  const ok = await rawConnect(hub.port, { peerId: randomPeerId() });
  assert.equal(ok.status, 101);
  ok.write(frame(OP.close, Buffer.from([0x03, 0xe8])));
  const cf = await ok.waitClose();
  assert.equal(cf.code, 1000, 'the hub echoes the close code');
});
