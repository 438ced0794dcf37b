// The pigeonhub JavaScript client (clients/js) without hubs: bootstrap order against the shared vectors (the same
// file the C++ unit test reads), the full-jitter backoff, data-record signing against the data vectors, the send
// queue's bound, and what `npm pack` would ship.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  getBootstrapPeers, parsePeers, parseBootstrapPeersFromEnv, backoffDelay, backoffCeiling, DEFAULT_BACKOFF,
  generatePeerId, signText, verifyRecord, recordMessage, canonicalJson, rankHubs, redirectTarget, mergeHubLists,
  connectSignaling, QueueFullError, bootstrapDocumentMessage, verifyText,
} from '../../clients/js/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const vector = (name) => JSON.parse(fs.readFileSync(path.join(here, '..', 'vectors', name), 'utf8'));

test('bootstrap order: every case of tests/vectors/bootstrap-peers.json', () => {
  const v = vector('bootstrap-peers.json');
  assert.ok(v.cases.length >= 30);
  const line = (p) => `${p.t} ${p.u} ${p.tier} ${p.source}`;
  for (const c of v.cases) {
    let got;
    let error = '';
    try {
      const lists = {};
      for (const n of ['production', 'regional', 'community', 'discovered']) {
        if (n in c) lists[n] = parsePeers(c[n], { tier: n, source: v.sources[n] });
      }
      got = getBootstrapPeers({ environment: c.environment, region: c.region, customPeers: c.customPeers ?? '',
        includeLocal: c.includeLocal, ...lists });
    } catch (e) {
      error = e.message;
    }
    if ('error' in c) {
      assert.ok(error.includes(c.error), `${c.name}: error ${JSON.stringify(error)} lacks ${JSON.stringify(c.error)}`);
    } else {
      assert.equal(error, '', c.name);
      assert.deepEqual(got.map(line), c.expected.map(line), c.name);
    }
  }
});

test('parseBootstrapPeersFromEnv: the seed\'s peer shape, entry n at priority n', () => {
  const [a, b] = parseBootstrapPeersFromEnv('wss://a.example, ,[2001:db8::1]:4222');
  assert.deepEqual(a, { t: 'hub', u: 'wss://a.example', region: '', priority: 1, description: 'BOOTSTRAP_PEERS entry 1', tier: 'custom', source: 'env' });
  assert.equal(b.t, 'dht');
  assert.equal(b.priority, 3);
});

test('backoff: full jitter within [0, min(cap, base * 2^n)], spread over the whole range', () => {
  const policy = { baseMs: 250, capMs: 30000 };
  assert.deepEqual(DEFAULT_BACKOFF, policy);
  assert.deepEqual([0, 1, 2, 3, 6, 7, 50].map((n) => backoffCeiling(n, policy)), [250, 500, 1000, 2000, 16000, 30000, 30000]);
  assert.equal(backoffDelay(3, policy, () => 0), 0);
  assert.equal(backoffDelay(3, policy, () => 0.999999999), 2000);
  for (const n of [0, 2, 5, 9]) {
    const ceiling = backoffCeiling(n, policy);
    const draws = Array.from({ length: 2000 }, () => backoffDelay(n, policy));
    const min = Math.min(...draws);
    const max = Math.max(...draws);
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    const sd = Math.sqrt(draws.reduce((s, x) => s + (x - mean) ** 2, 0) / draws.length);
    console.log(`attempt ${n}: ceiling ${ceiling} ms, 2000 draws min ${min} max ${max} mean ${mean.toFixed(0)} sd ${sd.toFixed(0)}`);
    assert.ok(draws.every((d) => Number.isInteger(d) && d >= 0 && d <= ceiling));
    // Uniform on [0, c]: mean c/2, standard deviation c/sqrt(12); both within 10 %, and the extremes reached.
    assert.ok(Math.abs(mean - ceiling / 2) < ceiling * 0.05, `mean ${mean}`);
    assert.ok(Math.abs(sd - ceiling / Math.sqrt(12)) < ceiling / Math.sqrt(12) * 0.1, `sd ${sd}`);
    assert.ok(min < ceiling * 0.02 && max > ceiling * 0.98, `range ${min}..${max}`);
  }
});

