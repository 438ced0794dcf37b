// Bootstrap from hub URLs (issue 12): a hub joins a mesh from a hub URL alone (its signed well-known document names
// the DHT endpoints), past a dead candidate, from DNS TXT records served by a real dnsmasq on loopback, and from its
// cache when its configured candidate is gone; DHT announcements that are forged, stale or wrongly keyed are
// refused; bad entries stop the hub with exit 2; --print-bootstrap lists the candidates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { startHub, startMesh, meshCa, freePort, tempStateDir, waitFor, dhtPort, hubBinary } from './lib/hub.mjs';
import { joined, get, sleep } from './lib/client.mjs';
import { startRogue, asciiJson } from './lib/rogue.mjs';
import { verifyHex } from './lib/ed25519.mjs';

const health = async (h) => (await get(`${h.url}/health`)).json;
const hubIds = async (h) => (await get(`${h.url}/hubs`)).json.hubs.map((x) => x.hubId);
const bootstrapStats = async (h) => (await get(`${h.url}/stats`)).json.bootstrap;

// A hub of the test's CA mesh on a port chosen beforehand, so that its PUBLIC_URL is known at start.
async function hubWithUrl(env = {}) {
  const port = await freePort();
  const h = await startHub({ env: { ...meshCa().env, PORT: String(port), PUBLIC_URL: `ws://127.0.0.1:${port}`, ...env } });
  h.publicUrl = `ws://127.0.0.1:${port}`;
  return h;
}

async function meshed(a, b) {
  await waitFor(async () => (await hubIds(b)).includes((await health(a)).nodeId) && (await hubIds(a)).includes((await health(b)).nodeId),
    { timeoutMs: 15000, intervalMs: 100, what: 'the two hubs to list each other' });
  const A = crypto.randomBytes(20).toString('hex'), B = crypto.randomBytes(20).toString('hex');
  const ns = `boot-${crypto.randomBytes(4).toString('hex')}`;
  const ca = await joined(a, A, ns);
  const cb = await joined(b, B, ns);
  try {
    await ca.next((m) => m.type === 'peer-discovered' && m.data.peerId === B, 10000);
    await cb.next((m) => m.type === 'peer-discovered' && m.data.peerId === A, 10000);
  } catch (e) {
    throw new Error(`${a.url} and ${b.url} list each other but their peers did not meet: ${e.message}`);
  } finally {
    ca.end(); cb.end();
  }
}

let A;
before(async () => { A = await hubWithUrl(); });
after(async () => { await A?.stop('SIGKILL'); });

test('the well-known document is signed, and a reader checks it with the key it names', async () => {
  const doc = (await get(`${A.url}/.well-known/pigeonhub-bootstrap`)).json;
  assert.equal(doc.hubId, (await health(A)).nodeId);
  assert.equal(doc.url, A.publicUrl);
  assert.deepEqual(doc.dht, [`127.0.0.1:${await dhtPort(A)}`]);
  const { signature, ...unsigned } = doc;
  assert.ok(verifyHex(JSON.stringify(['pigeonhub-bootstrap/1', unsigned]), doc.publicKey, signature));
});

test('a hub given only a hub URL joins its mesh', async () => {
  const B = await hubWithUrl({ BOOTSTRAP_PEERS: A.publicUrl });
  try {
    await meshed(A, B);
    await waitFor(async () => (await bootstrapStats(B)).joined, { timeoutMs: 3000, what: 'B to count itself joined' });
  } finally {
    await B.stop();
  }
});

test('a dead first candidate, then the second within the retry budget', async () => {
  const dead = `ws://127.0.0.1:${await freePort()}`;
  const t0 = Date.now();
  const C = await hubWithUrl({ BOOTSTRAP_PEERS: `${dead},${A.publicUrl}`, DHT_BOOTSTRAP_RETRIES: '2' });
  try {
    await meshed(A, C);
    console.log(`joined past a dead candidate after ${Date.now() - t0} ms`);
    await waitFor(async () => (await bootstrapStats(C)).failures >= 1, { timeoutMs: 5000, what: 'the dead candidate counted' });
  } finally {
    await C.stop();
  }
});

