// The hub-wide output budget (MAX_OUTPUT_BUFFER, issue 14): a crowd that joined one namespace leaves in the same
// instant, which queues N^2/2 peer-disconnected frames. With a small budget the hub's RSS stays bounded while they
// go out, and peers that stay (one reading at once, one that stops reading for a while) still get every frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startHub, randomPeerId, repoRoot, waitFor, readRssKiB, readPeakRssKiB, resetPeakRss } from './lib/hub.mjs';
import { joined, get, sleep } from './lib/client.mjs';

const loadgen = process.env.PIGEONHUB_LOADGEN || path.join(repoRoot, 'build', 'pigeonhub-loadgen');
const CROWD = 1000;
// Without the budget this departure peaks ~60-100 MiB over the connected RSS (1000 peers: ~500,000 queued frames).
const PEAK_LIMIT_KIB = 24 * 1024;

test('a crowd leaving at once: RSS bounded by MAX_OUTPUT_BUFFER, live readers get every peer-disconnected', async () => {
  const hub = await startHub({ env: { MAX_OUTPUT_BUFFER: '65536', MESSAGE_RATE: '0', MAX_CONNECTIONS: '5000' } });
  let crowd;
  try {
    const S = randomPeerId(), Z = randomPeerId();
    const steady = await joined(hub, S, 'one-room');
    const sleepy = await joined(hub, Z, 'one-room');

    // The crowd: the load generator joins CROWD peers into the same namespace and holds them until it exits.
    crowd = spawn(loadgen, ['join', '--port', String(hub.port), '--conns', String(CROWD), '--hold', '60'],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((r) => crowd.on('exit', r));
    const joinLine = await new Promise((resolve, reject) => {
      let out = '';
      crowd.stdout.on('data', (d) => {
        out += d;
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line));
      });
      crowd.on('exit', () => reject(new Error('load generator exited before joining')));
    });
    assert.equal(joinLine.opened, CROWD);
    await waitFor(() => steady.of('peer-discovered').length === CROWD + 1 && sleepy.of('peer-discovered').length === CROWD + 1,
      { timeoutMs: 30000, what: 'both stayers discovered the crowd' });
    const crowdIds = new Set(steady.of('peer-discovered').map((m) => m.data.peerId).filter((id) => id !== Z));
    assert.equal(crowdIds.size, CROWD);
    await sleep(500);
    const connected = readRssKiB(hub.pid);
    resetPeakRss(hub.pid);

    // One stayer stops reading for 1.5 s while the crowd leaves (every peer at once: the process is killed).
    sleepy.ws._socket.pause();
    crowd.kill('SIGKILL');
    await exited;
    await sleep(1500);
    sleepy.ws._socket.resume();

    const allGone = (c) => c.of('peer-disconnected').length >= CROWD;
    await waitFor(() => allGone(steady) && allGone(sleepy), { timeoutMs: 60000, what: 'every departure heard by both stayers' });
    const peak = readPeakRssKiB(hub.pid);
    for (const c of [steady, sleepy]) {
      const gone = c.of('peer-disconnected').map((m) => m.data.peerId);
      assert.equal(gone.length, CROWD, 'one peer-disconnected per departed peer, none twice');
      assert.equal(new Set(gone).size, CROWD);
      assert.deepEqual(new Set(gone), crowdIds, 'exactly the crowd left');
    }
    const stats = (await get(`${hub.url}/stats`)).json;
    assert.equal(stats.connections, 2, 'only the stayers are left');
    assert.ok(stats.transport.writtenAtOnce > 0, 'the budget was passed: frames were written as sent');
    assert.equal(stats.transport.closedOutputStall, 0, 'no reader was cut off');
    assert.ok(peak - connected < PEAK_LIMIT_KIB,
      `peak RSS while the crowd left: ${peak - connected} KiB over the connected ${connected} KiB`);

    // The stayers still talk to each other.
    steady.send({ type: 'offer', data: { type: 'offer', sdp: 'after the crowd' }, targetPeerId: Z, networkName: 'one-room' });
    await sleepy.next((m) => m.type === 'offer' && m.data.sdp === 'after the crowd', 5000);
    steady.end();
    sleepy.end();
  } finally {
    if (crowd && crowd.exitCode === null) crowd.kill('SIGKILL');
    await hub.stop();
  }
});

test('peers that stop reading cannot stall the hub: over the budget for 5 s, the largest stuck queue is cut off', async () => {
  const hub = await startHub({ env: { MAX_OUTPUT_BUFFER: '65536', MAX_SEND_QUEUE: '67108864', MESSAGE_RATE: '0' } });
  try {
    const F = randomPeerId(), S = randomPeerId(), A = randomPeerId(), B = randomPeerId();
    const flooder = await joined(hub, F, 'stuck');
    const stuck = await joined(hub, S, 'stuck');
    const alice = await joined(hub, A, 'bystanders');
    const bob = await joined(hub, B, 'bystanders');
    await stuck.next((m) => m.type === 'peer-discovered', 3000);
    stuck.ws._socket.pause();  // reads nothing from now on: the kernel's buffers fill, then the hub's queue
    const sdp = 'x'.repeat(1000);
    const offer = JSON.stringify({ type: 'offer', data: { type: 'offer', sdp }, targetPeerId: S, networkName: 'stuck' });
    for (let i = 0; i < 40000; i++) flooder.ws.send(offer);  // ~44 MB: more than the socket buffers hold
    await waitFor(async () => (await get(`${hub.url}/stats`)).json.transport.closedOutputStall >= 1,
      { timeoutMs: 30000, intervalMs: 200, what: 'the stuck reader cut off' });
    const t = (await get(`${hub.url}/stats`)).json.transport;
    assert.ok(t.outputPaused >= 1, 'reading paused while over the budget');
    await waitFor(async () => (await get(`${hub.url}/stats`)).json.connections === 3,
      { timeoutMs: 5000, what: 'the stuck reader gone, the others still connected' });
    // The hub serves again: a bystander pair completes an exchange.
    alice.send({ type: 'offer', data: { type: 'offer', sdp: 'after the stall' }, targetPeerId: B, networkName: 'bystanders' });
    await bob.next((m) => m.type === 'offer' && m.data.sdp === 'after the stall', 10000);
    for (const c of [flooder, stuck, alice, bob]) c.end();
  } finally {
    await hub.stop();
  }
});