test('generatePeerId: 40 lower-case hex, all different', () => {
  const ids = new Set(Array.from({ length: 1000 }, generatePeerId));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, /^[0-9a-f]{40}$/);
});

test('data records: the client signs the vectors\' messages to the vectors\' signatures', async () => {
  const v = vector('data-records.json');
  const keyPair = { publicKey: v.publicKey, privateKey: v.seed };
  for (const r of v.records) {
    const message = recordMessage(r.topic, r.seq, r.expires, r.data);
    assert.equal(message, r.message, r.topic);
    assert.equal(await signText(keyPair, message), r.signature, r.topic);
    assert.ok(await verifyRecord({ ...r, publicKey: v.publicKey }), r.topic);
    assert.ok(!(await verifyRecord({ ...r, publicKey: v.publicKey, seq: r.seq + 1 })), r.topic);
  }
  for (const c of v.canonical) assert.equal(canonicalJson(JSON.parse(c.input)), c.output);
  for (const bad of [NaN, Infinity, { a: () => 0 }, '\ud800', { d: new Date(0) }]) {
    assert.throws(() => canonicalJson(bad), /./, String(bad));
  }
});

test('bootstrap documents: the client checks the vectors\' signatures and refuses a changed one', async () => {
  const v = vector('bootstrap-document.json');
  for (const d of v.documents) {
    const doc = JSON.parse(d.document);
    assert.equal(bootstrapDocumentMessage(doc), d.message);
    assert.ok(await verifyText(doc.publicKey, bootstrapDocumentMessage(doc), doc.signature));
    assert.ok(!(await verifyText(doc.publicKey, bootstrapDocumentMessage({ ...doc, url: 'wss://evil.example' }), doc.signature)));
  }
});

test('hub ranking: failed hubs last, then region, priority, load', () => {
  const hubs = [
    { url: 'ws://a', region: 'us-east', connections: 10, capacity: 100 },
    { url: 'ws://b', region: 'eu-west', connections: 90, capacity: 100 },
    { url: 'ws://c', region: 'eu-west', connections: 5, capacity: 100 },
    { url: 'ws://d', region: 'global' },
  ];
  const now = 1000;
  assert.deepEqual(rankHubs(hubs, { region: 'eu-west', now }).map((h) => h.url), ['ws://c', 'ws://b', 'ws://d', 'ws://a']);
  assert.deepEqual(rankHubs(hubs, { region: 'eu-west', now, downUntil: new Map([['ws://c', 2000]]) }).map((h) => h.url),
    ['ws://b', 'ws://d', 'ws://a', 'ws://c']);
  assert.deepEqual(rankHubs(hubs, { now }).map((h) => h.url), ['ws://d', 'ws://a', 'ws://c', 'ws://b']);
});

test('hub lists merge by URL: /hubs wins over the document, both over a seed', () => {
  const merged = mergeHubLists({
    seeds: ['http://127.0.0.1:1/', 'ws://127.0.0.1:9'],
    document: { url: 'ws://127.0.0.1:1', region: 'eu-west', hubs: [{ t: 'hub', u: 'wss://x.example/', region: 'us-east', priority: 5 }] },
    hubsAnswer: { hubs: [{ url: 'ws://127.0.0.1:1', region: 'eu-west', connections: 3, capacity: 10 }, { url: '', region: 'x' }] },
  });
  assert.deepEqual(merged.map((h) => [h.url, h.source, h.region ?? '']),
    [['ws://127.0.0.1:1', 'hubs', 'eu-west'], ['ws://127.0.0.1:9', 'seed', ''], ['wss://x.example', 'document', 'us-east']]);
});

