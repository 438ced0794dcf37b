// The hub keeps accepting after its descriptors run out (issue 8). Each test runs pigeonhubd under
// `prlimit --nofile=N:N`, fills its descriptor table (idle TCP connections, then WebSockets), releases them, and
// requires /health and a WebSocket client to succeed within 2 s. The last test checks that plain HTTP
// connections stop at MAX_HTTP_CONNECTIONS (default derived from the limit) before the descriptors run out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readdirSync } from 'node:fs';
import { startHub, randomPeerId, waitFor } from './lib/hub.mjs';
import { connect, joined } from './lib/client.mjs';

const NOFILE = 128;          // the hub itself needs ~15 descriptors (DHT, epoll, pipes)
const RECOVERY_MS = 2000;    // from release to a served /health and an admitted WebSocket client

const openDescriptors = (pid) => readdirSync(`/proc/${pid}/fd`).length;

function startLimitedHub(env = {}) {
  return startHub({ prefix: ['prlimit', `--nofile=${NOFILE}:${NOFILE}`, '--'], env });
}

// Opens n plain TCP connections that never send a byte; resolves with every socket once each has connected
// or failed (the kernel completes the handshake from the listen backlog whether or not the hub accepts).
function openIdleTcp(port, n) {
  return Promise.all(Array.from({ length: n }, () => new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('connect', () => resolve(s));
    s.on('error', () => resolve(s));
  })));
}

// One GET on a fresh connection; {status, json} or null if no answer within timeoutMs.
async function tryGet(url, timeoutMs) {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: r.status, json: await r.json().catch(() => undefined) };
  } catch {
    return null;
  }
}

// A kept-alive HTTP/1.1 connection to the hub: get(path) sends one request and reads one response
// ({status, json}). Lets a test read /stats while new connections wait in the backlog.
function keepAlive(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    let pending = null;
    const tryParse = () => {
      const end = buf.indexOf('\r\n\r\n');
      if (!pending || end < 0) return;
      const head = buf.subarray(0, end).toString();
      const len = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      const body = buf.subarray(end + 4, end + 4 + len).toString();
      buf = buf.subarray(end + 4 + len);
      const p = pending;
      pending = null;
      p.resolve({ status: Number(head.split(' ')[1]), json: JSON.parse(body) });
    };
    socket.on('data', (d) => { buf = Buffer.concat([buf, d]); tryParse(); });
    socket.on('error', (e) => { if (pending) pending.reject(e); });
    socket.on('connect', () => resolve({
      get(path) {
        return new Promise((res, rej) => {
          pending = { resolve: res, reject: rej };
          socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
        });
      },
      end() { socket.destroy(); },
    }));
    socket.on('error', reject);
  });
}

// After `release()`: polls /health on new connections until it answers 200, then admits a WebSocket client.
// Returns the milliseconds from release to the first 200.
async function assertRecovers(hub, release, t) {
  release();
  const t0 = performance.now();
  let firstOk = null;
  while (performance.now() - t0 < RECOVERY_MS) {
    const r = await tryGet(`${hub.url}/health`, 250);
    if (r && r.status === 200) { firstOk = performance.now() - t0; break; }
  }
  assert.ok(firstOk !== null, `/health answered 200 within ${RECOVERY_MS} ms of the release`);
  const ws = await joined(hub, randomPeerId(), 'after-release');
  const wsMs = performance.now() - t0;
  ws.end();
  assert.ok(wsMs < RECOVERY_MS, `a WebSocket client joined ${wsMs.toFixed(0)} ms after the release`);
  t.diagnostic(`release -> first /health 200: ${firstOk.toFixed(1)} ms; -> WebSocket joined: ${wsMs.toFixed(1)} ms`);
  return firstOk;
}

// While the hub is out of descriptors, a health probe must not hear "healthy": it gets a 503 (the hub
// accepts it on its spare descriptor) or no answer at all.
async function assertNotHealthyWhileExhausted(hub) {
  const r = await tryGet(`${hub.url}/health`, 1500);
  assert.ok(r === null || r.status === 503, `health while out of descriptors: ${r && r.status}`);
  return r;
}

