// Mesh membership (MESH_TRUST): only hubs the operator's mesh CA admitted count as hubs. A rogue DHT participant
// (Debian's `dhtnode`, signing with a key it made itself; lib/rogue.mjs) joins a CA mesh of two real hubs and tries
// what it could before: a phantom peer, a claim on a real peer of another hub, a link-key request, a hub record
// with its own URL (and a member's certificate copied into it). None has any effect, each is counted; a revoked hub
// is dropped within a second; an open mesh behaves as before, `isHub` stripped; a hub that joins others without a
// CA refuses to start.
//
// dhtnode has no bind-address option: it binds 0.0.0.0 on a random UDP port for the few seconds of a test, and
// talks only to the hubs on 127.0.0.1 (its bootstrap and what they tell it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHub, startMesh, randomPeerId, waitFor, dhtPort, tempStateDir, meshCa } from './lib/hub.mjs';
import { joined, get, sleep, settled } from './lib/client.mjs';
import { startRogue, presenceKey, inboxKey, hubsKey, asciiJson, linkKeyRequest } from './lib/rogue.mjs';

const APP = 'pigeonhub-test';
const stats = async (h) => (await get(`${h.url}/stats`)).json.mesh;
const hubsOf = async (h) => (await get(`${h.url}/hubs`)).json;
const hubId = async (h) => (await get(`${h.url}/health`)).json.nodeId;

// A presence page as a hub writes it (src/mesh/mesh_records.h), without a signature.
const page = (hub, ns, peers, seq = Date.now() * 1000) => asciiJson({
  v: 4, hubId: hub, network: ns, page: 0, seq, peers: peers.map((p) => ({ peerId: p, data: { peerId: p, isHub: true, nick: 'rogue' } })),
});
// The same page with an Ed25519 signature as hubs add it (src/mesh/page_signature.h): over
// "pigeonhub-page/4\n" + the DHT key's name + "\n" + the page, appended as its last member "sig".
const signedPage = (privateKey, ns, text) => {
  const sig = crypto.sign(null, Buffer.from(`pigeonhub-page/4\n${presenceKey(APP, ns)}\n${text}`, 'utf8'), privateKey).toString('hex');
  return `${text.slice(0, -1)},"sig":"${sig}"}`;
};

let h1, h2, rogue, revokedFile, h2State;
before(async () => {
  revokedFile = path.join(tempStateDir(), 'revoked');
  writeFileSync(revokedFile, '# revoked hub ids\n');
  h2State = tempStateDir();
  const ca = meshCa().env;
  h1 = await startHub({ env: { ...ca, MESH_REVOKED: revokedFile } });
  h2 = await startHub({ env: { ...ca, STATE_DIR: h2State, DHT_BOOTSTRAP: `127.0.0.1:${await dhtPort(h1)}` } });
  await waitFor(async () => (await hubsOf(h1)).totalHubs === 2 && (await hubsOf(h2)).totalHubs === 2,
    { timeoutMs: 10000, intervalMs: 50, what: 'the two hubs to admit each other' });
  rogue = await startRogue({ bootstrapPort: await dhtPort(h1) });
});
after(async () => {
  await rogue?.stop();
  for (const h of [h1, h2]) await h?.stop('SIGKILL');
});