test('PeerPigeon redirect: the asked hub while fine, the best live hub of the list once it failed', () => {
  const hubs = [{ url: 'ws://127.0.0.1:1' }, { url: 'ws://127.0.0.1:2' }, { url: 'ws://127.0.0.1:3' }];
  const asked = 'ws://127.0.0.1:1/?peerId=ab';
  assert.equal(redirectTarget(asked, hubs, { now: 5 }), asked);
  assert.equal(redirectTarget(asked, hubs, { now: 5, downUntil: new Map([['ws://127.0.0.1:1', 10]]) }), 'ws://127.0.0.1:2/?peerId=ab');
  assert.equal(redirectTarget(asked, hubs, { now: 5, downUntil: new Map([['ws://127.0.0.1:1', 10], ['ws://127.0.0.1:2', 9]]) }),
    'ws://127.0.0.1:3/?peerId=ab');
  assert.equal(redirectTarget('ws://elsewhere:4/x?y=1', hubs, { now: 5, downUntil: new Map([['ws://elsewhere:4/x', 10]]) }), 'ws://elsewhere:4/x?y=1');
});

test('send queue: signals wait while no hub is connected, up to queueLimit, then QueueFullError', async () => {
  // A hub address nothing listens on: the client keeps retrying and never connects.
  const client = connectSignaling({ hubs: ['ws://127.0.0.1:9'], queueLimit: 3, backoff: { baseMs: 50, capMs: 100 } });
  try {
    for (let i = 0; i < 3; i++) assert.equal(client.send({ type: 'offer', targetPeerId: 'a'.repeat(40), data: { i } }), 'queued');
    assert.throws(() => client.send({ type: 'offer', targetPeerId: 'a'.repeat(40), data: { i: 3 } }), QueueFullError);
    assert.equal(client.queued, 3);
  } finally {
    client.close();
  }
  assert.throws(() => client.send({ type: 'offer' }), /closed/);
  await assert.rejects(client.ready, /closed/);
});

test('npm pack ships only the package: index.js, index.d.ts, README.md, package.json, src/*.js', () => {
  const dir = path.join(here, '..', '..', 'clients', 'js');
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'pigeonhub-npm-cache-'));
  let out;
  try {
    out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8',
      env: { ...process.env, npm_config_cache: cache, npm_config_update_notifier: 'false' } });
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
  const [pack] = JSON.parse(out);
  assert.equal(pack.name, 'pigeonhub');
  const files = pack.files.map((f) => f.path).sort();
  const sources = fs.readdirSync(path.join(dir, 'src')).filter((f) => f.endsWith('.js')).map((f) => `src/${f}`);
  assert.deepEqual(files, ['README.md', 'index.d.ts', 'index.js', 'package.json', ...sources].sort());
  console.log(`npm pack: ${files.length} files, ${pack.size} bytes packed, ${pack.unpackedSize} unpacked`);
});

