// The demo page every hub serves at /demo/, end to end in headless Chromium (Debian's, over the DevTools protocol:
// lib/chromium.mjs). Three real hubs of one mesh, each with a PUBLIC_URL; page A is loaded from h1, page B from h2,
// both into one room, and driven through the page itself (buttons, the message box, the DOM). They discover each
// other, one calls the other, a WebRTC data channel opens and messages go both ways; each page shows its hub and the
// three hubs of /hubs, and each page's connections use its hub's DEMO_ICE_SERVERS (a STUN socket of the test for
// h2). A screenshot of A is taken then (DEMO_SCREENSHOT names the file; README shows the committed
// one, docs/demo.png). Then h1 is killed: page A moves to another hub of its list, B's hub reports it again, the
// open channel carries on, and after a hang-up the pages call each other again through the hubs that are left.
// Last, what the hub serves at /demo: the redirect, caching, the CSP, and nothing from disk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import dgram from 'node:dgram';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startHub, dhtPort, meshCa, freePort, waitFor } from './lib/hub.mjs';
import { launchChromium } from './lib/chromium.mjs';

const ROOM = `demo-e2e-${process.pid}`;
let hubs = [];
let browser;
let a;
let b;
const deadline = setTimeout(() => { console.error('demo_chromium: overall timeout'); process.exit(1); }, 150000);

async function startPublicHub(env) {
  const port = await freePort();
  return startHub({ env: { ...meshCa().env, PORT: String(port), PUBLIC_URL: `ws://127.0.0.1:${port}`, ...env } });
}

// A UDP socket on 127.0.0.1 that h2 names as its demo's STUN server (DEMO_ICE_SERVERS): it records the STUN
// binding requests page B's connections send it (RFC 5389: type 0x0001, magic cookie 0x2112A442) and answers none.
const stun = { socket: dgram.createSocket('udp4'), requests: 0 };

before(async () => {
  stun.socket.on('message', (m) => { if (m.length >= 20 && m.readUInt16BE(0) === 0x0001 && m.readUInt32BE(4) === 0x2112a442) stun.requests++; });
  await new Promise((resolve) => stun.socket.bind(0, '127.0.0.1', resolve));
  stun.url = `stun:127.0.0.1:${stun.socket.address().port}`;
  hubs.push(await startPublicHub({}));
  const bootstrap = `127.0.0.1:${await dhtPort(hubs[0])}`;
  hubs.push(await startPublicHub({ DHT_BOOTSTRAP: bootstrap, DEMO_ICE_SERVERS: stun.url }));
  hubs.push(await startPublicHub({ DHT_BOOTSTRAP: bootstrap }));
  await waitFor(async () => {
    const j = await (await fetch(`${hubs[0].url}/hubs`)).json();
    return j.hubs.length === 3;
  }, { timeoutMs: 15000, intervalMs: 100, what: 'every hub in /hubs' });
  // Host candidates as addresses, not mDNS names: the browser's resolver rules (lib/chromium.mjs) answer every
  // name but localhost with NOTFOUND, .local ones included. Page A is a background tab once B opens, and Chromium
  // runs a background tab's timers once a second: the backgrounding flags keep the timings those of a visible page.
  browser = await launchChromium({ timeoutMs: 30000, args: ['--disable-features=WebRtcHideLocalIpsWithMdns',
    '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'] });
  console.log(`browser: ${(await browser.version()).product}`);
  a = await openDemo(hubs[0]);
  b = await openDemo(hubs[1]);
});

after(async () => {
  stun.socket.close();
  await browser?.close();
  for (const h of hubs) await h.stop('SIGKILL');
  clearTimeout(deadline);
  setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();
});

async function openDemo(hub) {
  const page = await browser.newPage();
  await page.send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 720, deviceScaleFactor: 1, mobile: false });
  page.requests = [];
  await page.send('Network.enable');
  page.on('Network.requestWillBeSent', (p) => page.requests.push(p.request.url));
  page.on('Network.webSocketCreated', (p) => page.requests.push(p.url));
  await page.navigate(`${hub.url}/demo?room=${ROOM}`, { timeoutMs: 15000 });
  page.id = await inPage(page, `
    const end = Date.now() + 10000;
    while (!window.demo?.connected) {
      if (Date.now() > end) throw new Error('the demo did not connect to its hub');
      await new Promise((r) => setTimeout(r, 20));
    }
    return window.demo.me;`, { timeoutMs: 15000 });
  return page;
}

// Runs `body` in `page`; a failure carries the page's console and the demo's events.
async function inPage(page, body, opts) {
  try {
    return await page.check(body, opts);
  } catch (e) {
    const events = await page.evaluate('return window.demo?.events').catch(() => []);
    e.message += `\npage events:\n${(events ?? []).join('\n')}`;
    throw e;
  }
}

