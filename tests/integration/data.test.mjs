// Signed data on the mesh (issue 11): POST /api/publish, GET /api/find/:topic, POST /api/replicate across real hubs
// on loopback. Publish on one hub, find on another; TTL expiry everywhere; a record signed by the test with Node's
// Ed25519; a tampered record refused; records kept across a restart; replication over HTTP when the hubs share
// no DHT; every bad input with its status.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startHub, startMesh, tempStateDir, freePort, waitFor } from './lib/hub.mjs';
import { get, sleep } from './lib/client.mjs';
import { verifyHex } from './lib/ed25519.mjs';

const post = async (hub, path, body) => {
  const r = await fetch(`${hub.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch {}
  return { status: r.status, json, text };
};
const find = async (hub, topic) => (await get(`${hub.url}/api/find/${encodeURIComponent(topic)}`)).json;
const dataStats = async (hub) => (await get(`${hub.url}/stats`)).json.data;

// What a publisher signs (src/data/data_record.h, docs/DATA.md).
const message = (r) => JSON.stringify(['pigeonhub-record/1', r.topic, r.seq, r.expires, r.data]);
function clientSigned(topic, data, { ttlMs = 60000, seq = Date.now(), keys = crypto.generateKeyPairSync('ed25519') } = {}) {
  const r = { topic, data, seq, expires: Date.now() + ttlMs };
  r.publicKey = keys.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  r.signature = crypto.sign(null, Buffer.from(message(r)), keys.privateKey).toString('hex');
  return r;
}
// Checks a record as a reader would, with no hub trusted: the signature over the canonical message.
function verifies(r) {
  return verifyHex(message(r), r.publicKey, r.signature);
}

let hubs;
before(async () => { hubs = await startMesh(3); });
after(async () => { for (const h of hubs) await h.stop('SIGKILL'); });

test('publish on one hub, found on another within 2 s; signed by the hub, checkable by anyone', async () => {
  const [A, B, C] = hubs;
  const t0 = Date.now();
  const r = await post(A, '/api/publish', { topic: 'greetings', data: { hello: 'world', n: 1.50, list: [1, 'two', null] }, ttl: 60 });
  assert.equal(r.status, 201, r.text);
  const rec = r.json;
  assert.deepEqual(rec.data, { hello: 'world', n: 1.5, list: [1, 'two', null] });
  assert.match(rec.publicKey, /^[0-9a-f]{64}$/);
  assert.match(rec.signature, /^[0-9a-f]{128}$/);
  assert.equal(rec.verified, true);
  assert.ok(Math.abs(rec.expires - (Date.now() + 60000)) < 5000);
  assert.ok(verifies(rec), 'a reader verifies the hub-signed record itself');
  const found = await waitFor(async () => (await find(C, 'greetings')).records.length === 1 && (await find(C, 'greetings')),
    { timeoutMs: 2000, intervalMs: 20, what: 'the record on hub C' });
  console.log(`published on A, findable on C after ${Date.now() - t0} ms`);
  assert.deepEqual(found.records[0], rec);
  assert.equal(found.topic, 'greetings');
  assert.equal((await find(B, 'greetings')).records.length, 1);
});

test('several publishers on one topic; the same publisher replaces its record when its seq is higher', async () => {
  const [A, B, C] = hubs;
  await post(A, '/api/publish', { topic: 'board', data: 'first from A' });
  const second = (await post(A, '/api/publish', { topic: 'board', data: 'second from A' })).json;
  await sleep(5);
  const fromB = (await post(B, '/api/publish', { topic: 'board', data: 'from B' })).json;
  const list = await waitFor(async () => { const f = await find(C, 'board'); return f.records.length === 2 && f; },
    { timeoutMs: 3000, what: 'two publishers on C' });
  assert.deepEqual(list.records.map((x) => x.data), ['from B', 'second from A'], 'newest first, one per publisher');
  assert.equal(list.records[1].seq, second.seq);
  assert.equal(list.records[0].publicKey, fromB.publicKey);
  assert.notEqual(fromB.publicKey, second.publicKey, 'each hub signs with its own key');
  // An older seq from the same publisher does not replace the newer one.
  const old = clientSigned('board2', 'v2', { seq: 2 });
  const keys = crypto.generateKeyPairSync('ed25519');
  const v2 = clientSigned('board2', 'v2', { seq: 2, keys });
  const v1 = clientSigned('board2', 'v1', { seq: 1, keys });
  assert.equal((await post(A, '/api/publish', v2)).status, 201);
  assert.equal((await post(A, '/api/publish', v1)).status, 409);
  assert.ok(old);
  assert.deepEqual((await find(A, 'board2')).records.map((x) => x.data), ['v2']);
});

test('TTL: an expired record is gone on every hub', async () => {
  const [A] = hubs;
  assert.equal((await post(A, '/api/publish', { topic: 'short', data: 1, ttl: 1 })).status, 201);
  for (const h of hubs) await waitFor(async () => (await find(h, 'short')).records.length === 1, { timeoutMs: 2000, what: 'found' });
  await sleep(1100);
  for (const h of hubs) assert.deepEqual((await find(h, 'short')).records, [], 'expired everywhere');
});

test('a record the publisher signed (Node Ed25519) is stored unchanged and verifies on every hub', async () => {
  const [A] = hubs;
  const rec = clientSigned('signed-by-client', { text: 'héllo wörld', nested: { a: [1.0, 2.5e-7, 1e21] } });
  const r = await post(A, '/api/publish', rec);
  assert.equal(r.status, 201, r.text);
  for (const h of hubs) {
    const f = await waitFor(async () => { const x = await find(h, 'signed-by-client'); return x.records.length === 1 && x; },
      { timeoutMs: 2000, what: 'the client-signed record' });
    const got = f.records[0];
    assert.equal(got.publicKey, rec.publicKey);
    assert.equal(got.signature, rec.signature);
    assert.equal(got.seq, rec.seq);
    assert.equal(got.expires, rec.expires);
    assert.deepEqual(got.data, rec.data);
    assert.ok(verifies(got));
  }
});

test('a record changed after signing is refused by /api/replicate and never returned', async () => {
  const [A, B] = hubs;
  const rec = clientSigned('tamper', { amount: 10 });
  const before = (await dataStats(B)).badSignatures;
  const forged = { ...rec, data: { amount: 1000 } };
  const r = await post(B, '/api/replicate', forged);
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'signature');
  assert.equal((await post(B, '/api/publish', forged)).status, 400);
  assert.equal((await post(B, '/api/replicate', { records: [rec, forged] })).status, 400, 'all or nothing');
  assert.deepEqual((await find(B, 'tamper')).records, []);
  assert.deepEqual((await find(A, 'tamper')).records, []);
  assert.ok((await dataStats(B)).badSignatures >= before + 3);
  // The genuine one is accepted, and is exactly what /api/find returns.
  const ok = await post(B, '/api/replicate', rec);
  assert.equal(ok.status, 202, ok.text);
  const got = (await find(B, 'tamper')).records[0];
  assert.equal((await post(A, '/api/replicate', got)).status, 202, 'a record as returned is what /api/replicate accepts');
});

test('records survive a restart (SIGTERM, and kill -9 a second after the publish)', async () => {
  const dir = tempStateDir();
  let h = await startHub({ env: { STATE_DIR: dir } });
  const kept = (await post(h, '/api/publish', { topic: 'durable', data: { v: 1 }, ttl: 600 })).json;
  await h.stop('SIGTERM');
  h = await startHub({ env: { STATE_DIR: dir } });
  assert.deepEqual((await find(h, 'durable')).records, [kept]);
  await post(h, '/api/publish', { topic: 'durable2', data: { v: 2 }, ttl: 600 });
  await sleep(1500);  // saved within a second of the change
  await h.stop('SIGKILL');
  h = await startHub({ env: { STATE_DIR: dir } });
  assert.equal((await find(h, 'durable2')).records.length, 1);
  assert.equal((await find(h, 'durable')).records.length, 1);
  await h.stop();
});

test('a corrupt store is reported and skipped; the hub starts anyway', async () => {
  const { writeFileSync, readFileSync } = await import('node:fs');
  const dir = tempStateDir();
  let h = await startHub({ env: { STATE_DIR: dir } });
  await post(h, '/api/publish', { topic: 'c1', data: 1, ttl: 600 });
  await h.stop('SIGTERM');
  const path = `${dir}/data-records.jsonl`;
  const lines = readFileSync(path, 'utf8').split('\n');
  const good = lines[1];
  const tampered = good.replace('"data":1', '"data":2');
  writeFileSync(path, [lines[0], good, tampered, '{"topic":"x"', good.slice(0, 40)].join('\n'));
  h = await startHub({ env: { STATE_DIR: dir } });
  assert.equal((await find(h, 'c1')).records.length, 1);
  assert.match(h.stderr(), /data store[\s\S]*line 3[\s\S]*skipped/);
  await h.stop();
  writeFileSync(path, 'garbage\n');
  h = await startHub({ env: { STATE_DIR: dir } });
  assert.match(h.stderr(), /not a PigeonHub data store/);
  assert.equal((await get(`${h.url}/health`)).status, 200);
  await h.stop();
});

test('with the DHT cut, a publish reaches the other hub over HTTP (REPLICATION_PEERS)', async () => {
  const portY = await freePort();
  const X = await startHub({ env: { DHT_NETWORK: '101', REPLICATION_PEERS: `http://127.0.0.1:${portY}` } });
  const Y = await startHub({ env: { DHT_NETWORK: '102', PORT: String(portY), REPLICATION_PEERS: `http://127.0.0.1:${X.port}` } });
  try {
    const t0 = Date.now();
    const rec = (await post(X, '/api/publish', { topic: 'cut', data: 'over http', ttl: 60 })).json;
    const f = await waitFor(async () => { const x = await find(Y, 'cut'); return x.records.length === 1 && x; },
      { timeoutMs: 5000, intervalMs: 20, what: 'the record on the other side of the cut' });
    console.log(`DHT cut: published on X, findable on Y after ${Date.now() - t0} ms (HTTP replication)`);
    assert.deepEqual(f.records[0], rec);
    const back = (await post(Y, '/api/publish', { topic: 'cut-back', data: 'the other way' })).json;
    const g = await waitFor(async () => { const x = await find(X, 'cut-back'); return x.records.length === 1 && x; },
      { timeoutMs: 5000, intervalMs: 20, what: 'the reply' });
    assert.equal(g.records[0].signature, back.signature);
    assert.ok((await dataStats(X)).replicationSent >= 1);
  } finally {
    await X.stop();
    await Y.stop();
  }
});

