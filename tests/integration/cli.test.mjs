// The pigeonhub CLI (issue 13) against a live 3-hub CA mesh: its own DHT node (put on hub 1's DHT, get through
// hub 2's; listen; peers from presence pages; find of data records) and the HTTP side (hubs, publish, health,
// monitor). Binary: env PIGEONHUB_CLI (default build/pigeonhub). Every process on 127.0.0.1, killed by PID.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startMesh, dhtPort, repoRoot, freePort, randomPeerId, waitFor } from './lib/hub.mjs';
import { joined } from './lib/client.mjs';

const cliBinary = process.env.PIGEONHUB_CLI || path.join(repoRoot, 'build', 'pigeonhub');
const APP = 'pigeonhub-test';  // startHub's APP_ID
const live = new Set();
process.on('exit', () => { for (const c of live) { try { process.kill(c.pid, 'SIGKILL'); } catch {} } });

// Runs the CLI; resolves {code, stdout, stderr}. `onStdout` sees output as it comes.
function cli(args, { timeoutMs = 20000, onStdout } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cliBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; if (onStdout) onStdout(stdout); });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`pigeonhub ${args.join(' ')} timed out; ${stderr}`)); }, timeoutMs);
    child.on('exit', (code) => { clearTimeout(timer); live.delete(child); resolve({ code, stdout, stderr }); });
  });
}

let hubs, dht;
before(async () => {
  hubs = await startMesh(3);
  dht = await Promise.all(hubs.map(dhtPort));
});
after(async () => { for (const h of hubs ?? []) await h.stop(); });

const via = (i) => ['--bootstrap', `127.0.0.1:${dht[i]}`, '--app-id', APP];

test('put through a CLI node on hub 1, get through another on hub 2', async () => {
  const key = `cli-test-${randomPeerId()}`;
  const put = await cli([...via(0), 'put', key, 'hello mesh']);
  assert.equal(put.code, 0, put.stderr);
  const got = await waitFor(async () => {
    const r = await cli([...via(1), '--json', 'get', key]);
    return r.code === 0 ? r : null;
  }, { timeoutMs: 15000, intervalMs: 200, what: 'the value through hub 2' });
  const values = got.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(values.some((v) => v.data === 'hello mesh'));
  const signed = await cli([...via(0), 'put', '--signed', key, 'signed one']);
  assert.equal(signed.code, 0, signed.stderr);
  const missing = await cli([...via(1), '--wait', '2', 'get', `nothing-${randomPeerId()}`]);
  assert.equal(missing.code, 1);
});

test('listen --count 1 prints a value another CLI puts', async () => {
  const key = `cli-listen-${randomPeerId()}`;
  let listening = false;
  const listener = cli([...via(2), '--json', 'listen', key, '--count', '1', '--timeout', '15'], {
    onStdout: () => { listening = true; },
  });
  await new Promise((r) => setTimeout(r, 1500));  // the listener joins and registers its listen (no signal to wait for)
  const put = await cli([...via(0), 'put', key, 'heard']);
  assert.equal(put.code, 0, put.stderr);
  const r = await listener;
  assert.equal(r.code, 0, r.stderr);
  assert.ok(listening);
  assert.equal(JSON.parse(r.stdout.trim().split('\n')[0]).data, 'heard');
});

test('peers <ns> lists a peer announced on a hub, from the DHT', async () => {
  const ns = `room-${randomPeerId().slice(0, 8)}`;
  const id = randomPeerId();
  const c = await joined(hubs[0], id, ns);
  try {
    const r = await waitFor(async () => {
      const x = await cli([...via(1), '--json', 'peers', ns]);
      return x.code === 0 ? x : null;
    }, { timeoutMs: 15000, intervalMs: 200, what: 'the peer in the presence pages' });
    const j = JSON.parse(r.stdout);
    assert.equal(j.network, ns);
    assert.deepEqual(j.peers.map((p) => p.peerId), [id]);
    const health = await (await fetch(`${hubs[0].url}/health`)).json();
    assert.equal(j.peers[0].hubId, health.nodeId);
    const http = await cli(['--hub', hubs[0].url, 'peers', ns]);
    assert.equal(http.code, 0, http.stderr);
    assert.match(http.stdout, new RegExp(id));
  } finally { c.end(); }
});