// Waits in the page until `condition` (an expression) holds; returns `result` (an expression) then.
function until(page, condition, { result = 'true', timeoutMs = 10000, what = condition } = {}) {
  return inPage(page, `
    const end = Date.now() + ${timeoutMs};
    while (!(${condition})) {
      if (Date.now() > end) throw new Error(${JSON.stringify(`timed out waiting for ${what}`)});
      await new Promise((r) => setTimeout(r, 20));
    }
    return ${result};`, { timeoutMs: timeoutMs + 5000 });
}

const row = (id) => `document.querySelector('#peers li[data-peer="${id}"]')`;
const chatLines = `[...document.querySelectorAll('#log li')].map((li) => li.className + ':' + li.textContent)`;

async function type(page, text) {
  await until(page, '!document.getElementById("message").disabled', { what: 'the message box to open' });
  await inPage(page, `
    document.getElementById('message').value = ${JSON.stringify(text)};
    document.getElementById('send').click();`);
}

async function talk(first, second, tag) {
  await type(first, `hello from A ${tag}`);
  await until(second, `${chatLines}.includes('theirs:hello from A ${tag}')`, { what: `A's message ${tag}` });
  await type(second, `hello from B ${tag}`);
  await until(first, `${chatLines}.includes('theirs:hello from B ${tag}')`, { what: `B's message ${tag}` });
  assert.ok((await inPage(first, `return ${chatLines}`)).includes(`mine:hello from A ${tag}`));
}

test('two demo pages on two hubs discover each other, open a data channel and chat', async () => {
  assert.match(a.id, /^[0-9a-f]{40}$/);
  assert.notEqual(a.id, b.id);
  // Each page is on the hub that served it, and says so.
  assert.equal(await until(a, 'window.demo.hubId', { result: 'window.demo.hub' }), `ws://127.0.0.1:${hubs[0].port}`);
  assert.equal(await until(b, 'window.demo.hubId', { result: 'window.demo.hub' }), `ws://127.0.0.1:${hubs[1].port}`);
  assert.match(await inPage(a, 'return document.getElementById("hub").textContent'), new RegExp(`127\\.0\\.0\\.1:${hubs[0].port}`));
  // The DHT's view: the three hubs, this one marked.
  const view = await until(a, 'document.querySelectorAll("#hubs tbody tr").length === 3',
    { result: '[...document.querySelectorAll("#hubs tbody tr")].map((tr) => tr.className + " " + tr.textContent)' });
  assert.equal(view.filter((r) => r.startsWith('self ')).length, 1, view.join('\n'));
  for (const h of hubs) assert.ok(view.some((r) => r.includes(`ws://127.0.0.1:${h.port}`)), view.join('\n'));

  await until(a, row(b.id), { what: 'B in A\'s list' });
  await until(b, row(a.id), { what: 'A in B\'s list' });
  const clicked = Date.now();
  await inPage(a, `${row(b.id)}.querySelector('button.connect').click();`);
  await until(a, `window.demo.peers.get('${b.id}')?.link?.state === 'open'`, { what: 'A\'s channel to open' });
  console.log(`data channel open ${Date.now() - clicked} ms after Connect (signaled across h1 and h2)`);
  await until(b, `window.demo.peers.get('${a.id}')?.link?.state === 'open'`, { what: 'B\'s channel to open' });
  assert.equal(await inPage(b, `return window.demo.peers.get('${a.id}').link.connectionState`), 'connected');
  // Each page's connections use its hub's DEMO_ICE_SERVERS: none from h1, the local STUN socket from h2, which
  // page B's connection asked for its address.
  assert.deepEqual(await inPage(a, `return window.demo.peers.get('${b.id}').link.iceServers`), []);
  assert.deepEqual((await inPage(b, `return window.demo.peers.get('${a.id}').link.iceServers`)).map((x) => [x.urls].flat()),
    [[stun.url]]);
  await waitFor(() => stun.requests > 0, { timeoutMs: 5000, what: 'a STUN binding request from page B' });
  await talk(a, b, 'over h1 and h2');

  const png = Buffer.from((await a.send('Page.captureScreenshot', { format: 'png' })).data, 'base64');
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1280, 720]);
  const file = process.env.DEMO_SCREENSHOT ?? path.join(mkdtempSync(path.join(os.tmpdir(), 'pigeonhub-demo-')), 'demo.png');
  writeFileSync(file, png);
  console.log(`screenshot: ${file} (${png.length} bytes)`);
});

