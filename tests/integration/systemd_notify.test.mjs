// pigeonhubd under a Type=notify supervisor: NOTIFY_SOCKET names a unix datagram socket this test binds (node has
// no unix datagram sockets: a python3 helper receives and prints each datagram as a JSON line). READY=1 comes once
// the hub serves /health and its DHT is ready or past DHT_UNREADY_GRACE; STATUS= lines carry the counts; WATCHDOG=1
// follows WATCHDOG_USEC; SIGTERM brings STOPPING=1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { once } from 'node:events';
import dgram from 'node:dgram';
import { startHub, stopChild, tempStateDir, waitFor } from './lib/hub.mjs';
import { get } from './lib/client.mjs';

const helper = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
while True:
    print(json.dumps(s.recv(4096).decode()), flush=True)
`;

// Binds the notify socket; returns {path, datagrams: [{at, text}], stop()}.
async function notifySocket() {
  const file = path.join(tempStateDir(), 'notify');
  const child = spawn('python3', ['-c', helper, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const datagrams = [];
  let buf = '';
  let bound;
  const isBound = new Promise((r) => { bound = r; });
  child.stdout.on('data', (d) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line === 'bound') bound();
      else datagrams.push({ at: Date.now(), text: JSON.parse(line) });
    }
  });
  await isBound;
  // Every line starting with `prefix`, with the time its datagram arrived.
  const lines = (prefix) => datagrams.flatMap((d) =>
    d.text.split('\n').filter((l) => l.startsWith(prefix)).map((l) => ({ at: d.at, line: l })));
  return { path: file, datagrams, lines, stop: () => stopChild(child, 'SIGKILL') };
}

// A UDP port nothing answers on: a DHT bootstrap that never connects.
async function deadUdpPort() {
  const s = dgram.createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  s.close();
  return port;
}

test('READY=1 once /health answers and the DHT is ready; STATUS=, WATCHDOG=1, STOPPING=1', async () => {
  const sock = await notifySocket();
  try {
    const hub = await startHub({ env: { NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '400000' } });
    const ready = await waitFor(() => sock.lines('READY=1')[0], { what: 'READY=1' });
    const health = await get(`${hub.url}/health`);
    assert.equal(health.status, 200, 'READY=1 while /health is not healthy');
    assert.equal(sock.lines('READY=1').length, 1);
    // READY comes with the counts.
    const atReady = sock.datagrams.find((d) => d.text.includes('READY=1')).text;
    assert.match(atReady, /^READY=1\nSTATUS=0 connections, 0 peers \(0 on other hubs\), DHT ready\n/);
    // WATCHDOG_USEC=0.4 s: a ping every 0.2 s.
    const pings = sock.lines('WATCHDOG=1').length;
    await waitFor(() => sock.lines('WATCHDOG=1').length >= pings + 3, { what: 'three more WATCHDOG=1', timeoutMs: 3000 });
    const { code } = await hub.stop();
    assert.equal(code, 0);
    await waitFor(() => sock.lines('STOPPING=1').length === 1, { what: 'STOPPING=1' });
  } finally {
    await sock.stop();
  }
});

test('a DHT that does not connect holds READY=1 back until DHT_UNREADY_GRACE has passed', async () => {
  const sock = await notifySocket();
  try {
    const grace = 2000;
    const hub = await startHub({ env: { NOTIFY_SOCKET: sock.path, DHT_BOOTSTRAP: `127.0.0.1:${await deadUdpPort()}`,
      MESH_TRUST: 'open', DHT_UNREADY_GRACE: String(grace) } });
    const listening = Date.now();
    // Serving, but not ready for systemd yet: the status says why.
    assert.equal((await get(`${hub.url}/health`)).status, 200);
    await waitFor(() => sock.lines('STATUS=').some((l) => l.line.includes('DHT connecting')), { what: 'STATUS=... DHT connecting' });
    assert.equal(sock.lines('READY=1').length, 0, 'READY=1 before the DHT or the grace');
    const ready = await waitFor(() => sock.lines('READY=1')[0], { what: 'READY=1 after the grace', timeoutMs: grace + 5000 });
    assert.ok(ready.at - listening >= grace - 1000, `READY=1 ${ready.at - listening} ms after listening, grace ${grace} ms`);
    assert.ok(sock.lines('STATUS=').some((l) => /DHT not ready for \d+ s \(serving alone\)/.test(l.line)));
    assert.equal(sock.lines('WATCHDOG=1').length, 0, 'WATCHDOG=1 without WATCHDOG_USEC');
    await hub.stop();
  } finally {
    await sock.stop();
  }
});
