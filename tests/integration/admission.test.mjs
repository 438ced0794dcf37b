// Admission per client address (README: "Admission per client address", "What a peer id is worth"): one address
// cannot take every slot, a second address is still served; the new-connection rate; slow header senders from one
// address; X-Forwarded-For believed from a trusted proxy only; REST 429s; PEER_LIST. 127.0.0.1, 127.0.0.2 and
// 127.0.0.3 are three clients to the hub (Linux routes all of 127/8 to loopback).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startHub, randomPeerId, waitFor } from './lib/hub.mjs';
import { connect, joined, get } from './lib/client.mjs';

// Every limit lifted; each test sets the ones it checks.
const NONE = { MAX_CONNECTIONS_PER_ADDRESS: '0', MAX_HTTP_PER_ADDRESS: '0', NEW_CONNECTION_RATE: '0', REST_RATE: '0' };

const stats = async (hub) => (await get(`${hub.url}/stats`)).json.admission;
const metric = async (hub, line) => {
  const text = (await get(`${hub.url}/metrics`)).text;
  const m = text.match(new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm'));
  return m ? Number(m[1]) : undefined;
};

// One HTTP request on its own TCP connection from `localAddress`: {status, headers, body} ({status: 0} when the
// connection was closed without an answer).
function rawRequest(port, { localAddress = '127.0.0.1', path = '/health', headers = {}, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress });
    let buf = '';
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no answer to ${path} within ${timeoutMs} ms`)); }, timeoutMs);
    socket.on('connect', () => {
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Connection: close\r\n\r\n`);
    });
    socket.on('data', (d) => { buf += d.toString(); });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const [head, ...rest] = buf.split('\r\n\r\n');
      const lines = head.split('\r\n');
      const status = Number((lines[0].match(/^HTTP\/1\.1 (\d+)/) ?? [])[1] ?? 0);
      const hdrs = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status, headers: hdrs, body: rest.join('\r\n\r\n') });
    });
  });
}

// A WebSocket from `localAddress` (with handshake `headers`): resolves when it is admitted (`connected`) or closed.
async function ws(hub, localAddress, headers) {
  const c = await connect(hub.wsUrl(randomPeerId()), { localAddress, headers });
  const first = await Promise.race([c.next((m) => m.type === 'connected', 3000).then(() => 'connected', () => 'none'), c.closed.then(() => 'closed')]);
  return { c, admitted: first === 'connected' && !c.close };
}

test('one address cannot take every slot: past MAX_CONNECTIONS_PER_ADDRESS it gets 1008, another address is admitted', async () => {
  const hub = await startHub({ env: { ...NONE, MAX_CONNECTIONS: '20', MAX_CONNECTIONS_PER_ADDRESS: '8' } });
  const open = [];
  try {
    // The attack, scaled down: 20 idle sockets from one address for 20 slots.
    for (let i = 0; i < 20; i++) open.push(await ws(hub, '127.0.0.1'));
    const admitted = open.filter((s) => s.admitted);
    const refused = open.filter((s) => !s.admitted);
    assert.equal(admitted.length, 8);
    assert.equal(refused.length, 12);
    for (const s of refused) {
      const close = await s.c.closed;
      assert.equal(close.code, 1008);
      assert.equal(close.reason, 'Too many connections from this address');
    }
    const other = await ws(hub, '127.0.0.2');
    assert.equal(other.admitted, true, 'a client from 127.0.0.2 is admitted');
    open.push(other);
    // A slot given back is a slot again.
    admitted[0].c.end();
    await waitFor(async () => (await ws(hub, '127.0.0.1').then((s) => { open.push(s); return s.admitted; })),
      { timeoutMs: 3000, intervalMs: 50, what: 'a slot freed by a close' });
    const a = await stats(hub);
    assert.ok(a.refusedConnectionsPerAddress >= 12, JSON.stringify(a));
    assert.ok(await metric(hub, 'pigeonhub_admission_refused_total{limit="connections_per_address"}') >= 12);
  } finally {
    for (const s of open) s.c.end();
  }
  // Entries are freed once an address has nothing open (the /stats request itself holds one).
  await waitFor(async () => (await stats(hub)).addresses <= 1, { timeoutMs: 5000, intervalMs: 100, what: 'addresses freed' });
  await hub.stop();
});