test('browser-reachable modules import nothing from node: at top level', () => {
  const dir = path.join(here, '..', '..', 'clients', 'js');
  for (const f of ['index.js', ...fs.readdirSync(path.join(dir, 'src')).map((f) => `src/${f}`)]) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    assert.ok(!/^\s*import\s[^;]*from\s+['"](node:|ws['"])/m.test(text), `${f} has a static node:/ws import`);
    assert.ok(!/\brequire\(/.test(text), `${f} uses require`);
  }
});

test('a hub that goes silent (no answer to ping) is left for the next one', async () => {
  const { WebSocketServer } = await import('ws');
  const servers = await Promise.all([0, 1].map(() => new Promise((resolve) => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => resolve(wss));
  })));
  const seen = [[], []];
  servers.forEach((wss, i) => wss.on('connection', (ws) => {
    ws.send(JSON.stringify({ type: 'connected', data: {} }));
    ws.on('message', (m) => {
      seen[i].push(JSON.parse(m.toString()).type);
      if (i === 1 && JSON.parse(m.toString()).type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
    });
  }));
  const urls = servers.map((s) => `ws://127.0.0.1:${s.address().port}`);
  const client = connectSignaling({ hubs: urls, pingIntervalMs: 200, pingTimeoutMs: 200, backoff: { baseMs: 10, capMs: 10 } });
  try {
    await client.ready;
    assert.equal(client.hub, urls[0]);
    const t0 = Date.now();
    const lost = await new Promise((resolve) => client.on('disconnected', resolve));
    const moved = await new Promise((resolve) => client.on('hub-changed', resolve));
    assert.equal(lost.reason, 'hub silent');
    assert.ok(Date.now() - t0 >= 350, 'not before interval + timeout');
    assert.deepEqual(moved, { from: urls[0], to: urls[1] });
    assert.deepEqual(seen[0].slice(0, 2), ['announce', 'ping']);
  } finally {
    client.close();
    for (const s of servers) { for (const c of s.clients) c.terminate(); s.close(); }
  }
});

test('Ed25519: WebCrypto and node:crypto (Node 18\'s path) both sign the vectors\' messages to their signatures', async () => {
  const { backends } = await import('../../clients/js/src/ed25519.js');
  const v = vector('data-records.json');
  let checked = 0;
  for (const [name, make] of Object.entries(backends)) {
    let b;
    try { b = await make(); } catch (e) {
      assert.equal(name, 'webcrypto', `${name}: ${e.message}`);  // Node 18's WebCrypto has no Ed25519
      console.log(`WebCrypto Ed25519 not available here (${e.message}): node:crypto only`);
      continue;
    }
    checked++;
    for (const r of v.records) {
      assert.equal(await b.sign(v.seed, r.message), r.signature, `${name} ${r.topic}`);
      assert.ok(await b.verify(v.publicKey, r.message, r.signature), `${name} ${r.topic}`);
      assert.ok(!(await b.verify(v.publicKey, `${r.message} `, r.signature)), `${name} ${r.topic}`);
    }
    const kp = await b.generate();
    assert.match(kp.publicKey, /^[0-9a-f]{64}$/);
    assert.ok(await b.verify(kp.publicKey, 'x', await b.sign(kp.privateKey, 'x')), name);
  }
  assert.ok(checked >= 1);
});

test('the seed\'s calls: customPeers as [{t: "wss", u}], and getBootstrapPeers from "pigeonhub/config"', async () => {
  const dir = path.join(here, '..', '..', 'clients', 'js');
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const config = await import(path.join(dir, pkg.exports['./config'].default));
  const peers = config.getBootstrapPeers({ environment: 'production', region: 'us-west', customPeers: [
    { t: 'wss', u: 'wss://your-domain.com' },
    { t: 'wss', u: 'wss://backup.your-org.net', region: 'us-west', priority: 1, description: 'Primary' },
  ], includeLocal: false });
  assert.deepEqual(peers.map((p) => [p.t, p.u, p.tier, p.priority]),
    [['hub', 'wss://backup.your-org.net', 'custom', 1], ['hub', 'wss://your-domain.com', 'custom', 100]]);
  assert.equal(config.parseBootstrapPeersFromEnv('wss://a.example,wss://b.example').length, 2);
  assert.throws(() => config.getBootstrapPeers({ customPeers: [{ t: 'dht', u: 'wss://x.example' }] }), /t 'dht' does not match/);
  assert.throws(() => config.getBootstrapPeers({ customPeers: ['nonsense'] }), /is neither/);
});

test('a hub that accepts the socket but never sends `connected` is left after connectTimeoutMs', async () => {
  const { WebSocketServer } = await import('ws');
  const mute = await new Promise((resolve) => { const w = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => resolve(w)); });
  const good = await new Promise((resolve) => { const w = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => resolve(w)); });
  good.on('connection', (ws) => ws.send(JSON.stringify({ type: 'connected', data: {} })));
  const urls = [mute, good].map((s) => `ws://127.0.0.1:${s.address().port}`);
  const t0 = Date.now();
  const client = connectSignaling({ hubs: urls, connectTimeoutMs: 300, backoff: { baseMs: 10, capMs: 10 } });
  try {
    const { hub } = await client.ready;
    assert.equal(hub, urls[1]);
    assert.ok(Date.now() - t0 >= 290, `moved after ${Date.now() - t0} ms`);
  } finally {
    client.close();
    for (const s of [mute, good]) { for (const c of s.clients) c.terminate(); s.close(); }
  }
});

