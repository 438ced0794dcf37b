// The pigeonhub client against three real hubs that know their public URLs and regions: publish with a client
// key pair on one hub and find on another (verified by the hubs and by the client), a forged record refused; and
// a HubDirectory built from one seed, ranking the mesh's hubs by region, used by connectSignaling in place of a
// fixed list, failing over to the next region when its hub dies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, meshCa, dhtPort, freePort, waitFor } from './lib/hub.mjs';
import { publish, find, generateKeyPair, signRecord, HubHttpError, HubDirectory, connectSignaling, ed25519Backend }
  from '../../clients/js/index.js';

const REGIONS = ['us-east', 'eu-west', 'global'];
let hubs = [];
const closers = [];
const deadline = setTimeout(() => { console.error('js_client_data: overall timeout'); process.exit(1); }, 60000);

// Hub i on a port chosen beforehand (so that PUBLIC_URL is known at start), in region REGIONS[i].
async function publicHub(i, extra = {}) {
  const port = await freePort();
  const h = await startHub({ env: { ...meshCa().env, PORT: String(port), PUBLIC_URL: `ws://127.0.0.1:${port}`, REGION: REGIONS[i], ...extra } });
  h.publicUrl = `ws://127.0.0.1:${port}`;
  return h;
}

before(async () => {
  hubs.push(await publicHub(0));
  const port = await dhtPort(hubs[0]);
  for (let i = 1; i < 3; i++) hubs.push(await publicHub(i, { DHT_BOOTSTRAP: `127.0.0.1:${port}` }));
  await waitFor(async () => {
    for (const h of hubs) {
      const j = await (await fetch(`${h.url}/hubs`)).json();
      if (j.hubs.filter((x) => x.url).length < 3) return false;
    }
    return true;
  }, { timeoutMs: 15000, intervalMs: 100, what: 'every hub to list the three public URLs' });
});

after(async () => {
  for (const c of closers) { try { c.close(); } catch {} }
  for (const h of hubs) await h.stop('SIGKILL');
  clearTimeout(deadline);
  setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();
});

test('publish with a client key pair on h1, find on h2: verified; a forged record is refused', async () => {
  console.log(`Ed25519 through ${await ed25519Backend()}`);
  const keyPair = await generateKeyPair();
  const topic = `js-client-${Date.now()}`;
  const data = { hello: 'world', n: 1.5, list: [1, 'two', null], nested: { 'é': '😀' } };
  const stored = await publish(hubs[0].url, topic, data, { ttl: 120, keyPair });
  assert.equal(stored.publicKey, keyPair.publicKey);
  assert.deepEqual(stored.data, data);

  const records = await waitFor(async () => {
    const r = await find(hubs[1].publicUrl, topic);
    return r.length > 0 ? r : null;
  }, { timeoutMs: 10000, intervalMs: 200, what: 'the record on h2' });
  assert.equal(records.length, 1);
  assert.equal(records[0].publicKey, keyPair.publicKey);
  assert.equal(records[0].verified, true);
  assert.deepEqual(records[0].data, data);

  // Forged: signed for other data, or by another key.
  const good = await signRecord(topic, { hello: 'forged' }, { ttl: 120, keyPair, seq: Date.now() + 10 });
  const other = await generateKeyPair();
  for (const forged of [{ ...good, data: { hello: 'changed' } }, { ...good, publicKey: other.publicKey }]) {
    const res = await fetch(`${hubs[1].url}/api/publish`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(forged) });
    assert.equal(res.status, 400, JSON.stringify(await res.json()));
  }
  // A stale seq is refused with 409, as a HubHttpError.
  await assert.rejects(publish(hubs[0].url, topic, data, { ttl: 120, keyPair, seq: 1 }), (e) => e instanceof HubHttpError && e.status === 409);
  // The client drops a record whose signature fails even when a hub vouches for it.
  const lying = async () => new Response(JSON.stringify({ topic, records: [{ ...records[0], data: { hello: 'lie' } }] }));
  assert.equal((await find(hubs[1].url, topic, { fetch: lying })).length, 0);
  assert.equal((await find(hubs[1].url, topic, { fetch: lying, verify: false })).length, 1);
});

test('HubDirectory from one seed: the mesh\'s hubs ranked by region; connectSignaling follows it on failover', async () => {
  const directory = new HubDirectory({ seeds: [hubs[0].url], region: 'eu-west' });
  closers.push(directory);
  await directory.ready;
  const urls = directory.urls();
  console.log(`directory (region eu-west): ${directory.hubs().map((h) => `${h.url} ${h.region} ${h.source}`).join(', ')}`);
  // eu-west (h2), then global (h3), then us-east (h1).
  assert.deepEqual(urls, [hubs[1].publicUrl, hubs[2].publicUrl, hubs[0].publicUrl]);

  const client = connectSignaling({ hubs: directory, region: 'eu-west', networkName: 'js-directory' });
  closers.push(client);
  await client.ready;
  assert.equal(client.hub, hubs[1].publicUrl);
  const moved = new Promise((resolve) => client.on('hub-changed', resolve));
  const t0 = performance.now();
  await hubs[1].stop('SIGKILL');
  const change = await moved;
  console.log(`directory failover: ${change.from} -> ${change.to} after ${(performance.now() - t0).toFixed(0)} ms`);
  assert.equal(change.to, hubs[2].publicUrl);
});