test('page A\'s hub is killed: A moves to another hub, B sees it again, and the pages connect again', async () => {
  const before = await inPage(a, 'return window.demo.hubChanges');
  const killed = Date.now();
  await hubs[0].stop('SIGKILL');
  const moved = await until(a, `window.demo.connected && window.demo.hubChanges > ${before}`,
    { result: 'window.demo.hub', timeoutMs: 10000, what: 'A to move to another hub' });
  console.log(`page A announced on ${moved} ${Date.now() - killed} ms after its hub was killed`);
  assert.ok([hubs[1].port, hubs[2].port].some((p) => moved === `ws://127.0.0.1:${p}`), moved);
  // B's hub reports A again (from its new hub), and the channel opened through h1 still carries messages.
  await until(b, `${row(a.id)} && !${row(a.id)}.classList.contains('left')`, { what: 'A present in B\'s list' });
  await talk(a, b, 'after the failover, same channel');

  // Hang up, then call again: a new offer, answer and ICE candidates through the hubs that are left.
  await inPage(b, `${row(a.id)}.querySelector('button.hangup').click();`);
  await until(a, `window.demo.peers.get('${b.id}')?.link?.state === 'closed'`, { what: 'the hang-up to reach A' });
  await until(a, `${row(b.id)}?.querySelector('button.connect:not([disabled])')`, { what: 'A\'s Connect button' });
  const again = Date.now();
  await inPage(a, `${row(b.id)}.querySelector('button.connect').click();`);
  await until(b, `window.demo.peers.get('${a.id}')?.link?.state === 'open'`, { what: 'the new channel at B' });
  console.log(`new data channel open ${Date.now() - again} ms after Connect, ${Date.now() - killed} ms after the kill`);
  await talk(a, b, 'on a new channel');
});

test('the pages loaded only their hub\'s files and talked only to the mesh\'s hubs; nothing failed in them', async () => {
  const allowed = new Set(hubs.map((h) => `127.0.0.1:${h.port}`));
  for (const page of [a, b]) {
    for (const u of page.requests) assert.ok(allowed.has(new URL(u).host), `request to ${u}`);
    assert.ok(page.requests.some((u) => u.endsWith('/demo/pigeonhub/src/signaling-client.js')));
    const bad = page.console.filter((c) => c.type === 'exception' || (c.type === 'error' && !/ERR_CONNECTION_REFUSED|Failed to load resource|WebSocket connection/.test(c.text)));
    assert.deepEqual(bad, [], page.consoleText());
  }
});

test('GET /demo redirects with the query kept; files carry an ETag and a CSP; anything else there is 404', async () => {
  const base = hubs[1].url;
  let r = await fetch(`${base}/demo?room=x`, { redirect: 'manual' });
  assert.equal(r.status, 302);
  assert.equal(r.headers.get('location'), 'demo/?room=x');
  r = await fetch(`${base}/demo/`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.match(r.headers.get('content-security-policy'), /script-src 'self'/);
  const etag = r.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  assert.match(await r.text(), /<title>PigeonHub demo<\/title>/);
  r = await fetch(`${base}/demo/`, { headers: { 'If-None-Match': etag } });
  assert.equal(r.status, 304);
  r = await fetch(`${base}/demo/config.json`);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.deepEqual(await r.json(), { iceServers: [{ urls: stun.url }] });
  assert.deepEqual(await (await fetch(`${hubs[2].url}/demo/config.json`)).json(), { iceServers: [] });
  r = await fetch(`${base}/demo/pigeonhub/index.js`);
  assert.match(r.headers.get('content-type'), /^text\/javascript/);
  assert.match(await r.text(), /export \{ connectSignaling/);
  // Sent as written (fetch would resolve the dots first).
  for (const p of ['/demo/nope.js', '/demo/../health', '/demo/%2e%2e/health', '/demo/pigeonhub/', '/demo/pigeonhub/src']) {
    const status = await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: hubs[1].port, path: p }, (res) => { res.resume(); resolve(res.statusCode); }).on('error', reject);
    });
    assert.equal(status, 404, p);
  }
  r = await fetch(`${base}/demo/index.html`, { method: 'POST' });
  assert.equal(r.status, 405);
  assert.match(await (await fetch(`${base}/`)).text(), /href="\/demo\/"/);
  // DEMO=off: no demo, and the home page does not point to one.
  const off = await startHub({ env: { DEMO: 'off', MESH_TRUST: 'single' } });
  try {
    assert.equal((await fetch(`${off.url}/demo/`)).status, 404);
    assert.equal((await fetch(`${off.url}/demo/config.json`)).status, 404);
    assert.equal((await fetch(`${off.url}/demo`, { redirect: 'manual' })).status, 404);
    assert.doesNotMatch(await (await fetch(`${off.url}/`)).text(), /demo/);
  } finally {
    await off.stop('SIGKILL');
  }
});