test('new connections per address per second: past the burst 429 with Retry-After, another address is served', async () => {
  const hub = await startHub({ env: { ...NONE, NEW_CONNECTION_RATE: '1', NEW_CONNECTION_BURST: '5' } });
  try {
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await rawRequest(hub.port));
    const limited = answers.filter((a) => a.status === 429);
    assert.deepEqual(answers.slice(0, 5).map((a) => a.status), [200, 200, 200, 200, 200], 'the burst');
    assert.ok(limited.length >= 1, `past the burst: ${answers.map((a) => a.status)}`);
    assert.equal(limited[0].headers['retry-after'], '1');
    assert.match(limited[0].body, /NEW_CONNECTION_RATE/);
    assert.equal((await rawRequest(hub.port, { localAddress: '127.0.0.2' })).status, 200);
    // A WebSocket meets the same bucket (the accept comes before the handshake).
    await assert.rejects(connect(hub.wsUrl(randomPeerId())), /429/);
    assert.ok((await rawRequest(hub.port, { localAddress: '127.0.0.2', path: '/stats' })).body.includes('"refusedNewConnectionRate"'));
    const a = JSON.parse((await rawRequest(hub.port, { localAddress: '127.0.0.3', path: '/stats' })).body).admission;
    assert.ok(a.refusedNewConnectionRate >= limited.length + 1, JSON.stringify(a));
  } finally {
    await hub.stop();
  }
});

