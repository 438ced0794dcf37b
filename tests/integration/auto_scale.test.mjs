// tools/auto-scale.mjs, briefly: 3 hubs behind a real nginx, 6 clients, two rounds of stopping a hub and starting
// a fresh one. Every moved client reconnects and is present again for every other client; nobody is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot, hubBinary } from './lib/hub.mjs';
import { nginxBinary } from './lib/nginx.mjs';

test('auto-scale: hubs stopped and started behind nginx lose no peer', { skip: !nginxBinary() && 'nginx is not installed', timeout: 40000 }, () => {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'tools/auto-scale.mjs'), '--hubs', '3', '--clients', '6', '--rounds', '2',
    '--settle-ms', '8000', '--json'], { env: { ...process.env, PIGEONHUBD: hubBinary }, encoding: 'utf8', timeout: 38000 });
  assert.equal(r.status, 0, `exit ${r.status}: ${r.stdout}${r.stderr}`);
  const report = JSON.parse(r.stdout.trim().split('\n').at(-1));
  console.log(`reconnections ${report.reconnections}, peers lost ${report.peersLost}, rediscovery p50 ${report.rediscoveryP50} ms p99 ${report.rediscoveryP99} ms`);
  assert.equal(report.rounds.length, 2);
  assert.equal(report.peersLost, 0);
  assert.ok(report.reconnections >= 2, 'the stopped hubs had clients, and they reconnected');
  assert.equal(report.rediscoveryMs.length, report.rounds.reduce((n, x) => n + x.moved, 0), 'every move measured');
  assert.ok(report.rediscoveryP99 < 5000, `rediscovery p99 ${report.rediscoveryP99} ms`);
});