test('health checks take a dead candidate out of rotation and bring it back when it answers again', async () => {
  const dir = tempStateDir();
  const port = await freePort();
  const env = { ...meshCa().env, STATE_DIR: dir, PORT: String(port), PUBLIC_URL: `ws://127.0.0.1:${port}` };
  let X = await startHub({ env });
  const Y = await hubWithUrl({ BOOTSTRAP_PEERS: `ws://127.0.0.1:${port}`, BOOTSTRAP_HEALTH_INTERVAL: '1' });
  try {
    await meshed(X, Y);
    await X.stop('SIGKILL');
    await waitFor(async () => (await bootstrapStats(Y)).dead === 1, { timeoutMs: 5000, what: 'X out of rotation' });
    X = await startHub({ env });
    await waitFor(async () => (await bootstrapStats(Y)).dead === 0, { timeoutMs: 5000, what: 'X back in rotation' });
    assert.ok((await bootstrapStats(Y)).healthChecks >= 2);
  } finally {
    await X.stop();
    await Y.stop();
  }
});

test('a hub restarted with only its cache (its configured candidate gone) rejoins through a cached hub', async () => {
  const A2 = await hubWithUrl();
  const B = await hubWithUrl({ BOOTSTRAP_PEERS: A2.publicUrl });
  await meshed(A2, B);
  const dir = tempStateDir();
  let C = await hubWithUrl({ STATE_DIR: dir, BOOTSTRAP_PEERS: A2.publicUrl });
  try {
    await meshed(A2, C);
    // C learned B from A2's document (the hubs it knows) and cached both.
    await waitFor(async () => (await bootstrapStats(C)).candidates >= 2, { timeoutMs: 10000, what: 'C to learn B' });
    await C.stop();
    await A2.stop('SIGKILL');
    // Its cache, in a new state directory: a hub that comes back under the same identity is not reliably heard at
    // once by a peer whose listen predates the restart (OpenDHT keeps that listen on the old node until it is
    // refreshed; docs/BOOTSTRAP.md), which is not what this test is about.
    const fresh = tempStateDir();
    copyFileSync(`${dir}/bootstrap-cache.json`, `${fresh}/bootstrap-cache.json`);
    C = await startHub({ env: { ...meshCa().env, STATE_DIR: fresh, BOOTSTRAP_PEERS: A2.publicUrl } });
    assert.ok((await bootstrapStats(C)).cached >= 1, 'candidates from the cache');
    await meshed(B, C);
  } finally {
    await C.stop();
    await B.stop();
  }
});

