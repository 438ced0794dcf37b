// The failover test of js_client_failover with the client running in headless Chromium (Debian's, driven over the
// DevTools protocol: lib/chromium.mjs). The page is served from 127.0.0.1 and imports clients/js/ as ES modules,
// unchanged. Three real hubs: the page's client (connectSignaling with [h1, h2, h3]) on h1, a raw Node client B on
// h3 in the same namespace; h1 is killed (SIGKILL); the page's client moves, announces again, B is told of it again
// within 3 s, and the offer the page queued during the outage reaches B. The page used the browser's own WebSocket
// (Chromium's network stack reports every socket it opened) and WebCrypto's Ed25519, and loaded nothing but the
// package's files. Then a record signed in the page with a WebCrypto key is published on h2 and found, verified, on
// h3. Then the driver's own reports (console, a throw, a failed navigation, a timeout) that issue 17 relies on; last,
// closing the browser leaves no process and no profile behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { startMesh, randomPeerId, waitFor, freePort } from './lib/hub.mjs';
import { connect } from './lib/client.mjs';
import { launchChromium } from './lib/chromium.mjs';
import { servePages } from './lib/page_server.mjs';
import { find } from '../../clients/js/index.js';

const NET = 'js-chromium';
const PAGE = `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>pigeonhub in Chromium</title><link rel="icon" href="data:,"></head>
<body>
<script type="module">
  import * as pigeonhub from '/clients/js/index.js';
  import { webSocketClass } from '/clients/js/src/websocket.js';
  window.pigeonhub = pigeonhub;
  window.webSocketClass = webSocketClass;
  window.loaded = true;
</script>
</body>
</html>
`;

let hubs;
let server;
let browser;
let page;
let b;
const sockets = [];   // URLs of the WebSockets that Chromium's network stack opened for the page
const deadline = setTimeout(() => { console.error('js_client_chromium: overall timeout'); process.exit(1); }, 120000);

before(async () => {
  hubs = await startMesh(3);
  server = await servePages({ pages: { '/': PAGE }, mounts: { '/clients/js/': 'clients/js' } });
  browser = await launchChromium({ timeoutMs: 30000 });
  console.log(`browser: ${(await browser.version()).product}`);
  page = await browser.newPage();
  await page.send('Network.enable');
  page.on('Network.webSocketCreated', (p) => sockets.push(p.url));
  await page.navigate(`${server.url}/`, { timeoutMs: 15000 });
  await page.evaluate(`
    const end = Date.now() + 10000;
    while (!window.loaded) {
      if (Date.now() > end) throw new Error('the module script did not run');
      await new Promise((r) => setTimeout(r, 20));
    }`, { timeoutMs: 15000 });
});

after(async () => {
  b?.end();
  await page?.evaluate('window.client?.close()').catch(() => {});
  await browser?.close();
  await server?.close();
  for (const h of hubs ?? []) await h.stop('SIGKILL');
  clearTimeout(deadline);
  setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();
});

// Fails with the page's console attached.
const inPage = (body, opts) => page.check(body, opts);

test('h1 killed: the client in Chromium fails over, B on h3 rediscovers it within 3 s, its queued offer arrives', async () => {
  const list = hubs.map((h) => `ws://127.0.0.1:${h.port}`);
  const a = await inPage(`
    const { connectSignaling, ed25519Backend } = window.pigeonhub;
    window.client = connectSignaling({ hubs: ${JSON.stringify(list)}, networkName: '${NET}', data: { name: 'chromium' } });
    await client.ready;
    return { peerId: client.peerId, hub: client.hub, ed25519: await ed25519Backend(),
      nativeWebSocket: (await window.webSocketClass()) === WebSocket, crypto: crypto.subtle instanceof SubtleCrypto };`);
  assert.equal(a.hub, list[0]);
  assert.equal(a.ed25519, 'webcrypto');
  assert.ok(a.nativeWebSocket, 'the package picked the browser\'s WebSocket');
  assert.ok(a.crypto);

  const bId = randomPeerId();
  b = await connect(hubs[2].wsUrl(bId));
  b.send({ type: 'announce', networkName: NET, data: { peerId: bId } });
  await b.next((m) => m.type === 'peer-discovered' && m.data.peerId === a.peerId, 10000);

  // In the page: at the disconnect, queue an offer for B (the client is between hubs then), then wait for the move.
  await inPage(`
    window.failover = new Promise((resolve) => {
      const offDown = client.on('disconnected', (down) => {
        offDown();
        const queued = client.send({ type: 'offer', targetPeerId: '${bId}', data: { sdp: 'queued-during-outage' } });
        const downAt = Date.now();
        const offMoved = client.on('hub-changed', (change) => { offMoved(); resolve({ down, queued, downAt, change, movedAt: Date.now() }); });
      });
    });`);
  const since = b.frames.length;
  const t0 = Date.now();
  const tPerf = performance.now();
  await hubs[0].stop('SIGKILL');
  const f = await inPage('return await window.failover;', { timeoutMs: 5000 });
  assert.equal(f.down.hub, list[0]);
  assert.equal(f.queued, 'queued');
  assert.equal(f.change.from, list[0]);
  assert.ok(f.change.to === list[1] || f.change.to === list[2], f.change.to);
  await b.next((m) => m.type === 'peer-discovered' && m.data.peerId === a.peerId, 3000, since);
  const tRediscovered = performance.now() - tPerf;
  const offer = await b.next((m) => m.type === 'offer' && m.fromPeerId === a.peerId, 3000, since);
  const tOffer = performance.now() - tPerf;
  assert.equal(offer.data.sdp, 'queued-during-outage');
  assert.equal(await inPage('return client.queued;'), 0);
  console.log(`failover (Chromium): the page's client on ${f.change.to === list[1] ? 'h2' : 'h3'} after ${f.movedAt - t0} ms, `
    + `rediscovered by B on h3 after ${tRediscovered.toFixed(0)} ms, queued offer delivered after ${tOffer.toFixed(0)} ms`);
  assert.ok(tRediscovered < 3000, `rediscovered after ${tRediscovered} ms`);

  // Chromium itself opened the page's sockets: to h1 first, then to the hub it moved to.
  const opened = sockets.map((u) => `${new URL(u).protocol}//${new URL(u).host}`);
  assert.equal(opened[0], list[0], sockets.join(' '));
  assert.ok(opened.includes(f.change.to), sockets.join(' '));
  // Nothing but the page and the package's modules was loaded (a `ws` or `node:` import would fail in the page).
  const resources = await inPage(`return performance.getEntriesByType('resource').map((e) => e.name);`);
  assert.ok(resources.length > 5 && resources.every((u) => u.startsWith(`${server.url}/clients/js/`)), resources.join(' '));
  assert.ok(server.requests.every((p) => p === '/' || p.startsWith('/clients/js/')), server.requests.join(' '));
  const problems = page.console.filter((c) => c.type === 'exception' || c.type === 'error');
  assert.deepEqual(problems, [], page.consoleText());
});