test('HubDirectory ignores a bootstrap document whose signature fails, keeps one that verifies', async () => {
  const v = vector('bootstrap-document.json');
  const doc = JSON.parse(v.documents[0].document);
  const answers = (document) => async (url) => new Response(JSON.stringify(url.endsWith('/hubs')
    ? { hubs: [{ url: 'ws://127.0.0.1:7', region: 'us-east', connections: 1, capacity: 10 }] } : document));
  const { HubDirectory } = await import('../../clients/js/index.js');
  const good = new HubDirectory({ seeds: ['http://127.0.0.1:7'], fetch: answers(doc), region: 'eu-west' });
  const bad = new HubDirectory({ seeds: ['http://127.0.0.1:7'], fetch: answers({ ...doc, url: 'wss://evil.example' }), region: 'eu-west' });
  try {
    await Promise.all([good.ready, bad.ready]);
    // The signed document names wss://hub.example.org/ (eu-west, ranked first) and two more hubs.
    assert.equal(good.urls()[0], 'wss://hub.example.org');
    assert.ok(good.urls().includes('wss://other.example.net'));
    assert.deepEqual(bad.urls(), ['ws://127.0.0.1:7']);
  } finally {
    good.close();
    bad.close();
  }
});

test('without a global crypto (Node 18): peer ids and Ed25519 through node:crypto', () => {
  const index = path.join(here, '..', '..', 'clients', 'js', 'index.js');
  const v = vector('data-records.json');
  const r = v.records[0];
  const script = `delete globalThis.crypto;
    const p = await import(${JSON.stringify(index)});
    const kp = { publicKey: ${JSON.stringify(v.publicKey)}, privateKey: ${JSON.stringify(v.seed)} };
    console.log(JSON.stringify({ id: p.generatePeerId(), backend: await p.ed25519Backend(),
      signature: await p.signText(kp, ${JSON.stringify(r.message)}) }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
  assert.match(out.id, /^[0-9a-f]{40}$/);
  assert.equal(out.backend, 'node:crypto');
  assert.equal(out.signature, r.signature);
});

test('after a reconnect a queued signal waits for its target\'s peer-discovered (or holdForTargetMs); others go at once', async () => {
  const { WebSocketServer } = await import('ws');
  const wss = await new Promise((resolve) => { const w = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => resolve(w)); });
  const T = 'a'.repeat(40);
  const U = 'b'.repeat(40);
  const got = [];
  let t0 = 0;
  wss.on('connection', (ws) => {
    ws.on('message', (m) => got.push({ ...JSON.parse(m.toString()), at: Date.now() - t0 }));
    setTimeout(() => {
      t0 = Date.now();
      ws.send(JSON.stringify({ type: 'connected', data: {} }));
      setTimeout(() => ws.send(JSON.stringify({ type: 'peer-discovered', data: { peerId: T }, networkName: 'n' })), 300);
    }, 100);
  });
  const client = connectSignaling({ hubs: [`ws://127.0.0.1:${wss.address().port}`], networkName: 'n', holdForTargetMs: 800 });
  try {
    assert.equal(client.send({ type: 'offer', targetPeerId: T, data: 1 }), 'queued');
    assert.equal(client.send({ type: 'offer', targetPeerId: U, data: 2 }), 'queued');
    assert.equal(client.send({ type: 'cleanup' }), 'queued');
    await client.ready;
    assert.equal(client.send({ type: 'ice-candidate', targetPeerId: T, data: 3 }), 'queued', 'behind the held offer for T');
    await new Promise((resolve) => { const check = setInterval(() => { if (got.length >= 5) { clearInterval(check); resolve(); } }, 20); });
    assert.deepEqual(got.map((m) => [m.type, m.data ?? null]).slice(0, 5),
      [['announce', { peerId: client.peerId }], ['cleanup', null], ['offer', 1], ['ice-candidate', 3], ['offer', 2]]);
    const at = Object.fromEntries(got.map((m) => [`${m.type}${m.data ?? ''}`, m.at]));
    assert.ok(at.offer1 >= 290 && at.offer1 < 700, `offer for T at ${at.offer1} ms (discovered at 300)`);
    assert.ok(at.offer2 >= 790, `offer for U at ${at.offer2} ms (holdForTargetMs 800)`);
    assert.equal(client.queued, 0);
  } finally {
    client.close();
    for (const c of wss.clients) c.terminate();
    wss.close();
  }
});
