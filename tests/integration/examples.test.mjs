// The examples in examples/ run as their README says, each as a child process against a real two-hub mesh: two
// node-client.mjs on different hubs discover each other and swap offers and answers (one exits by itself, the other
// on SIGTERM); two data-channel.mjs on different hubs open a real WebRTC data channel (@roamhq/wrtc, host candidates
// only) and each prints the other's messages, a line typed on stdin included; publish-find.mjs publishes a
// client-signed record on one hub and prints it found, verified, on the other; publish.sh and find.sh do the same
// with the hub's key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startMesh, repoRoot, waitFor } from './lib/hub.mjs';
import { verifyRecord } from '../../clients/js/index.js';

const ID = /^[0-9a-f]{40}$/;
let hubs;
const children = new Set();
const deadline = setTimeout(() => { console.error('examples: overall timeout'); process.exit(1); }, 120000);
process.on('exit', () => { for (const c of children) { try { process.kill(c.pid, 'SIGKILL'); } catch {} } });

before(async () => { hubs = await startMesh(2); });

after(async () => {
  for (const c of children) { try { process.kill(c.pid, 'SIGKILL'); } catch {} }
  for (const h of hubs ?? []) await h.stop('SIGKILL');
  clearTimeout(deadline);
  setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();
});

const ws = (h) => `ws://127.0.0.1:${h.port}`;

// Runs `node examples/SCRIPT args` from the repository root. Returns {child, lines, line(re, ms), exit}: lines is
// stdout so far, line() resolves with the first match of re (waiting for it), exit resolves {code, signal}.
function example(script, args, { stdin = 'ignore' } = {}) {
  const child = spawn(process.execPath, [`examples/${script}`, ...args], { cwd: repoRoot, stdio: [stdin, 'pipe', 'pipe'],
    env: { PATH: process.env.PATH } });
  children.add(child);
  const lines = [];
  let stderr = '';
  createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
  child.stderr.on('data', (d) => { stderr += d; });
  const exit = new Promise((resolve) => child.on('close', (code, signal) => { children.delete(child); resolve({ code, signal }); }));
  const line = (re, timeoutMs = 15000) => waitFor(() => lines.find((l) => re.test(l)),
    { timeoutMs, intervalMs: 20, what: `${script}: ${re} (stdout: ${lines.join(' | ')}; stderr: ${stderr})` });
  return { child, lines, line, exit, stderr: () => stderr };
}

async function peerIdOf(run) { return (await run.line(/^peer /)).split(' ')[1]; }

test('node-client.mjs: peers on two hubs discover each other, each answers the other\'s offer', async () => {
  const room = `examples-nc-${Date.now()}`;
  const a = example('node-client.mjs', ['--hubs', ws(hubs[0]), '--room', room, '--exit-after-answers', '1', '--timeout', '20000']);
  await a.line(/^connected /);
  const b = example('node-client.mjs', ['--hubs', ws(hubs[1]), '--room', room, '--name', 'Bee']);
  const [aId, bId] = [await peerIdOf(a), await peerIdOf(b)];
  assert.match(aId, ID);
  assert.match(bId, ID);

  // a exits by itself once it has its answer and has answered b's offer.
  const aExit = await a.exit;
  assert.deepEqual(aExit, { code: 0, signal: null }, a.stderr());
  for (const l of [`connected ${ws(hubs[0])}`, `discovered ${bId} Bee`, `offer to ${bId}`, `offer from ${bId}`, `answer to ${bId}`,
    `answer from ${bId}`]) assert.ok(a.lines.includes(l), `a: ${l} in ${a.lines.join(' | ')}`);
  assert.equal(a.lines.at(-1), 'goodbye');

  // b has the same exchange, then hears that a left, and stops on SIGTERM with a goodbye.
  await b.line(new RegExp(`^answer from ${aId}$`));
  await b.line(new RegExp(`^offer from ${aId}$`));
  await b.line(new RegExp(`^disconnected ${aId}$`));
  for (const l of [`connected ${ws(hubs[1])}`, `discovered ${aId} Node.js Peer`, `offer to ${aId}`, `answer to ${aId}`]) {
    assert.ok(b.lines.includes(l), `b: ${l} in ${b.lines.join(' | ')}`);
  }
  b.child.kill('SIGTERM');
  assert.deepEqual(await b.exit, { code: 0, signal: null }, b.stderr());
  assert.equal(b.lines.at(-1), 'goodbye');
});

