// A crowd in one namespace (issue 14, targets 1-3): N peers join ONE namespace (discovery `all`), stay connected
// and idle, then all close in the same instant; the hub's RSS is read at start, while connected, at its peak during
// the departure (VmHWM, reset through /proc/PID/clear_refs just before) and 30 s after the last peer left.
//
//   node tools/bench/crowd.mjs [N=2000] [--reference]     (standalone; run.mjs imports crowd())
//   HUB_ENV='{"MAX_OUTPUT_BUFFER":"8388608"}' node tools/bench/crowd.mjs    (settings for pigeonhubd)
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot, readRssKiB, readPeakRssKiB, resetPeakRss } from '../../tests/integration/lib/hub.mjs';

const loadgen = path.join(repoRoot, 'build', 'pigeonhub-loadgen');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


// `hub` is a started hub ({pid, port}); returns KiB figures and the join's JSON line.
export async function crowd(hub, n, { afterMs = 30000 } = {}) {
  await sleep(300);
  const start = readRssKiB(hub.pid);
  const child = spawn(loadgen, ['join', '--port', String(hub.port), '--conns', String(n), '--hold', '8'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const join = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('crowd: join timed out')); }, 930000);
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) { clearTimeout(timer); resolve(JSON.parse(line)); }
    });
    child.on('exit', () => { clearTimeout(timer); reject(new Error('crowd: load generator exited early')); });
  });
  await sleep(5000);  // the last discoveries written, queues drained, the hub's memory check (every 2 s) done
  const connected = readRssKiB(hub.pid);
  resetPeakRss(hub.pid);
  await exited;
  const leftAt = Date.now();
  // The departure is over when the hub's connection count is back to zero (/stats) or after 30 s.
  for (;;) {
    const s = await fetch(`http://127.0.0.1:${hub.port}/stats`).then((r) => r.json()).catch(() => null);
    const open = s?.connections ?? s?.transport?.sessions ?? s?.peers ?? null;
    if (open === 0 || Date.now() - leftAt > 30000) break;
    await sleep(100);
  }
  const peak = readPeakRssKiB(hub.pid);
  const gone = Date.now();
  await sleep(Math.max(0, afterMs - (Date.now() - leftAt)));
  const after = readRssKiB(hub.pid);
  return { n, join, start, connected, peak, after, departSeconds: (gone - leftAt) / 1000,
    perPeerBytes: Math.round(((connected - start) * 1024) / n) };
}

export function describe(r) {
  return `RSS start ${(r.start / 1024).toFixed(1)} MiB, connected ${(r.connected / 1024).toFixed(1)} MiB ` +
    `(${(r.perPeerBytes / 1024).toFixed(1)} KiB/peer), peak while all leave ${(r.peak / 1024).toFixed(1)} MiB ` +
    `(+${((r.peak - r.connected) / 1024).toFixed(1)}), 30 s after ${(r.after / 1024).toFixed(1)} MiB ` +
    `(${(((r.after - r.start) / r.start) * 100).toFixed(0)}% over start)`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const { startHub, startReferenceHub } = await import('../../tests/integration/lib/hub.mjs');
  const n = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 2000);
  const reference = process.argv.includes('--reference');
  const hub = reference ? await startReferenceHub({ maxConnections: 200000 })
    : await startHub({ env: { MAX_CONNECTIONS: '200000', MESSAGE_RATE: '0', NODE_ENV: 'production',
      ...JSON.parse(process.env.HUB_ENV ?? '{}') } });
  try {
    const r = await crowd(hub, n);
    console.log(JSON.stringify(r));
    console.log(describe(r));
  } finally {
    await hub.stop('SIGKILL');
  }
  process.exit(0);
}