test('slow header senders from one address hold at most MAX_HTTP_PER_ADDRESS slots: another address is served at once', async () => {
  // Without the per-address cap, 40 slow senders hold all 16 HTTP slots and 127.0.0.2 waits in the backlog for 15 s.
  const hub = await startHub({ env: { ...NONE, MAX_HTTP_CONNECTIONS: '16', MAX_HTTP_PER_ADDRESS: '4' } });
  const slow = [];
  try {
    const seen = [];
    for (let i = 0; i < 40; i++) {
      const s = net.connect({ host: '127.0.0.1', port: hub.port, localAddress: '127.0.0.1' });
      const r = { got: '', closed: false };
      s.on('error', () => {});
      s.on('data', (d) => { r.got += d.toString(); });
      s.on('connect', () => s.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '));  // never finished
      s.on('close', () => { r.closed = true; });
      seen.push(r);
      slow.push(s);
    }
    // All but 4 are answered 429 and closed at once; the 4 stay open.
    await waitFor(() => seen.filter((r) => r.closed).length >= 36, { timeoutMs: 3000, what: '36 slow senders refused' });
    assert.ok(seen.some((r) => r.got.startsWith('HTTP/1.1 429') && r.got.includes('MAX_HTTP_PER_ADDRESS')));
    const t0 = performance.now();
    const h = await rawRequest(hub.port, { localAddress: '127.0.0.2', timeoutMs: 2000 });
    assert.equal(h.status, 200);
    const other = await ws(hub, '127.0.0.2');
    assert.equal(other.admitted, true);
    other.c.end();
    console.log(`# 127.0.0.2 served ${(performance.now() - t0).toFixed(1)} ms after 40 slow senders from 127.0.0.1`);
    const a = JSON.parse((await rawRequest(hub.port, { localAddress: '127.0.0.3', path: '/stats' })).body).admission;
    assert.ok(a.refusedHttpPerAddress >= 36, JSON.stringify(a));
  } finally {
    for (const s of slow) s.destroy();
    await hub.stop();
  }
});

test('X-Forwarded-For: from a trusted proxy the cap applies to the forwarded client; from anyone else it is ignored', async () => {
  const hub = await startHub({ env: { ...NONE, MAX_CONNECTIONS_PER_ADDRESS: '2', TRUSTED_PROXIES: '127.0.0.3/32' } });
  const open = [];
  const viaProxy = async (xff) => { const s = await ws(hub, '127.0.0.3', { 'X-Forwarded-For': xff }); open.push(s); return s.admitted; };
  try {
    // Through the proxy (127.0.0.3): two per forwarded client, the proxy itself is not capped.
    assert.equal(await viaProxy('203.0.113.7'), true);
    assert.equal(await viaProxy('203.0.113.7'), true);
    assert.equal(await viaProxy('203.0.113.7'), false, 'third from 203.0.113.7');
    assert.equal(await viaProxy('203.0.113.8'), true);
    // The rightmost hop is the one the proxy saw; what the client wrote before it does not count.
    assert.equal(await viaProxy('198.51.100.1, 203.0.113.7'), false, 'spoofed left hop');
    // Not trusted (127.0.0.1): the header is ignored, the cap counts 127.0.0.1 whatever it claims.
    const spoof = [];
    for (let i = 0; i < 4; i++) {
      const s = await ws(hub, '127.0.0.1', { 'X-Forwarded-For': `192.0.2.${i + 1}` });
      open.push(s);
      spoof.push(s.admitted);
    }
    assert.deepEqual(spoof, [true, true, false, false]);
    const a = await stats(hub);
    assert.ok(a.forwarded >= 5, JSON.stringify(a));
    assert.ok(a.forwardedIgnored >= 4, JSON.stringify(a));
    assert.ok(a.refusedConnectionsPerAddress >= 4, JSON.stringify(a));
  } finally {
    for (const s of open) s.c.end();
    await hub.stop();
  }
});

test('REST rate per address: 429 with Retry-After past the burst; /health is not limited; another address is served', async () => {
  const hub = await startHub({ env: { ...NONE, REST_RATE: '1', REST_BURST: '3' } });
  try {
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push(await get(`${hub.url}/generate-peer-id`));
    assert.deepEqual(codes.map((r) => r.status), [200, 200, 200, 429, 429]);
    assert.ok(Number(codes[3].headers.get('retry-after')) >= 1);
    assert.match(codes[3].json.error, /REST_RATE/);
    assert.equal((await get(`${hub.url}/peers`)).status, 429);
    assert.equal((await get(`${hub.url}/api/find/x`)).status, 429);
    assert.equal((await get(`${hub.url}/health`)).status, 200);
    assert.equal((await rawRequest(hub.port, { localAddress: '127.0.0.2', path: '/generate-peer-id' })).status, 200);
    const a = await stats(hub);
    assert.ok(a.refusedRestRate >= 4, JSON.stringify(a));
    assert.ok(await metric(hub, 'pigeonhub_admission_refused_total{limit="rest_rate"}') >= 4);
  } finally {
    await hub.stop();
  }
});

test('PEER_LIST=full lists ids, counts gives numbers only, off answers 403', async () => {
  for (const mode of ['full', 'counts', 'off']) {
    const hub = await startHub({ env: { ...NONE, PEER_LIST: mode } });
    const id = randomPeerId();
    const c = await joined(hub, id, 'room');
    try {
      await waitFor(async () => (await get(`${hub.url}/signaling`)).json.peers === 1, { what: 'announced' });
      const r = await get(`${hub.url}/peers?network=room`);
      if (mode === 'full') {
        assert.equal(r.status, 200);
        assert.equal(r.json.total, 1);
        assert.equal(r.json.peers[0].peerId, id);
      } else if (mode === 'counts') {
        assert.equal(r.status, 200);
        assert.deepEqual(r.json, { total: 1, network: 'room' });
        assert.ok(!r.text.includes(id));
      } else {
        assert.equal(r.status, 403);
        assert.match(r.json.error, /PEER_LIST=off/);
        assert.ok(!r.text.includes(id));
        assert.equal((await stats(hub)).peerListRefused, 1);
        assert.equal(await metric(hub, 'pigeonhub_peer_list_refused_total'), 1);
      }
    } finally {
      c.end();
      await hub.stop();
    }
  }
});

test('defaults: loopback is not exempt (MAX_CONNECTIONS_PER_ADDRESS=64 from one address)', async () => {
  const hub = await startHub({ env: { MAX_CONNECTIONS_PER_ADDRESS: undefined, MAX_HTTP_PER_ADDRESS: undefined,
    NEW_CONNECTION_RATE: '0', REST_RATE: undefined } });
  const open = [];
  try {
    for (let i = 0; i < 65; i++) open.push(await ws(hub, '127.0.0.1'));
    assert.equal(open.filter((s) => s.admitted).length, 64);
    assert.equal(open[64].c.close?.code ?? (await open[64].c.closed).code, 1008);
  } finally {
    for (const s of open) s.c.end();
    await hub.stop();
  }
});