test('data-channel.mjs: two processes on two hubs open a data channel, each prints the other\'s messages', async () => {
  const room = `examples-dc-${Date.now()}`;
  const t0 = performance.now();
  // a also gets a line on stdin before its channel opens (then end of input): it is sent once the channel is open.
  const a = example('data-channel.mjs', ['--hub', ws(hubs[0]), '--room', room, '--send', 'from a', '--exit-after', '2',
    '--timeout', '30000'], { stdin: 'pipe' });
  a.child.stdin.end('typed into a\n');
  await a.line(/^connected /);
  const b = example('data-channel.mjs', ['--hub', ws(hubs[1]), '--room', room, '--send', 'from b', '--exit-after', '3',
    '--timeout', '30000']);
  const [aId, bId] = [await peerIdOf(a), await peerIdOf(b)];
  const [aExit, bExit] = await Promise.all([a.exit, b.exit]);
  console.log(`data channel across two hubs: both processes done after ${(performance.now() - t0).toFixed(0)} ms`);
  assert.deepEqual(aExit, { code: 0, signal: null }, a.stderr());
  assert.deepEqual(bExit, { code: 0, signal: null }, b.stderr());

  // Exactly one side offered: the smaller id.
  const [offerer, answerer, offererId, answererId] = aId < bId ? [a, b, aId, bId] : [b, a, bId, aId];
  assert.ok(offerer.lines.includes(`offer to ${answererId}`) && offerer.lines.includes(`answer from ${answererId}`), offerer.lines.join(' | '));
  assert.ok(answerer.lines.includes(`offer from ${offererId}`) && !answerer.lines.some((l) => l.startsWith('offer to ')), answerer.lines.join(' | '));

  assert.ok(a.lines.includes(`open ${bId}`), a.lines.join(' | '));
  assert.ok(b.lines.includes(`open ${aId}`), b.lines.join(' | '));
  // In the order sent (without the example's answerer-speaks-first, @roamhq/wrtc delivered the offerer's first
  // message last on the answerer's side ~1 run in 5).
  assert.deepEqual(a.lines.filter((l) => l.startsWith('message ')), [`message hello from ${bId}`, 'message from b']);
  assert.deepEqual(b.lines.filter((l) => l.startsWith('message ')), [`message hello from ${aId}`, 'message from a', 'message typed into a']);
  assert.equal(a.lines.at(-1), 'goodbye');
  assert.equal(b.lines.at(-1), 'goodbye');
});

test('publish-find.mjs: a record signed with its own key, published on one hub, found verified on the other', async () => {
  const topic = `examples-pf-${Date.now()}`;
  const run = example('publish-find.mjs', ['--hubs', `${hubs[0].url},${ws(hubs[1])}`, '--topic', topic, '--data', '{"hello":"mesh","n":[1,2]}']);
  assert.deepEqual(await run.exit, { code: 0, signal: null }, run.stderr());
  const key = run.lines.find((l) => l.startsWith('key ')).slice(4);
  const published = JSON.parse(run.lines.find((l) => l.startsWith('published ')).slice('published '.length));
  const found = JSON.parse(run.lines.find((l) => l.startsWith('found ')).slice('found '.length));
  assert.match(key, /^[0-9a-f]{64}$/);
  assert.equal(found.publicKey, key);
  assert.equal(found.topic, topic);
  assert.deepEqual(found.data, { hello: 'mesh', n: [1, 2] });
  assert.equal(found.signature, published.signature);
  assert.equal(found.verified, true);
  assert.equal(await verifyRecord(found), true);
  assert.equal(await verifyRecord({ ...found, data: { hello: 'other' } }), false);
  // The other hub has it.
  const onB = await (await fetch(`${hubs[1].url}/api/find/${encodeURIComponent(topic)}`)).json();
  assert.deepEqual(onB.records.map((r) => r.signature), [found.signature]);
});

test('publish.sh on one hub, find.sh on the other', async () => {
  const topic = `examples-sh-${Date.now()}`;
  const sh = (script, args, hub) => JSON.parse(execFileSync(`${repoRoot}/examples/${script}`, args,
    { env: { PATH: process.env.PATH, HUB: hub.url }, encoding: 'utf8' }));
  const rec = sh('publish.sh', [topic, '{"from":"publish.sh"}', '60'], hubs[0]);
  assert.equal(rec.topic, topic);
  assert.deepEqual(rec.data, { from: 'publish.sh' });
  assert.equal(await verifyRecord(rec), true);
  const found = await waitFor(() => { const f = sh('find.sh', [topic], hubs[1]); return f.records.length > 0 && f; },
    { timeoutMs: 5000, intervalMs: 100, what: 'find.sh on the other hub' });
  assert.equal(found.records.length, 1);
  assert.equal(found.records[0].signature, rec.signature);
});