test('hubs --hub URL --json lists the 3 hubs', async () => {
  const r = await waitFor(async () => {
    const x = await cli(['--hub', hubs[1].url, '--json', 'hubs']);
    return x.code === 0 && JSON.parse(x.stdout).totalHubs === 3 ? x : null;
  }, { timeoutMs: 15000, intervalMs: 200, what: '3 hubs' });
  const j = JSON.parse(r.stdout);
  assert.equal(j.hubs.length, 3);
  for (const h of j.hubs) assert.match(h.hubId, /^[0-9a-f]{40}$/);
  const fromDht = await cli([...via(0), '--json', 'hubs']);
  assert.equal(fromDht.code, 0, fromDht.stderr);
  assert.equal(JSON.parse(fromDht.stdout).totalHubs, 3);
});

test('publish through the CLI (--hub), find through the DHT agrees with /api/find of another hub', async () => {
  const topic = `cli-${randomPeerId().slice(0, 10)}`;
  const pub = await cli(['--hub', hubs[0].url, '--json', 'publish', topic, '{"hello":"cli","n":1.50}', '--ttl', '120']);
  assert.equal(pub.code, 0, pub.stderr);
  const published = JSON.parse(pub.stdout);
  const found = await waitFor(async () => {
    const x = await cli([...via(2), '--json', 'find', topic]);
    return x.code === 0 ? JSON.parse(x.stdout) : null;
  }, { timeoutMs: 15000, intervalMs: 200, what: 'the record in the DHT' });
  // Hub 3's answer (its own DHT lookup, answered within 1.5 s: it may need a second ask)
  const api = await waitFor(async () => {
    const j = await (await fetch(`${hubs[2].url}/api/find/${encodeURIComponent(topic)}`)).json();
    return j.records.length ? j : null;
  }, { timeoutMs: 15000, intervalMs: 200, what: '/api/find on hub 3' });
  assert.deepEqual(found, api);
  assert.equal(found.records[0].publicKey, published.publicKey);
  assert.deepEqual(found.records[0].data, { hello: 'cli', n: 1.5 });
  const none = await cli([...via(2), 'find', `none-${topic}`]);
  assert.equal(none.code, 1);
});

test('health: 0 for live hubs, 1 for a dead port', async () => {
  const ok = await cli(['health', hubs[0].url, hubs[1].url]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /healthy/);
  const dead = await cli(['--wait', '2', 'health', hubs[0].url, `http://127.0.0.1:${await freePort()}`]);
  assert.equal(dead.code, 1);
  assert.match(dead.stdout, /unreachable/);
});

test('monitor --once prints a row per hub', async () => {
  const r = await cli(['monitor', '--once', ...hubs.map((h) => h.url)]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /^HUB\s+STATUS\s+CONNS\s+PEERS\s+NS\s+DHT\s+MSG\/S\s+RSS MiB/);
  assert.equal(lines.length, 4);
  for (const h of hubs) assert.ok(lines.some((l) => l.startsWith(h.url) && /healthy/.test(l)), r.stdout);
  const j = await cli(['--json', 'monitor', '--once', hubs[0].url]);
  assert.equal(JSON.parse(j.stdout)[0].status, 'healthy');
});

test('bad usage exits 2', async () => {
  for (const args of [['get'], ['no-such-command'], ['listen', 'k', '--count', 'x'], ['--port', 'abc', 'info'],
    ['publish', 't', '{bad json'], ['health'], ['get', 'k']]) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  }
  const help = await cli(['put', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--signed/);
});