test('a record signed in Chromium (WebCrypto Ed25519) published on h2 is found, verified, on h3', async () => {
  const topic = `js-chromium-${Date.now()}`;
  const [h2, h3] = [hubs[1].url, hubs[2].url];
  const r = await inPage(`
    const { publish, find, generateKeyPair, ed25519Backend } = window.pigeonhub;
    const keyPair = await generateKeyPair();
    const data = { from: 'chromium', list: [1, 'two', null], nested: { 'é': '😀' } };
    const stored = await publish('${h2}', '${topic}', data, { ttl: 120, keyPair });
    const end = Date.now() + 10000;
    for (;;) {
      const records = await find('${h3}', '${topic}');
      if (records.length > 0) return { backend: await ed25519Backend(), publicKey: keyPair.publicKey, stored, records };
      if (Date.now() > end) throw new Error('the record did not reach h3 within 10 s');
      await new Promise((r) => setTimeout(r, 200));
    }`, { timeoutMs: 15000 });
  assert.equal(r.backend, 'webcrypto');
  assert.equal(r.stored.publicKey, r.publicKey);
  assert.equal(r.records.length, 1);
  assert.equal(r.records[0].publicKey, r.publicKey);
  assert.equal(r.records[0].verified, true);
  assert.deepEqual(r.records[0].data, { from: 'chromium', list: [1, 'two', null], nested: { 'é': '😀' } });
  // The same record verified again outside the browser (Node's Ed25519).
  const again = await find(h3, topic);
  assert.equal(again.length, 1);
  assert.equal(again[0].publicKey, r.publicKey);
  assert.equal(again[0].signature, r.records[0].signature);
});

test('the driver reports console output, a throw in the page, a failed navigation and a promise that never settles', async () => {
  const p = await browser.newPage();
  await p.evaluate(`console.log('hello', 42); console.error(new Error('logged'));`);
  await assert.rejects(p.evaluate(`throw new RangeError('boom');`), /in the page: RangeError: boom/);
  const closed = await freePort();
  await assert.rejects(p.navigate(`http://127.0.0.1:${closed}/`), /ERR_CONNECTION_REFUSED/);
  await assert.rejects(p.evaluate('await new Promise(() => {});', { timeoutMs: 300 }), /no answer within 300 ms/);
  assert.equal(await p.evaluate('return 6 * 7;'), 42);   // the page still answers after a timed-out call
  assert.ok(p.console.some((c) => c.type === 'log' && c.text === 'hello 42'), p.consoleText());
  assert.ok(p.console.some((c) => c.type === 'error' && /Error: logged/.test(c.text)), p.consoleText());
  await p.close();
});

test('closing the browser leaves no process and no profile behind', async () => {
  const dir = browser.userDataDir;
  const pids = await browser.close();
  assert.ok(pids.length >= 3, `the browser and its helpers: ${pids}`);   // browser, zygote, renderer at least
  // SIGKILL is delivered at once, but a helper may take a moment to be gone (a zombie counts as gone).
  const alive = () => pids.filter((pid) => {
    try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
  });
  await waitFor(() => alive().length === 0, { timeoutMs: 3000, intervalMs: 20, what: `the end of ${alive()}` });
  assert.equal(existsSync(dir), false);
});