test('a rogue DHT node: no phantom, no stolen peer, no link key, not in /hubs; each attempt counted', async () => {
  const A = randomPeerId(), B = randomPeerId(), PHANTOM = randomPeerId();
  const a = await joined(h1, A, 'room');
  const b = await joined(h2, B, 'room');
  await a.next((m) => m.type === 'peer-discovered' && m.data.peerId === B, 5000);
  const before1 = await stats(h1);
  const h1Id = await hubId(h1);

  // Phantom peers, and a claim on B (a real peer of hub 2), in one page signed by the rogue's own key.
  await rogue.putSigned(presenceKey(APP, 'room'), page(rogue.hubId, 'room', [PHANTOM, B]));
  await waitFor(async () => (await stats(h1)).recordsPending > before1.recordsPending,
    { timeoutMs: 5000, what: 'hub 1 to hold the rogue page for a certificate' });
  // Pages are plain values: a page in hub 2's name (taking B away, adding a phantom), signed with a key of its own.
  const h2Id = await hubId(h2);
  const { privateKey: forger } = crypto.generateKeyPairSync('ed25519');
  await rogue.put(presenceKey(APP, 'room'), signedPage(forger, 'room', page(h2Id, 'room', [PHANTOM], Date.now() * 1000 + 9e9)));
  await rogue.put(presenceKey(APP, 'room'), page(h2Id, 'room', [PHANTOM]));  // and one with no signature at all
  await waitFor(async () => (await stats(h1)).refused.badSignature >= before1.refused.badSignature + 2,
    { timeoutMs: 5000, what: 'the forged pages to fail the Ed25519 check' });
  // A link-key request, signed and encrypted to hub 1 as a hub would send it.
  await rogue.putEncrypted(inboxKey(APP, h1Id), h1Id, linkKeyRequest());
  await waitFor(async () => (await stats(h1)).refusedKinds.keyRequest > before1.refusedKinds.keyRequest,
    { timeoutMs: 5000, what: 'the key request to be refused' });

  // B's signals still reach B, on hub 2, and only there.
  a.send({ type: 'offer', data: { sdp: 'for-b' }, targetPeerId: B, networkName: 'room' });
  assert.equal((await b.next((m) => m.type === 'offer' && m.data.sdp === 'for-b', 5000)).fromPeerId, A);
  const keysSent = (await stats(h1)).linkKeysSent;  // hub 2's key (with the first offer), and no other
  assert.ok(keysSent <= 1);

  // A hub record with its own URL, carrying hub 2's certificate as if it were its own.
  const cert = readFileSync(path.join(h2State, 'identity.crt'), 'utf8');
  await rogue.putSigned(hubsKey(APP), asciiJson({ v: 1, hubId: rogue.hubId, url: 'wss://evil.example/', region: 'x',
    version: '1', connections: 0, capacity: 1, updated: Date.now(), cert }));
  for (const h of [h1, h2]) {
    await waitFor(async () => (await stats(h)).refused.badCertificate >= 1, { timeoutMs: 5000, what: 'the hub record refused' });
  }
  await settled(a, b);
  const after1 = await stats(h1);
  assert.equal(after1.recordsPending, 0, 'the held page is dropped once its signer is refused');
  assert.ok(after1.refusedKinds.presence > before1.refusedKinds.presence, 'the rogue page counted');
  assert.ok(after1.refused.notMember > before1.refused.notMember);
  assert.equal(after1.linkKeysSent, keysSent, 'no key sent to the rogue');
  for (const h of [h1, h2]) {
    const list = await hubsOf(h);
    assert.equal(list.totalHubs, 2);
    assert.ok(!list.hubs.some((x) => x.hubId === rogue.hubId || x.url.includes('evil')), JSON.stringify(list));
  }
  assert.ok(!a.of('peer-discovered').some((m) => m.data.peerId === PHANTOM), 'no phantom peer');
  assert.equal(a.of('peer-disconnected').length, 0, 'B was never taken over');

  // And still: a second offer reaches B.
  a.send({ type: 'offer', data: { sdp: 'again' }, targetPeerId: B, networkName: 'room' });
  await b.next((m) => m.type === 'offer' && m.data.sdp === 'again', 5000);
  console.log(`rogue ${rogue.hubId}: hub 1 refused ${JSON.stringify(after1.refused)} by kind ${JSON.stringify(after1.refusedKinds)}; ` +
    `certificates verified ${after1.certificatesVerified}`);
  a.end(); b.end();
});