test('bad input: a JSON error with its field, and nothing stored', async () => {
  const [A] = hubs;
  const cases = [
    ['{"topic":', 400, ''],
    ['[1,2]', 400, ''],
    [{ data: 1 }, 400, 'topic'],
    [{ topic: 5, data: 1 }, 400, 'topic'],
    [{ topic: '', data: 1 }, 400, 'topic'],
    [{ topic: 'x'.repeat(257), data: 1 }, 400, 'topic'],
    [{ topic: 'bad-1' }, 400, 'data'],
    [{ topic: 'bad-2', data: 1, ttl: 0 }, 400, 'ttl'],
    [{ topic: 'bad-3', data: 1, ttl: 86401 }, 400, 'ttl'],
    [{ topic: 'bad-4', data: 1, ttl: '60' }, 400, 'ttl'],
    [{ topic: 'bad-5', data: 1, ttl: 1.5 }, 400, 'ttl'],
    [{ topic: 'bad-6', data: 'x'.repeat(16 * 1024) }, 413, 'data'],
    [{ topic: 'bad-7', data: 'x'.repeat(70 * 1024) }, 413, ''],
    [{ ...clientSigned('bad-8', 1), signature: 'zz' }, 400, 'signature'],
    [{ ...clientSigned('bad-9', 1), seq: -1 }, 400, 'seq'],
    [{ ...clientSigned('bad-10', 1, { ttlMs: 3 * 86400 * 1000 }) }, 400, 'expires'],
    [{ ...clientSigned('bad-11', 1, { ttlMs: -1000 }) }, 400, 'expires'],
  ];
  for (const [body, status, field] of cases) {
    const r = await post(A, '/api/publish', body);
    const what = typeof body === 'string' ? body : JSON.stringify(body).slice(0, 80);
    assert.equal(r.status, status, `${what}: ${r.text}`);
    assert.equal(typeof r.json.error, 'string', what);
    if (field) assert.equal(r.json.field, field, `${what}: ${r.text}`);
  }
  for (let i = 1; i <= 11; i++) assert.deepEqual((await find(A, `bad-${i}`)).records, []);
  assert.equal((await post(A, '/api/replicate', '{"topic":')).status, 400);
  const notArray = await post(A, '/api/replicate', { records: 5 });
  assert.equal(notArray.status, 400, notArray.text);
  assert.equal(notArray.json.field, 'records');
  assert.equal((await get(`${A.url}/api/publish`)).status, 405);
  assert.equal((await post(A, '/api/find/x', {})).status, 405);
  assert.equal((await get(`${A.url}/api/replicate`)).status, 405);
  assert.equal((await get(`${A.url}/api/find/`)).status, 404);
  assert.equal((await get(`${A.url}/api/find/%ff%fe`)).status, 400, 'a topic that is not UTF-8');
  assert.equal((await get(`${A.url}/api/find/${'x'.repeat(257)}`)).status, 400);
  // Topics are percent-decoded.
  const topic = 'a room/ü?&';
  assert.equal((await post(A, '/api/publish', { topic, data: 1 })).status, 201);
  assert.equal((await find(A, topic)).topic, topic);
  assert.equal((await find(A, topic)).records.length, 1);
});

test('examples/publish.sh and examples/find.sh do what the README says', async () => {
  const { execFileSync } = await import('node:child_process');
  const { repoRoot } = await import('./lib/hub.mjs');
  const [A, , C] = hubs;
  const run = (script, args, hub) => JSON.parse(execFileSync(`${repoRoot}/examples/${script}`, args,
    { env: { PATH: process.env.PATH, HUB: hub.url }, encoding: 'utf8' }));
  const rec = run('publish.sh', ['example "room"', '{"hello":"world"}', '120'], A);
  assert.equal(rec.topic, 'example "room"');
  assert.deepEqual(rec.data, { hello: 'world' });
  const found = await waitFor(async () => { const f = run('find.sh', ['example "room"'], C); return f.records.length === 1 && f; },
    { timeoutMs: 2000, what: 'find.sh on another hub' });
  assert.equal(found.records[0].signature, rec.signature);
});
