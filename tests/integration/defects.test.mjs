// One test per reference-hub defect that pigeonhubd fixes (section 10 of the reference protocol spec;
// docs/PROTOCOL.md "Fix"), plus process behaviour: SIGTERM, busy port, PORT=0.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { startHub, randomPeerId, hubBinary, waitFor, tempStateDir } from './lib/hub.mjs';
import { connect, joined, rawConnect, get, sleep, settled } from './lib/client.mjs';

let hub;
before(async () => { hub = await startHub(); });
after(async () => { await hub.stop(); });

test('10.1 a client cannot become a hub: isHub ignored, hub namespace reserved, peer-discovered refused', async () => {
  const A = randomPeerId(), B = randomPeerId(), V = randomPeerId();
  const victim = await joined(hub, V, 'victims');
  const a = await connect(hub.wsUrl(A));
  a.send({ type: 'announce', networkName: 'pigeonhub-mesh', data: { isHub: true, capabilities: ['relay'] } });
  const e = await a.next((m) => m.type === 'error');
  assert.equal(e.error, "Namespace 'pigeonhub-mesh' is reserved for hubs");
  assert.equal(a.of('peer-discovered').length, 0, 'no peer list for a fake hub');
  a.send({ type: 'peer-discovered', networkName: 'victims', data: { peerId: B, isHub: false } });
  assert.equal((await a.next((m) => m.type === 'error' && m.error.includes('only from hubs'))).error,
    "'peer-discovered' messages are accepted only from hubs");
  assert.equal(await victim.none((f) => f.json?.type === 'peer-discovered', 300), true, 'nothing injected');
  // Signals for peers that are not here are not handed to anyone.
  const b = await joined(hub, B, 'x', { peerId: B, isHub: true });
  a.send({ type: 'offer', data: { sdp: 'x' }, targetPeerId: randomPeerId() });
  assert.equal(await b.none((f) => f.json?.type === 'offer', 200), true);
  a.end(); b.end(); victim.end();
});

test('10.2 a spoofed fromPeerId is replaced by the sender id', async () => {
  const A = randomPeerId(), B = randomPeerId(), C = randomPeerId();
  const a = await joined(hub, A, 'spoof');
  const b = await joined(hub, B, 'spoof');
  a.send({ type: 'offer', data: { type: 'offer', sdp: 'v=0' }, targetPeerId: B, networkName: 'spoof', fromPeerId: C });
  const m = await b.next((x) => x.type === 'offer');
  assert.equal(m.fromPeerId, A);
  a.send({ type: 'goodbye', data: {}, networkName: 'spoof', fromPeerId: C });
  assert.equal((await b.next((x) => x.type === 'goodbye')).fromPeerId, A);
  a.end(); b.end();
});

test('10.3 announce data cannot override peerId or isHub', async () => {
  const A = randomPeerId(), B = randomPeerId(), FAKE = randomPeerId();
  const a = await joined(hub, A, 'poison', { peerId: FAKE, isHub: true, name: 'alice' });
  const b = await joined(hub, B, 'poison');
  const d = await b.next((m) => m.type === 'peer-discovered');
  assert.deepEqual(d.data, { peerId: A, isHub: false, name: 'alice' });
  a.end(); b.end();
});