test('a revoked hub is dropped within one refresh: its peers leave, /hubs forgets it, its records are refused', async () => {
  const A = randomPeerId(), B = randomPeerId(), B2 = randomPeerId();
  const a = await joined(h1, A, 'revoke');
  const b = await joined(h2, B, 'revoke');
  await a.next((m) => m.type === 'peer-discovered' && m.data.peerId === B, 5000);
  const t0 = Date.now();
  writeFileSync(revokedFile, `# revoked\n${await hubId(h2)}  # hub 2\n`);
  await a.next((m) => m.type === 'peer-disconnected' && m.data.peerId === B, 5000);
  const took = Date.now() - t0;
  console.log(`revocation took effect after ${took} ms`);
  assert.ok(took < 10000, 'within one hub-record period');
  assert.equal((await hubsOf(h1)).totalHubs, 1);
  const b2 = await joined(h2, B2, 'revoke');  // a new edit of hub 2's page
  await waitFor(async () => (await stats(h1)).refused.revoked >= 1, { timeoutMs: 5000, what: 'hub 2 records refused as revoked' });
  await settled(a);
  assert.ok(!a.of('peer-discovered').some((m) => m.data.peerId === B2));
  a.send({ type: 'offer', data: { sdp: 'revoked' }, targetPeerId: B, networkName: 'revoke' });
  await settled(a);
  await sleep(200);
  assert.ok(!b.of('offer').some((m) => m.data.sdp === 'revoked'), 'nothing sent to a revoked hub');
  // Un-revoked: its next hub record (every 10 s) admits it again.
  writeFileSync(revokedFile, '\n');
  await waitFor(async () => (await hubsOf(h1)).totalHubs === 2, { timeoutMs: 15000, intervalMs: 200, what: 'hub 2 admitted again' });
  a.end(); b.end(); b2.end();
});

test('MESH_TRUST=open: any DHT node with a hub record counts, as before, but isHub never comes from a remote page', async () => {
  const [o1, o2] = await startMesh(2, { env: { MESH_TRUST: 'open', MESH_CA: undefined, MESH_CA_KEY: undefined } });
  const r = await startRogue({ bootstrapPort: await dhtPort(o1) });
  try {
    assert.equal((await get(`${o1.url}/health`)).json.meshTrust, 'open');
    const A = randomPeerId(), PHANTOM = randomPeerId();
    const a = await joined(o1, A, 'open-room');
    // Its pages are checked with the page key its (signed) hub record shows, as every hub's are.
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
    const pageKey = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
    await r.putSigned(hubsKey(APP), asciiJson({ v: 1, hubId: r.hubId, url: 'ws://127.0.0.1:9/', region: 'x', version: '1',
      connections: 0, capacity: 1, updated: Date.now(), cert: '', pageKey }));
    await r.put(presenceKey(APP, 'open-room'), signedPage(privateKey, 'open-room', page(r.hubId, 'open-room', [PHANTOM])));
    const seen = await a.next((m) => m.type === 'peer-discovered' && m.data.peerId === PHANTOM, 5000);
    assert.deepEqual(seen.data, { peerId: PHANTOM, isHub: false, nick: 'rogue' });
    a.end();
  } finally {
    await r.stop();
    await o1.stop('SIGKILL');
    await o2.stop('SIGKILL');
  }
});

test('a hub that joins other DHT nodes without a mesh CA refuses to start, naming both ways out', async () => {
  await assert.rejects(startHub({ env: { DHT_BOOTSTRAP: `127.0.0.1:${await dhtPort(h1)}` } }),
    /exited early \(code 2[\s\S]*MESH_CA[\s\S]*--mesh-ca-init[\s\S]*MESH_TRUST=open/);
  // Its own id in its MESH_REVOKED list: it is no hub of this mesh any more.
  const list = path.join(tempStateDir(), 'revoked');
  writeFileSync(list, `${await hubId(h2)}\n`);
  await assert.rejects(startHub({ env: { ...meshCa().env, STATE_DIR: h2State, MESH_REVOKED: list } }),
    /exited early \(code 2[\s\S]*listed in MESH_REVOKED/);
});
