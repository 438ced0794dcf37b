// Operating a hub: /metrics (valid for promtool, counters that move under traffic), logs (LOG_LEVEL, the journal
// format under systemd) and the drain on SIGTERM (/health 503 at once, clients closed with 1001, peers on other
// hubs and other hubs' /hubs told at once, exit within DRAIN_TIMEOUT).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startHub, startMesh, randomPeerId, waitFor } from './lib/hub.mjs';
import { joined, get, settled } from './lib/client.mjs';
import { sample } from './lib/metrics.mjs';

// promtool (Debian's prometheus package; tools/dev.sh installs it) on the body: {status, output}.
function promtool(body) {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool not runnable (${r.error.code}): install Debian's prometheus package`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const metrics = async (hub) => {
  const r = await get(`${hub.url}/metrics`);
  assert.equal(r.status, 200);
  return r;
};

test('/metrics passes promtool, and counters and the relay histogram move under traffic', async () => {
  const hub = await startHub();
  try {
    const before = await metrics(hub);
    assert.match(before.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    const check = promtool(before.text);
    assert.equal(check.status, 0, `promtool check metrics: ${check.output}\n${before.text}`);
    for (const name of ['pigeonhub_connections', 'pigeonhub_announced_peers', 'pigeonhub_namespaces',
      'pigeonhub_send_queue_bytes', 'pigeonhub_dht_good_nodes', 'pigeonhub_presence_pages', 'pigeonhub_remote_peers',
      'pigeonhub_data_records', 'process_resident_memory_bytes', 'process_open_fds', 'pigeonhub_dht_gets_total',
      'pigeonhub_dht_listens_total', 'pigeonhub_sealed_signals_unopened_total', 'process_cpu_seconds_total'])
      assert.notEqual(sample(before.text, name), undefined, `${name} is missing`);
    assert.equal(sample(before.text, `pigeonhub_build_info{version="${(await get(`${hub.url}/health`)).json.version}"}`), 1);

    const A = randomPeerId(), B = randomPeerId();
    const a = await joined(hub, A, 'ops');
    const b = await joined(hub, B, 'ops');
    const OFFERS = 20;
    for (let i = 0; i < OFFERS; i++)
      a.send({ type: 'offer', data: { type: 'offer', sdp: `v=0 ${i}` }, targetPeerId: B, networkName: 'ops' });
    a.send({ type: 'offer', data: { type: 'offer', sdp: 'x' }, targetPeerId: randomPeerId(), networkName: 'ops' });
    await b.next((m) => m.type === 'offer' && m.data.sdp === `v=0 ${OFFERS - 1}`, 5000);
    await settled(a, b);

    const after = await metrics(hub);
    assert.equal(promtool(after.text).status, 0, after.text);
    const delta = (series) => (sample(after.text, series) ?? 0) - (sample(before.text, series) ?? 0);
    assert.equal(sample(after.text, 'pigeonhub_connections'), 2);
    assert.equal(sample(after.text, 'pigeonhub_announced_peers'), 2);
    assert.equal(sample(after.text, 'pigeonhub_namespaces'), 1);
    assert.equal(delta('pigeonhub_messages_received_total{type="offer"}'), OFFERS + 1);
    assert.equal(delta('pigeonhub_messages_received_total{type="announce"}'), 2);
    assert.equal(delta('pigeonhub_messages_sent_total{type="offer"}'), OFFERS);
    assert.equal(delta('pigeonhub_messages_sent_total{type="peer-discovered"}'), 2);
    assert.equal(delta('pigeonhub_messages_dropped_total{reason="unknown_target"}'), 1);
    assert.equal(delta('pigeonhub_relay_latency_seconds_count'), OFFERS);
    assert.equal(delta('pigeonhub_relay_latency_seconds_bucket{le="+Inf"}'), OFFERS);
    assert.ok(delta('pigeonhub_relay_latency_seconds_sum') > 0);
    assert.ok(delta('pigeonhub_websocket_received_bytes_total') > 0);
    console.log(`relay latency of ${OFFERS} offers: mean ${(delta('pigeonhub_relay_latency_seconds_sum') / OFFERS * 1e6).toFixed(1)} µs; ` +
      `/metrics ${after.text.length} bytes, ${after.text.split('\n').filter((l) => l && !l.startsWith('#')).length} samples`);
    a.end();
    b.end();
  } finally {
    await hub.stop('SIGKILL');
  }
});

test('DHT messages by kind in /stats and /metrics, growing with mesh traffic', async () => {
  const [h1, h2] = await startMesh(2);
  try {
    const kinds = ['ping', 'find', 'get', 'listen', 'put'];
    const sent = (text) => kinds.reduce((s, k) => s + sample(text, `pigeonhub_dht_messages_sent_total{type="${k}"}`), 0);
    const before = await metrics(h1);
    for (const k of kinds) {
      assert.notEqual(sample(before.text, `pigeonhub_dht_messages_sent_total{type="${k}"}`), undefined, k);
      assert.notEqual(sample(before.text, `pigeonhub_dht_messages_received_total{type="${k}"}`), undefined, k);
    }
    const A = randomPeerId(), B = randomPeerId();
    const a = await joined(h1, A, 'dht-counters');
    const b = await joined(h2, B, 'dht-counters');
    await a.next((m) => m.type === 'peer-discovered' && m.data.peerId === B, 5000);
    const after = await metrics(h1);
    assert.equal(promtool(after.text).status, 0, after.text);
    assert.ok(sent(after.text) > sent(before.text), 'requests sent grow');
    const delta = (series) => sample(after.text, series) - sample(before.text, series);
    assert.ok(delta('pigeonhub_dht_messages_sent_total{type="put"}') > 0, 'a presence page was put');
    assert.ok(delta('pigeonhub_dht_messages_sent_total{type="listen"}') > 0, 'a namespace was listened to');
    assert.ok(delta('pigeonhub_dht_datagrams_sent_total') > 0);
    assert.ok(delta('pigeonhub_dht_sent_bytes_total') > 0);
    const m = (await get(`${h1.url}/stats`)).json.mesh;
    assert.deepEqual(Object.keys(m.dhtRequestsOut), kinds);
    assert.deepEqual(Object.keys(m.dhtRequestsIn), kinds);
    assert.equal(m.dhtMessagesOut, kinds.reduce((s, k) => s + m.dhtRequestsOut[k], 0));
    assert.ok(m.dhtDatagramsOut >= m.dhtMessagesOut, 'every request is a datagram; replies and listen pushes too');
    assert.ok(m.dhtListensActive >= 1);
    // OpenDHT trouble read from its log (dht_node.cpp): none on a quiet two-hub mesh.
    assert.equal(m.dhtPacketsDroppedLate, 0);
    assert.equal(m.dhtUpdatesToLostListens, 0);
    assert.equal(sample(after.text, 'pigeonhub_dht_updates_to_lost_listens_total'), 0);
    assert.ok(m.presencePages >= 1);
    a.end();
    b.end();
  } finally {
    await Promise.all([h1.stop('SIGKILL'), h2.stop('SIGKILL')]);
  }
});

test('LOG_LEVEL=warn hides info lines; JOURNAL_STREAM gives <N> priority prefixes', async () => {
  const quiet = await startHub({ env: { LOG_LEVEL: 'warn' } });
  await quiet.stop('SIGTERM');
  assert.doesNotMatch(quiet.stderr(), / info /, quiet.stderr());

  const journal = await startHub({ env: { JOURNAL_STREAM: '8:12345' } });
  await journal.stop('SIGTERM');
  const lines = journal.stderr().split('\n').filter(Boolean);
  assert.ok(lines.length > 0);
  for (const l of lines) assert.match(l, /^<[0-7]>\S/, `a journal line without its priority: ${l}`);
  assert.ok(lines.some((l) => l.startsWith('<6>') && l.includes('listening on')), lines.join('\n'));

  const plain = await startHub();
  await plain.stop('SIGTERM');
  assert.match(plain.stderr(), /^\d{4}-\d\d-\d\dT[\d:.]+Z info pigeonhubd .* listening on/m);
  assert.doesNotMatch(plain.stderr(), /\x1b\[/, 'no colour');
});

test('drain on SIGTERM: /health 503 at once, 1001 to clients, other hubs told within a second, exit in time', async () => {
  const DRAIN_DELAY = 1000, DRAIN_TIMEOUT = 5000;
  const [h1, h2] = await startMesh(2, { env: { DRAIN_DELAY: String(DRAIN_DELAY), DRAIN_TIMEOUT: String(DRAIN_TIMEOUT) } });
  try {
    const listed = async (h, other) => (await get(`${h.url}/hubs`)).json.hubs.some((x) => x.hubId === other);
    const id2 = (await get(`${h2.url}/health`)).json.nodeId;
    await waitFor(() => listed(h1, id2), { timeoutMs: 10000, what: 'hub 1 to list hub 2' });
    const A = randomPeerId(), B = randomPeerId();
    const a = await joined(h1, A, 'drain');
    const b = await joined(h2, B, 'drain');
    await a.next((m) => m.type === 'peer-discovered' && m.data.peerId === B, 5000);

    const exited = new Promise((resolve) => h2.child.once('exit', (code, signal) => resolve({ code, signal, t: Date.now() })));
    const t0 = Date.now();
    h2.child.kill('SIGTERM');
    // 503 at once, while it still answers (DRAIN_DELAY).
    const health = await waitFor(async () => {
      const r = await get(`${h2.url}/health`);
      return r.status === 503 ? r : null;
    }, { timeoutMs: 500, intervalMs: 5, what: '/health of hub 2 to answer 503' });
    console.log(`/health 503 ${Date.now() - t0} ms after SIGTERM (reason: ${health.json.reason})`);
    assert.equal(health.json.reason, 'shutting down');
    assert.equal(b.close, null, 'clients stay during DRAIN_DELAY');
    assert.equal(sample((await metrics(h2)).text, 'pigeonhub_draining'), 1);

    const close = await b.closed;
    const tClose = Date.now();
    assert.equal(close.code, 1001);
    assert.ok(tClose - t0 >= DRAIN_DELAY - 50, `clients closed after DRAIN_DELAY (${tClose - t0} ms)`);
    await a.next((m) => m.type === 'peer-disconnected' && m.data.peerId === B, 1000);
    const heard = Date.now() - tClose;
    await waitFor(async () => !(await listed(h1, id2)), { timeoutMs: 1000, intervalMs: 20, what: 'hub 1 to drop hub 2 from /hubs' });
    const dropped = Date.now() - tClose;
    const { code, t } = await exited;
    console.log(`drain: clients closed ${tClose - t0} ms after SIGTERM; hub 1's peer heard ${heard} ms later; ` +
      `hub 1's /hubs dropped hub 2 ${dropped} ms later; exit ${code} ${t - t0} ms after SIGTERM`);
    assert.equal(code, 0);
    assert.ok(t - t0 < DRAIN_TIMEOUT, `exit within DRAIN_TIMEOUT (${t - t0} ms)`);
    a.end();
  } finally {
    await h1.stop('SIGKILL');
    await h2.stop('SIGKILL');
  }
});