test('10.4 a malformed Host header does not crash the hub', async () => {
  for (const host of ['a b', '', '[::', 'http://x:99999', '%%%']) {
    const r = await rawConnect(hub.port, {
      request: `GET /?peerId=${randomPeerId()} HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    });
    assert.equal(r.status, 101);
    r.destroy();
  }
  const noHost = await rawConnect(hub.port, { request: `GET /health HTTP/1.1\r\n\r\n` }).catch(() => null);
  if (noHost) noHost.destroy();
  assert.equal(hub.alive(), true);
  assert.equal((await get(`${hub.url}/health`)).status, 200);
});

test('10.5 a half-open holder of an id is purged: duplicate probe and idle timeout', async () => {
  const local = await startHub({ env: { PING_INTERVAL: '300', SIGNALING_TIMEOUT: '1500', PROBE_TIMEOUT: '400' } });
  try {
    // Probe path: a silent holder (never answers pings) blocks the id only until the probe times out.
    const id = randomPeerId();
    const silent = await rawConnect(local.port, { peerId: id, silent: true });
    assert.equal(silent.status, 101);
    await waitFor(() => silent.frames.length > 0, { what: 'the silent holder to be admitted (connected)' });
    const second = await connect(local.wsUrl(id));
    assert.deepEqual(await second.closed, { code: 1008, reason: 'Peer already connected' });
    const started = Date.now();
    const reclaimed = await waitFor(async () => {
      const c = await connect(local.wsUrl(id));
      // Admitted connections get `connected`; rejected ones a close right after the 101.
      await Promise.race([c.next(() => true, 2000).catch(() => {}), c.closed]);
      return c.close ? false : c;
    }, { timeoutMs: 4000, intervalMs: 100, what: 'the id to be reclaimed' });
    assert.ok(Date.now() - started < 3000, 'reclaimed within the probe timeout plus a tick');
    assert.equal(reclaimed.frames[0].json.type, 'connected');
    reclaimed.end();
    silent.destroy();

    // A live holder answers the probe and keeps its id.
    const live = randomPeerId();
    const holder = await connect(local.wsUrl(live));
    await holder.next();
    const dup = await connect(local.wsUrl(live));
    assert.equal((await dup.closed).code, 1008);
    await sleep(700);  // a time window by nature: past PROBE_TIMEOUT (400 ms), the holder is still there
    assert.equal(holder.ws.readyState, 1, 'a responsive holder survives the probe');

    // Idle path: a silent socket is pinged, then closed after SIGNALING_TIMEOUT.
    const idle = await rawConnect(local.port, { peerId: randomPeerId(), silent: true });
    await waitFor(() => idle.closeFrame, { timeoutMs: 5000, what: 'the silent socket to be closed' });
    assert.ok(idle.frames.some((f) => f.op === 9), 'the hub pinged the silent socket');
    const cf = idle.closeFrame;
    assert.ok(cf && cf.code === 1001, `closed with 1001, got ${JSON.stringify(cf)}`);
    assert.equal(holder.ws.readyState, 1, 'a client that answers pings stays');
    holder.end();
    idle.destroy();
  } finally {
    await local.stop();
  }
});

test('10.6 goodbye then close never hurts a newer connection with the same id; re-announce works', async () => {
  const A = randomPeerId(), B = randomPeerId();
  const b = await joined(hub, B, 'race');
  const a1 = await joined(hub, A, 'race');
  a1.send({ type: 'goodbye', data: { peerId: A } });
  await b.next((m) => m.type === 'peer-disconnected');
  // The socket still owns its id; re-announce on the same socket rejoins.
  a1.send({ type: 'announce', networkName: 'race', data: { peerId: A } });
  await b.next((m) => m.type === 'peer-discovered' && m.data.peerId === A, 2000, b.frames.length - 1);
  const beforeClose = b.frames.length;
  a1.ws.close();
  await a1.closed;
  await b.next((m) => m.type === 'peer-disconnected' && m.data.peerId === A, 2000, beforeClose);  // the hub saw it
  const a2 = await joined(hub, A, 'race');
  await a2.next((m) => m.type === 'peer-discovered' && m.data.peerId === B);
  b.send({ type: 'offer', data: { sdp: 'x' }, targetPeerId: A, networkName: 'race' });
  assert.equal((await a2.next((m) => m.type === 'offer')).fromPeerId, B);
  a2.end(); b.end();
});

test('10.7 exactly one peer-disconnected per departure, even after an error close', async () => {
  const A = randomPeerId(), B = randomPeerId();
  const a = await joined(hub, A, 'once');
  const b = await joined(hub, B, 'once');
  const r = await rawConnect(hub.port, { peerId: randomPeerId() });
  r.write(Buffer.from(JSON.stringify({})));  // garbage: protocol error close
  await r.waitClose();
  b.ws.close(4000, 'x');
  await a.next((m) => m.type === 'peer-disconnected');
  await settled(a);
  assert.equal(a.of('peer-disconnected').length, 1);
  a.end();
});

test('10.8 nothing leaks into other namespaces', async () => {
  const A = randomPeerId(), B = randomPeerId(), C = randomPeerId();
  const a = await joined(hub, A, 'leak-a');
  const b = await joined(hub, B, 'leak-a');
  const c = await joined(hub, C, 'leak-c');
  b.send({ type: 'goodbye', data: {} });
  b.end();
  a.ws.close();
  await waitFor(async () => (await get(`${hub.url}/stats`)).json.connections === 1, { what: 'a and b gone' });
  const before = c.frames.length;
  await settled(c);
  assert.equal(c.frames.slice(0, before).filter((f) => f.json?.type !== 'connected').length, 0);
  c.end();
});

test('10.9 re-announcing into another namespace leaves the old one', async () => {
  const A = randomPeerId(), B = randomPeerId(), C = randomPeerId();
  const a = await joined(hub, A, 'ns-old');
  const b = await joined(hub, B, 'ns-old');
  b.send({ type: 'announce', networkName: 'ns-new', data: { peerId: B } });
  const d = await a.next((m) => m.type === 'peer-disconnected');
  assert.equal(d.data.peerId, B);
  assert.equal(d.networkName, 'ns-old');
  const c = await joined(hub, C, 'ns-old');
  await c.next((m) => m.type === 'peer-discovered');
  await settled(c);
  assert.deepEqual(c.of('peer-discovered').map((m) => m.data.peerId), [A]);
  // Signals follow the current namespace only.
  a.send({ type: 'offer', data: {}, targetPeerId: B, networkName: 'ns-old' });
  assert.equal(await b.none((f) => f.json?.type === 'offer', 200), true);
  a.end(); b.end(); c.end();
});

test('10.17/10.18 wrong field types and oversized fields get clear errors', async () => {
  const small = await startHub({ env: { MAX_ANNOUNCE_DATA: '64' } });
  try {
    const A = randomPeerId();
    const a = await connect(small.wsUrl(A));
    await a.next();
    const cases = [
      [{ type: 'announce', networkName: { o: 1 } }, 'Invalid networkName'],
      [{ type: 'announce', networkName: 5 }, 'Invalid networkName'],
      [{ type: 'announce', networkName: 'n'.repeat(257) }, 'Invalid networkName'],
      [{ type: 'announce', data: 'string' }, 'Invalid announce data'],
      [{ type: 'announce', data: [1, 2] }, 'Invalid announce data'],
      [{ type: 'announce', data: { blob: 'x'.repeat(100) } }, 'Announce data too large'],
      [{ type: 'offer', targetPeerId: A, networkName: [] }, 'Invalid networkName'],
      [{ type: ['announce'] }, ERROR_TEXT('["announce"]')],
      [{ type: 42 }, ERROR_TEXT('42')],
      [null, ERROR_TEXT('undefined')],
      [[1], ERROR_TEXT('undefined')],
    ];
    for (const [msg, text] of cases) {
      const since = a.frames.length;
      a.send(JSON.stringify(msg));
      const e = await a.next((m) => m.type === 'error', 2000, since);
      assert.equal(e.error, text, JSON.stringify(msg));
    }
    const st = (await get(`${small.url}/signaling`)).json;
    assert.equal(st.peers, 0, 'nothing was joined');
    // A non-string targetPeerId is a silent drop, like a missing one.
    const since = a.frames.length;
    a.send({ type: 'offer', targetPeerId: 12345, data: {} });
    assert.equal(await a.none(() => true, 200), true);
    assert.equal(a.frames.length, since);
    a.end();
  } finally {
    await small.stop();
  }
});
const ERROR_TEXT = (t) => `Signaling server does not route '${t}' messages. Use WebRTC data channels for peer-to-peer communication.`;

test('connection-rejected (capacity) and renegotiation-* are routed like signals (the reference answers error)', async () => {
  const A = randomPeerId(), B = randomPeerId();
  const a = await joined(hub, A, 'reneg');
  const b = await joined(hub, B, 'reneg');
  for (const type of ['connection-rejected', 'renegotiation-offer', 'renegotiation-answer']) {
    const data = type === 'connection-rejected' ? { reason: 'max_peers_reached', details: 'full', currentCount: 3, maxPeers: 3 } : { type: 'offer', sdp: 'v=0' };
    b.send({ type, data, targetPeerId: A, networkName: 'reneg', maxPeers: 3 });
    const m = await a.next((x) => x.type === type);
    assert.deepEqual(m, { type, data, fromPeerId: B, targetPeerId: A, networkName: 'reneg', timestamp: m.timestamp });
  }
  assert.equal(b.of('error').length, 0);
  a.end(); b.end();
});

test('a glare connection-rejected (initiator_role_conflict) is absorbed: delivering it breaks 1.1.3 clients', async () => {
  const A = randomPeerId(), B = randomPeerId();
  const a = await joined(hub, A, 'glare');
  const b = await joined(hub, B, 'glare');
  const before = (await get(`${hub.url}/signaling`)).json.glareRejectionsAbsorbed;
  b.send({ type: 'connection-rejected', data: { reason: 'initiator_role_conflict', details: 'x', shouldInitiate: false }, targetPeerId: A, networkName: 'glare' });
  assert.equal(await a.none((f) => f.json?.type === 'connection-rejected', 250), true);
  assert.equal(b.of('error').length, 0, 'no error reply either');
  assert.equal((await get(`${hub.url}/signaling`)).json.glareRejectionsAbsorbed, before + 1);
  a.end(); b.end();
});

test('cleanup and cleanup-all are accepted silently', async () => {
  const a = await joined(hub, randomPeerId(), 'cl');
  a.send({ type: 'cleanup', data: { reason: 'connection_established' } });
  a.send({ type: 'cleanup-all', data: { reason: 'peer_cleanup' } });
  assert.equal(await a.none((f) => f.json?.type === 'error', 200), true);
  a.end();
});

test('SIGTERM closes clients with 1001 and exits 0; SIGINT too', async () => {
  for (const sig of ['SIGTERM', 'SIGINT']) {
    const h = await startHub();
    const cs = [];
    for (let i = 0; i < 3; i++) cs.push(await joined(h, randomPeerId(), 'bye'));
    const t0 = Date.now();
    const exit = await h.stop(sig, 8000);
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(Date.now() - t0 < 3000, 'prompt shutdown');
    for (const c of cs) assert.deepEqual(await c.closed, { code: 1001, reason: 'Server shutting down' });
  }
});

test('a busy port is an error with a clear message; PORT=0 prints the port', async () => {
  const blocker = net.createServer();
  await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
  const port = blocker.address().port;
  const child = spawn(hubBinary, [], { env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), DHT_PORT: '0', STATE_DIR: tempStateDir() } });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d) => { stderr += d; });
  child.stdout.on('data', (d) => { stdout += d; });
  const code = await new Promise((r) => child.on('exit', r));
  blocker.close();
  assert.equal(code, 1);
  assert.match(stderr, new RegExp(`127\\.0\\.0\\.1:${port}.*[Aa]ddress already in use`));
  assert.equal(stdout, '', 'no port line when not listening');
  assert.ok(Number.isInteger(hub.port) && hub.port > 0, 'PORT=0 gave a real port');
});

test('--help, --version and bad flags', async () => {
  const run = (args) => new Promise((resolve) => {
    const c = spawn(hubBinary, args);
    let out = '', err = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { err += d; });
    c.on('exit', (code) => resolve({ code, out, err }));
  });
  const h = await run(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.out, /--port/);
  assert.match(h.out, /MAX_MESSAGE_SIZE/);
  const v = await run(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.out, /^pigeonhubd \d+\.\d+\.\d+/);
  const bad = await run(['--port', 'x']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /invalid value for --port/);
});