test('a corrupt cache is a warning and is ignored', async () => {
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const dir = tempStateDir();
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/bootstrap-cache.json`, '{"peers":[{"u":');
  const D = await hubWithUrl({ STATE_DIR: dir, BOOTSTRAP_PEERS: A.publicUrl });
  try {
    await meshed(A, D);
    assert.match(D.stderr(), /bootstrap cache .*\(ignored\)/);
    assert.equal((await bootstrapStats(D)).cached, 0);
  } finally {
    await D.stop();
  }
});

test('DHT announcements: forged, stale and wrongly keyed ones are refused and counted', async () => {
  const [o1, o2] = await startMesh(2, { env: { MESH_TRUST: 'open', MESH_CA: undefined, MESH_CA_KEY: undefined,
    PUBLIC_URL: 'ws://127.0.0.1:1' } });
  const rogue = await startRogue({ bootstrapPort: await dhtPort(o1) });
  try {
    await waitFor(async () => (await bootstrapStats(o2)).announcementsAccepted >= 1, { timeoutMs: 10000, what: "o1's announcement at o2" });
    const keys = crypto.generateKeyPairSync('ed25519');
    const pub = keys.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
    const sign = (doc) => {
      const { signature, ...unsigned } = doc;
      return { ...unsigned, signature: crypto.sign(null, Buffer.from(JSON.stringify(['pigeonhub-bootstrap/1', unsigned])), keys.privateKey).toString('hex') };
    };
    const base = { v: 1, appId: 'pigeonhub-test', hubId: rogue.hubId, publicKey: pub, url: 'ws://evil.example:1', region: 'global',
      dht: ['127.0.0.1:9'], hubs: [], timestamp: Date.now() };
    const key = 'pigeonhub/pigeonhub-test/bootstrap';
    const before = (await bootstrapStats(o2)).announcementsRefused;
    await rogue.putSigned(key, asciiJson({ ...sign(base), url: 'ws://forged.example:1' }));           // forged: changed after signing
    await rogue.putSigned(key, asciiJson(sign({ ...base, timestamp: Date.now() - 2 * 3600 * 1000 })));  // stale
    await rogue.putSigned(key, asciiJson(sign({ ...base, hubId: '0'.repeat(40) })));                   // names another hub
    await waitFor(async () => (await bootstrapStats(o2)).announcementsRefused >= before + 3,
      { timeoutMs: 5000, what: 'three refusals' });
    const list = (await get(`${o2.url}/stats`)).json.bootstrap.candidateUrls;
    assert.ok(!list.some((u) => u.includes('evil') || u.includes('forged')), JSON.stringify(list));
  } finally {
    await rogue.stop();
    await o1.stop('SIGKILL');
    await o2.stop('SIGKILL');
  }
});

test('bad BOOTSTRAP_PEERS entries stop the hub (exit 2, naming the entry); --print-bootstrap lists the candidates', async () => {
  await assert.rejects(startHub({ env: { ...meshCa().env, BOOTSTRAP_PEERS: 'ws://127.0.0.1:1,not a peer' } }),
    /exited early \(code 2[\s\S]*not a peer/);
  const r = spawnSync(hubBinary, ['--print-bootstrap', '--json'], { encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: tempStateDir(), MESH_TRUST: 'open', REGION: 'eu-west',
      BOOTSTRAP_PEERS: 'ws://a.example:3000,10.0.0.1:4222,wss://b.example' } });
  assert.equal(r.status, 0, r.stderr);
  const peers = JSON.parse(r.stdout);
  assert.deepEqual(peers.map((p) => p.u), ['ws://a.example:3000', '10.0.0.1:4222', 'wss://b.example']);
  assert.ok(peers.every((p) => p.tier === 'custom' && p.source === 'env'));
  const text = spawnSync(hubBinary, ['--print-bootstrap'], { encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: tempStateDir(), BOOTSTRAP_PEERS: 'ws://a.example:3000', MESH_TRUST: 'open' } });
  assert.match(text.stdout, /custom\s+env\s+ws:\/\/a\.example:3000/);
});

test('DNS TXT records (a real dnsmasq on loopback) name a hub to join through', async () => {
  const port = await freePort();
  const txt = `v=pigeonhub1 u=${A.publicUrl} region=eu-west priority=1`;
  const dns = spawn('/usr/sbin/dnsmasq', ['--no-daemon', `--port=${port}`, '--listen-address=127.0.0.1',
    '--bind-interfaces', '--no-resolv', '--no-hosts', '--conf-file=/dev/null', '--pid-file=',
    // (one argument each, no quotes: dnsmasq would keep them as part of the text; a comma would split the string)
    `--txt-record=_pigeonhub-bootstrap.mesh.test,${txt}`, '--txt-record=_pigeonhub-bootstrap.mesh.test,v=spf1 -all'],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  process.on('exit', () => { try { dns.kill('SIGKILL'); } catch {} });
  try {
    await sleep(300);
    const D = await hubWithUrl({ BOOTSTRAP_DNS: 'mesh.test', DNS_SERVER: `127.0.0.1:${port}` });
    try {
      await meshed(A, D);
      const s = await bootstrapStats(D);
      assert.equal(s.dnsRecords, 1, JSON.stringify(s));
    } finally {
      await D.stop();
    }
  } finally {
    dns.kill('SIGKILL');
  }
});