async function acceptStats(hub) {
  const r = await tryGet(`${hub.url}/stats`, 1000);
  assert.ok(r && r.status === 200, '/stats answers');
  return r.json.listener;
}

test('idle TCP connections exhaust the descriptors; the hub accepts again once they are released', async (t) => {
  // A bound above the descriptor limit: the descriptors run out before MAX_HTTP_CONNECTIONS (the case).
  const hub = await startLimitedHub({ MAX_HTTP_CONNECTIONS: '100000' });
  try {
    const sockets = await openIdleTcp(hub.port, NOFILE + 150);
    await waitFor(() => openDescriptors(hub.pid) >= NOFILE - 2, { timeoutMs: 5000, what: 'the hub to run out of descriptors' });
    const during = await assertNotHealthyWhileExhausted(hub);
    t.diagnostic(`health while exhausted: ${during ? during.status : 'no answer'}`);
    await assertRecovers(hub, () => { for (const s of sockets) s.destroy(); }, t);
    const l = await acceptStats(hub);
    assert.ok(l.acceptErrors > 0 && l.outOfDescriptors > 0, `accept errors counted: ${JSON.stringify(l)}`);
    assert.equal(l.accepting, true);
    assert.match(hub.stderr(), /accept\(\) failed: .*EMFILE/);
    assert.equal(hub.alive(), true);
  } finally {
    await hub.stop();
  }
});

test('WebSocket clients exhaust the descriptors; the hub accepts again once they are released', async (t) => {
  const hub = await startLimitedHub();
  try {
    const attempts = await Promise.allSettled(
      Array.from({ length: NOFILE + 50 }, () => connect(hub.wsUrl(randomPeerId()), { timeoutMs: 3000 })));
    const clients = attempts.filter((a) => a.status === 'fulfilled').map((a) => a.value);
    await waitFor(() => openDescriptors(hub.pid) >= NOFILE - 2, { timeoutMs: 5000, what: 'the hub to run out of descriptors' });
    assert.ok(clients.filter((c) => c.opened).length > NOFILE / 2, 'most descriptors hold WebSocket clients');
    await assertNotHealthyWhileExhausted(hub);
    await assertRecovers(hub, () => { for (const c of clients) c.end(); }, t);
    const l = await acceptStats(hub);
    assert.ok(l.outOfDescriptors > 0, `out-of-descriptor errors counted: ${JSON.stringify(l)}`);
    assert.equal(hub.alive(), true);
  } finally {
    await hub.stop();
  }
});

test('plain HTTP connections stop at MAX_HTTP_CONNECTIONS before the descriptors run out', async (t) => {
  const hub = await startLimitedHub();
  let probe;
  try {
    probe = await keepAlive(hub.port);
    const first = await probe.get('/stats');
    const bound = first.json.listener.maxHttpConnections;
    // The default: half of what the open-files limit leaves after 64 descriptors for the DHT, files and logs.
    assert.equal(bound, Math.min(1024, Math.floor((NOFILE - 64) / 2)));
    const sockets = await openIdleTcp(hub.port, NOFILE + 50);
    const paused = await waitFor(async () => {
      const s = (await probe.get('/stats')).json.listener;
      return s.pausedAtBound ? s : null;
    }, { timeoutMs: 5000, intervalMs: 50, what: 'accepting to pause at the bound' });
    assert.ok(paused.httpAtBound >= 1);
    assert.equal(paused.acceptErrors, 0, 'no accept() error: the bound came first');
    assert.ok(openDescriptors(hub.pid) < NOFILE - 8, 'descriptors to spare at the bound');
    // Not accepting for longer than a moment: /health (asked on the kept connection) says so.
    const h = await waitFor(async () => {
      const r = await probe.get('/health');
      return r.status === 503 ? r : null;
    }, { timeoutMs: 3000, intervalMs: 100, what: '/health to report the pause' });
    assert.equal(h.json.accepting, false);
    assert.match(h.json.reason, /MAX_HTTP_CONNECTIONS/);
    await assertRecovers(hub, () => { for (const s of sockets) s.destroy(); }, t);
  } finally {
    probe?.end();
    await hub.stop();
  }
});
