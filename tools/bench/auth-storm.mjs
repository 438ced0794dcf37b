// Password storm against a protected namespace (docs/AUTH.md): N connections, each with its own wrong password,
// announce into an argon2id-protected namespace at once, while an honest pair in an open namespace pings the hub
// every few ms. Reported: the verdicts (how many checks ran, how many got `busy`), the hub's peak RSS over its
// RSS before, and the honest ping round trip p50/p99 during the storm against the same pair with no storm.
// The checks run on AUTH_MAX_VERIFICATIONS worker threads, so the io thread keeps answering.
//
//   node tools/bench/auth-storm.mjs [--clients 300] [--max-verifications 2]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHub, hubBinary, randomPeerId, readRssKiB, readPeakRssKiB, resetPeakRss } from '../../tests/integration/lib/hub.mjs';
import { connect } from '../../tests/integration/lib/client.mjs';
import { quantile } from '../../tests/integration/lib/presence.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
};
const clients = arg('clients', 300);
const maxVerifications = arg('max-verifications', 2);

const dir = mkdtempSync(path.join(os.tmpdir(), 'pigeonhub-auth-storm-'));
const hash = execFileSync(hubBinary, ['--make-password-hash'], { input: 'the right one\n' }).toString().trim();
writeFileSync(path.join(dir, 'auth.json'), JSON.stringify({ namespaces: { club: { argon2id: [hash] } } }));
const hub = await startHub({ env: { NAMESPACE_AUTH: path.join(dir, 'auth.json'), AUTH_MAX_VERIFICATIONS: String(maxVerifications),
  MESSAGE_RATE: '0' } });

async function pinger() {
  const c = await connect(hub.wsUrl(randomPeerId()));
  await c.next((m) => m.type === 'connected');
  const rtts = [];
  let stop = false;
  const done = (async () => {
    while (!stop) {
      const since = c.frames.length;
      const t = performance.now();
      c.send({ type: 'ping' });
      await c.next((m) => m.type === 'pong', 5000, since);
      rtts.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  return { c, rtts, stop: async () => { stop = true; await done; c.end(); } };
}

// Quiet round trips first.
let p = await pinger();
await new Promise((r) => setTimeout(r, 1500));
await p.stop();
const quiet = p.rtts;

const storm = await Promise.all(Array.from({ length: clients }, async (_, i) => {
  const c = await connect(`ws://127.0.0.1:${hub.port}/?password=wrong${i}&peerId=${randomPeerId()}`);
  await c.next((m) => m.type === 'connected');
  return c;
}));
const rssBefore = readRssKiB(hub.pid);
resetPeakRss(hub.pid);
p = await pinger();
await new Promise((r) => setTimeout(r, 300));
const t0 = performance.now();
for (const c of storm) c.send({ type: 'announce', networkName: 'club', data: {} });
await Promise.all(storm.map((c) => c.next((m) => m.type === 'error', 60000)));
const stormMs = performance.now() - t0;
await p.stop();
const peak = readPeakRssKiB(hub.pid);
const s = (await (await fetch(`${hub.url}/stats`)).json()).access;
for (const c of storm) c.end();
await hub.stop();

const fmt = (v) => `p50 ${quantile(v, 0.5).toFixed(2)} ms, p99 ${quantile(v, 0.99).toFixed(2)} ms (${v.length} pings)`;
console.log(`clients ${clients}, AUTH_MAX_VERIFICATIONS ${maxVerifications}, load average ${os.loadavg()[0].toFixed(2)}`);
console.log(`all refused within ${stormMs.toFixed(0)} ms: wrong_password ${s.announces.wrong_password}, busy ${s.announces.busy}, ` +
  `argon2id checks ${s.passwordChecks}`);
console.log(`hub RSS ${(rssBefore / 1024).toFixed(1)} MiB before, peak ${(peak / 1024).toFixed(1)} MiB during`);
console.log(`honest ping round trip, quiet: ${fmt(quiet)}`);
console.log(`honest ping round trip, storm: ${fmt(p.rtts)}`);
