// Namespace access control (docs/AUTH.md, issue 15): real PeerPigeon 1.1.3 clients carry their join token in the
// hub URL's query (`ws://hub/?token=...`; the client keeps the query and appends `&peerId=`). Clients with a valid
// token discover each other and open a WebRTC channel; a client without one, with an expired one or one for
// another namespace is refused with `error` and neither discovers nor is discovered; open namespaces need nothing;
// passwords (argon2id) work the same way, bounded by AUTH_MAX_VERIFICATIONS. Also: the token vectors against
// Node's crypto, the tool that issues tokens, the checks at start, the counters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { startHub, hubBinary, randomPeerId, repoRoot, tempStateDir, waitFor } from './lib/hub.mjs';
import { connect, settled } from './lib/client.mjs';
import { createMesh, waitEvent } from './lib/peerpigeon.mjs';
import { keysFromSeed } from './lib/ed25519.mjs';
import { makeToken, verdict } from './lib/auth_tokens.mjs';

const deadline = setTimeout(() => { console.error('access test: overall timeout'); process.exit(1); }, 150000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'pigeonhub-access-'));
const PASSWORD = 'open sesame + ü&=?';
const now = () => Math.floor(Date.now() / 1000);
const run = (args, input) => execFileSync(hubBinary, args, { input, env: { PATH: process.env.PATH, HOME: dir } }).toString().trim();

let hub, issuerPem, hmacSecret, issuerPublic;
const meshes = [];

before(async () => {
  issuerPem = path.join(dir, 'issuer.pem');
  issuerPublic = run(['--make-issuer-key', issuerPem]);
  hmacSecret = run(['--make-hmac-secret']);
  writeFileSync(path.join(dir, 'hmac.secret'), hmacSecret + '\n');
  const hash = run(['--make-password-hash'], PASSWORD + '\n');
  writeFileSync(path.join(dir, 'auth.json'), JSON.stringify({ namespaces: {
    vault: { ed25519: [issuerPublic] },
    'team-*': { hmac: [hmacSecret] },
    club: { argon2id: [hash] },
  } }));
  hub = await startHub({ env: { NAMESPACE_AUTH: path.join(dir, 'auth.json') } });
});

after(async () => {
  for (const m of meshes) { try { m.disconnect(); } catch {} }
  await hub?.stop();
  clearTimeout(deadline);
  setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();  // @roamhq/wrtc keeps native threads
});

const token = (ns, expiresIn = 600) => run(['--make-token', ns, '--key', issuerPem, '--expires-in', String(expiresIn)]);
const stats = async () => (await (await fetch(`${hub.url}/stats`)).json()).access;
const hubUrl = (query) => `ws://127.0.0.1:${hub.port}/${query ? `?${query}` : ''}`;

// A raw client that carries `query` in its URL and announces into `ns`; resolves with the client and the first
// `error` or `peer-discovered` reply... or none (after a ping barrier).
async function rawJoin(ns, query = '') {
  const id = randomPeerId();
  const c = await connect(`ws://127.0.0.1:${hub.port}/?${query ? `${query}&` : ''}peerId=${id}`);
  c.id = id;
  await c.next((m) => m.type === 'connected');
  c.send({ type: 'announce', networkName: ns, data: { peerId: id } });
  await settled(c);
  return c;
}
const errors = (c) => c.of('error').map((e) => e.error);

test('the token vectors give the same verdicts with Node crypto', () => {
  const v = JSON.parse(readFileSync(path.join(repoRoot, 'tests/vectors/auth-tokens.json'), 'utf8'));
  const { publicKey } = keysFromSeed(v.issuerSeed);
  assert.equal(publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex'), v.issuerPublicKey);
  const keys = { publicKeyHex: v.issuerPublicKey, secret: Buffer.from(v.hmacSecret, 'hex') };
  assert.ok(v.cases.length >= 12);
  for (const c of v.cases) assert.equal(verdict(c.token, c.namespace, v.now, keys), c.verdict, c.name);
  // And a token made here is one the vectors' rules would accept.
  const mine = makeToken({ ns: 'room1', exp: v.now + 1, privateKey: keysFromSeed(v.issuerSeed).privateKey });
  assert.equal(verdict(mine, 'room1', v.now, keys), 'allowed');
});

test('two real clients with a token in the hub URL discover each other and connect; others are refused', async () => {
  const t = token('vault');
  assert.match(t, /^pht1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  const opts = { networkName: 'vault' };
  const a = await createMesh(opts), b = await createMesh(opts);
  const none = await createMesh(opts), expired = await createMesh(opts), other = await createMesh(opts);
  meshes.push(a, b, none, expired, other);
  const seen = new Map();
  for (const m of [a, b, none, expired, other]) {
    seen.set(m, new Set());
    m.addEventListener('peerDiscovered', (e) => seen.get(m).add(e.peerId));
  }
  const before = await stats();
  const aConn = waitEvent(a, 'peerConnected', (e) => e.peerId === b.peerId, 30000);
  const bConn = waitEvent(b, 'peerConnected', (e) => e.peerId === a.peerId, 30000);
  // The refused ones first, so that a discovery of them would have happened by the time a and b connect.
  const issuerKey = crypto.createPrivateKey(readFileSync(issuerPem, 'utf8'));
  await none.connect(hubUrl(''));
  await expired.connect(hubUrl(`token=${makeToken({ ns: 'vault', exp: now() - 1, privateKey: issuerKey })}`));
  await other.connect(hubUrl(`token=${token('vaults')}`));
  await waitFor(async () => {
    const s = await stats();
    return s.announces.missing > before.announces.missing && s.announces.expired > before.announces.expired &&
      s.announces.wrong_namespace > before.announces.wrong_namespace;
  }, { what: 'the three refusals counted' });
  await a.connect(hubUrl(`token=${t}`));
  await b.connect(hubUrl(`token=${encodeURIComponent(t)}&x=1`));
  await Promise.all([aConn, bConn]);
  const msg = 'inside the vault';
  const got = waitEvent(b, 'messageReceived', (m) => m.content === msg);
  await a.sendDirectMessage(b.peerId, msg);
  assert.equal((await got).from, a.peerId);

  assert.deepEqual([...seen.get(a)], [b.peerId]);
  assert.deepEqual([...seen.get(b)], [a.peerId]);
  for (const m of [none, expired, other]) assert.equal(seen.get(m).size, 0, 'a refused client discovered someone');
  const after = await stats();
  assert.ok(after.announces.allowed >= before.announces.allowed + 2);
  assert.ok(after.denied >= before.denied + 3);
  for (const m of [a, b, none, expired, other]) m.disconnect();
});

test('a refused announce gets the error; its signals do not reach members, nor theirs it', async () => {
  const member = await rawJoin('vault', `token=${token('vault')}`);
  assert.deepEqual(errors(member), []);
  const cases = [
    ['', 'Access denied: this namespace requires a token or password'],
    [`token=${token('vault', 1).replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'))}`, 'Access denied: invalid token'],
    ['token=garbage', 'Access denied: invalid token'],
    [`token=${token('elsewhere')}`, 'Access denied: token is for another namespace'],
    [`token=${run(['--make-token', 'vault', '--key', path.join(dir, 'hmac.secret')])}`, 'Access denied: invalid token'],
  ];
  for (const [query, text] of cases) {
    const c = await rawJoin('vault', query);
    assert.deepEqual(errors(c), [text], query);
    assert.equal(c.of('peer-discovered').length, 0);
    c.send({ type: 'offer', targetPeerId: member.id, networkName: 'vault', data: { sdp: 'x' } });
    member.send({ type: 'offer', targetPeerId: c.id, networkName: 'vault', data: { sdp: 'y' } });
    await settled(member, c);
    assert.equal(c.of('offer').length, 0);
    c.end();
  }
  assert.equal(member.of('offer').length, 0);
  assert.equal(member.of('peer-discovered').length, 0);
  member.end();
});

test('a member whose next announce fails leaves the namespace', async () => {
  const a = await rawJoin('vault', `token=${token('vault')}`);
  const short = token('vault', 2);  // valid for 1 to 2 s from now
  const b = await rawJoin('vault', `token=${short}`);
  await a.next((m) => m.type === 'peer-discovered' && m.data.peerId === b.id);
  const { exp } = JSON.parse(Buffer.from(short.split('.')[1], 'base64url'));
  await waitFor(() => Date.now() >= exp * 1000, { timeoutMs: 3000, intervalMs: 50, what: "b's token to expire" });
  b.send({ type: 'announce', networkName: 'vault', data: { peerId: b.id } });
  await b.next((m) => m.type === 'error');
  assert.deepEqual(errors(b), ['Access denied: token expired']);
  await a.next((m) => m.type === 'peer-disconnected' && m.data.peerId === b.id);
  a.end(); b.end();
});

test('HMAC tokens and prefix rules', async () => {
  const key = path.join(dir, 'hmac.secret');
  const a = await rawJoin('team-red', `token=${run(['--make-token', 'team-*', '--key', key])}`);
  const b = await rawJoin('team-red', `token=${run(['--make-token', 'team-red', '--key', key])}`);
  assert.deepEqual(errors(a), []);
  assert.deepEqual(errors(b), []);
  await a.next((m) => m.type === 'peer-discovered' && m.data.peerId === b.id);
  const c = await rawJoin('team-blue', `token=${run(['--make-token', 'team-red', '--key', key])}`);
  assert.deepEqual(errors(c), ['Access denied: token is for another namespace']);
  a.end(); b.end(); c.end();
});

test('members of protected namespaces are left out of /peers and /signaling; open ones are listed', async () => {
  const key = path.join(dir, 'hmac.secret');
  const secret = await rawJoin('team-green', `token=${run(['--make-token', 'team-green', '--key', key])}`);
  const open = await rawJoin('plaza');
  assert.deepEqual(errors(secret), []);
  const json = async (p) => (await fetch(`${hub.url}${p}`)).json();
  const all = await json('/peers');
  assert.ok(all.peers.some((p) => p.peerId === open.id), 'an open namespace\'s member is listed');
  assert.ok(!all.peers.some((p) => p.peerId === secret.id || p.networkName === 'team-green'));
  assert.equal(all.total, all.peers.length);
  const one = await json('/peers?network=team-green');
  assert.equal(one.total, 0);
  assert.deepEqual(one.peers, []);
  assert.equal((await json('/peers?network=plaza')).total, 1);
  const sig = await json('/signaling');
  assert.equal(sig.peersByNetwork.plaza, 1);
  assert.equal(sig.peersByNetwork['team-green'], undefined);
  secret.end(); open.end();
});

test('open namespaces need no token, with or without one in the URL', async () => {
  const a = await rawJoin('lobby');
  const b = await rawJoin('lobby', 'token=garbage');
  await a.next((m) => m.type === 'peer-discovered' && m.data.peerId === b.id);
  assert.deepEqual(errors(a), []);
  assert.deepEqual(errors(b), []);
  const g = await rawJoin(undefined);
  assert.deepEqual(errors(g), []);
  a.end(); b.end(); g.end();
});

test('password mode: real clients with ?password= meet; a wrong password is refused; results are cached', async () => {
  const q = `password=${encodeURIComponent(PASSWORD)}`;
  const a = await createMesh({ networkName: 'club' }), b = await createMesh({ networkName: 'club' });
  meshes.push(a, b);
  const aFound = waitEvent(a, 'peerDiscovered', (e) => e.peerId === b.peerId, 30000);
  const bFound = waitEvent(b, 'peerDiscovered', (e) => e.peerId === a.peerId, 30000);
  await a.connect(hubUrl(q));
  await b.connect(hubUrl(q));
  await Promise.all([aFound, bFound]);

  // The same password again: answered from the cache, no argon2id.
  const before = await stats();
  const c = await rawJoin('club', q);
  assert.deepEqual(errors(c), []);
  await c.next((m) => m.type === 'peer-discovered' && m.data.peerId === a.peerId);
  let s = await stats();
  assert.equal(s.passwordChecks, before.passwordChecks);
  assert.equal(s.passwordCacheHits, before.passwordCacheHits + 1);

  // A wrong one: checked once, refused, and refused from the cache the next time.
  const wrong = await rawJoin('club', 'password=open%20sesame');
  await wrong.next((m) => m.type === 'error', 10000);
  assert.deepEqual(errors(wrong), ['Access denied: wrong password']);
  const again = await rawJoin('club', 'password=open+sesame');
  assert.deepEqual(errors(again), ['Access denied: wrong password']);
  s = await stats();
  assert.equal(s.passwordChecks, before.passwordChecks + 1);
  assert.equal(s.announces.wrong_password, before.announces.wrong_password + 2);
  assert.equal(c.of('peer-discovered').some((m) => m.data.peerId === wrong.id || m.data.peerId === again.id), false);
  a.disconnect(); b.disconnect(); c.end(); wrong.end(); again.end();
});

test('password checks are bounded: beyond AUTH_MAX_VERIFICATIONS an announce gets the busy error', async () => {
  const own = await startHub({ env: { NAMESPACE_AUTH: path.join(dir, 'auth.json'), AUTH_MAX_VERIFICATIONS: '1' } });
  try {
    const clients = await Promise.all(Array.from({ length: 6 }, async (_, i) => {
      const id = randomPeerId();
      const c = await connect(`ws://127.0.0.1:${own.port}/?password=guess${i}&peerId=${id}`);
      await c.next((m) => m.type === 'connected');
      return c;
    }));
    for (const c of clients) c.send({ type: 'announce', networkName: 'club', data: {} });
    await Promise.all(clients.map((c) => c.next((m) => m.type === 'error', 20000)));
    const texts = clients.map((c) => errors(c)[0]);
    assert.ok(texts.includes('Access check busy: announce again shortly'), texts.join(' | '));
    assert.ok(texts.includes('Access denied: wrong password'), texts.join(' | '));
    const s = (await (await fetch(`${own.url}/stats`)).json()).access;
    assert.ok(s.announces.busy >= 1);
    assert.ok(s.passwordChecksRunning <= 1);
    const metrics = await (await fetch(`${own.url}/metrics`)).text();
    assert.match(metrics, /^pigeonhub_access_announces_total\{verdict="busy"\} [1-9]/m);
    for (const c of clients) c.end();
  } finally {
    await own.stop();
  }
});

test('secrets stay out of /stats, /metrics and the logs', async () => {
  const body = (await (await fetch(`${hub.url}/stats`)).text()) + (await (await fetch(`${hub.url}/metrics`)).text()) +
    hub.stderr();
  assert.ok(!body.includes(hmacSecret));
  assert.ok(!body.includes('argon2id$'));
  assert.ok(!body.includes(PASSWORD));
  const s = await stats();
  assert.equal(s.protectedNamespaces, 3);
});

test('a bad NAMESPACE_AUTH stops the hub at start with the reason, never the secret', () => {
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ namespaces: { vault: { hmac: ['tooshortsecret'] } } }));
  const r = spawnSync(hubBinary, [], { env: { PATH: process.env.PATH, PORT: '0', DHT_PORT: '0', HOST: '127.0.0.1',
    STATE_DIR: tempStateDir(), NAMESPACE_AUTH: bad }, timeout: 10000 });
  assert.equal(r.status, 2);
  const err = r.stderr.toString();
  assert.match(err, /NAMESPACE_AUTH: .*bad\.json: namespace 'vault': 'hmac'\[0\] must be a secret/);
  assert.ok(!err.includes('tooshortsecret'));
  const missing = spawnSync(hubBinary, [], { env: { PATH: process.env.PATH, PORT: '0', DHT_PORT: '0', HOST: '127.0.0.1',
    STATE_DIR: tempStateDir(), NAMESPACE_AUTH: path.join(dir, 'nope.json') }, timeout: 10000 });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr.toString(), /cannot read/);
  const noKey = spawnSync(hubBinary, ['--make-token', 'vault'], { env: { PATH: process.env.PATH, HOME: dir } });
  assert.equal(noKey.status, 1);
  assert.match(noKey.stderr.toString(), /needs --key/);
});
