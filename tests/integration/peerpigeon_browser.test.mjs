// The PeerPigeon 1.1.3 browser bundle (dist/peerpigeon-browser.js from the npm package, unchanged) in headless
// Chromium (Debian's, driven over the DevTools protocol: lib/chromium.mjs) and a Node PeerPigeonMesh
// (lib/peerpigeon.mjs) on two hubs of one DHT mesh: the page on h1, Node on h2, one fresh network. They discover
// each other through the mesh, open a native RTCPeerConnection in Chromium, and a direct message goes each way over
// the data channel. PeerPigeon hard-codes a public STUN server; the page wraps window.RTCPeerConnection before the
// bundle loads so that every connection gets `iceServers: []` (getStats: host candidates only), and Chromium's
// network stack shows that the page's HTTP and WebSocket requests went to 127.0.0.1 only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { startMesh } from './lib/hub.mjs';
import { launchChromium } from './lib/chromium.mjs';
import { servePages } from './lib/page_server.mjs';
import { createMesh, waitEvent } from './lib/peerpigeon.mjs';

const NET = `pp-browser-${process.pid}-${Date.now().toString(36)}`;
const BUNDLE = '/peerpigeon/dist/peerpigeon-browser.js';
// The flags come before the bundle (real-clients.md, section 6): AUTOMATED_TEST cuts the STUN list to one,
// DISABLE_LOCALHOST_MEDIA_REQUEST keeps init() from calling getUserMedia on a 127.0.0.1 page. The wrapper keeps
// what PeerPigeon asked for (to show it was overridden) and every connection's states.
const PAGE = `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>PeerPigeon bundle in Chromium</title><link rel="icon" href="data:,"></head>
<body>
<script>
  window.AUTOMATED_TEST = true;
  window.DISABLE_LOCALHOST_MEDIA_REQUEST = true;
  const NativeRTCPeerConnection = window.RTCPeerConnection;
  window.rtc = { Native: NativeRTCPeerConnection, asked: [], given: [], pcs: [], states: [] };
  window.RTCPeerConnection = class extends NativeRTCPeerConnection {
    constructor(config = {}, ...rest) {
      const given = { ...config, iceServers: [], iceCandidatePoolSize: 0 };
      super(given, ...rest);
      const i = window.rtc.pcs.push(this) - 1;
      window.rtc.asked.push(JSON.parse(JSON.stringify(config)));
      window.rtc.given.push(this.getConfiguration().iceServers);
      window.rtc.states[i] = [];
      this.addEventListener('connectionstatechange', () => window.rtc.states[i].push(this.connectionState));
    }
  };
</script>
<script src="${BUNDLE}"></script>
</body>
</html>
`;

let hubs;
let server;
let browser;
let page;
let node;
const requests = [];   // URLs Chromium's network stack fetched for the page
const sockets = [];    // URLs of the WebSockets it opened
const deadline = setTimeout(() => { console.error('peerpigeon_browser: overall timeout'); process.exit(1); }, 90000);

before(async () => {
  hubs = await startMesh(2);
  server = await servePages({ pages: { '/': PAGE }, mounts: { '/peerpigeon/dist/': 'node_modules/peerpigeon/dist' } });
  // By default Chromium hides its host addresses behind mDNS .local names (getStats then shows ''), which a peer
  // resolves by multicast; without that its host candidates are the machine's own addresses, checked below.
  browser = await launchChromium({ args: ['--disable-features=WebRtcHideLocalIpsWithMdns'], timeoutMs: 30000 });
  console.log(`browser: ${(await browser.version()).product}`);
  page = await browser.newPage();
  await page.send('Network.enable');
  page.on('Network.requestWillBeSent', (p) => requests.push(p.request.url));
  page.on('Network.webSocketCreated', (p) => sockets.push(p.url));
  await page.navigate(`${server.url}/`, { timeoutMs: 15000 });
});

after(async () => {
  try { node?.disconnect(); } catch {}
  await page?.evaluate('window.mesh?.disconnect()').catch(() => {});
  await browser?.close();
  await server?.close();
  for (const h of hubs ?? []) await h.stop('SIGKILL');
  clearTimeout(deadline);
  // @roamhq/wrtc keeps native threads alive; the test is over, so leave explicitly.
  setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();
});

// Fails with the page's console attached.
const inPage = (body, opts) => page.check(body, opts);

// The addresses of this machine's interfaces.
function ownAddresses() {
  return new Set(Object.values(os.networkInterfaces()).flat().map((i) => i.address));
}

test('the browser bundle on h1 and a Node PeerPigeonMesh on h2 connect over WebRTC and message each other', async () => {
  const [h1, h2] = hubs.map((h) => `ws://127.0.0.1:${h.port}`);
  assert.equal(await inPage('return typeof window.PeerPigeonMesh;'), 'function');

  const browserId = await inPage(`
    window.mesh = new PeerPigeonMesh({ networkName: '${NET}', enableCrypto: false, enableWebDHT: false, maxPeers: 3, minPeers: 1 });
    await mesh.init();
    window.seen = { connected: [], messages: [] };
    mesh.addEventListener('peerConnected', (e) => seen.connected.push(e.peerId));
    mesh.addEventListener('messageReceived', (m) => seen.messages.push({ from: m.from, content: m.content, direct: m.direct, hops: m.hops }));
    await mesh.connect('${h1}');
    return mesh.peerId;`, { timeoutMs: 15000 });
  assert.match(browserId, /^[0-9a-f]{40}$/);

  node = await createMesh({ networkName: NET });
  const nodeConnected = waitEvent(node, 'peerConnected', (e) => e.peerId === browserId, 30000);
  await node.connect(h2);
  await nodeConnected;
  await inPage(`
    const end = Date.now() + 20000;
    while (!seen.connected.includes('${node.peerId}')) {
      if (Date.now() > end) throw new Error('no peerConnected for the Node peer within 20 s');
      await new Promise((r) => setTimeout(r, 20));
    }`, { timeoutMs: 25000 });

  // Browser -> Node, then Node -> browser, each a direct message over the data channel (no hop).
  const toNode = `hello node from chromium (${NET})`;
  const gotNode = waitEvent(node, 'messageReceived', (m) => m.content === toNode, 10000);
  assert.ok(await inPage(`return await mesh.sendDirectMessage('${node.peerId}', '${toNode}');`), 'sendDirectMessage returned no id');
  const mn = await gotNode;
  assert.equal(mn.from, browserId);
  assert.equal(mn.direct, true);
  assert.equal(mn.hops, 0);

  const toBrowser = `hello chromium from node (${NET})`;
  assert.ok(await node.sendDirectMessage(browserId, toBrowser), 'sendDirectMessage returned no id');
  const mb = await inPage(`
    const end = Date.now() + 10000;
    for (;;) {
      const m = seen.messages.find((x) => x.content === '${toBrowser}');
      if (m) return m;
      if (Date.now() > end) throw new Error('the Node peer\\'s message did not arrive within 10 s');
      await new Promise((r) => setTimeout(r, 20));
    }`, { timeoutMs: 15000 });
  assert.deepEqual(mb, { from: node.peerId, content: toBrowser, direct: true, hops: 0 });

  // The connection in Chromium is the browser's own RTCPeerConnection: it reached 'connected', PeerPigeon asked
  // for a STUN server and got none, and the pair in use joins two host candidates of this machine.
  const rtc = await inPage(`
    const out = [];
    for (const [i, pc] of rtc.pcs.entries()) {
      const stats = [...(await pc.getStats()).values()];
      const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
      const pair = transport && stats.find((s) => s.id === transport.selectedCandidatePairId);
      const cand = (id) => { const c = stats.find((s) => s.id === id); return c && { type: c.candidateType, address: c.address }; };
      out.push({ native: pc instanceof rtc.Native && /\\[native code\\]/.test(String(rtc.Native)), state: pc.connectionState, states: rtc.states[i],
        asked: rtc.asked[i].iceServers, given: rtc.given[i],
        pair: pair && { state: pair.state, local: cand(pair.localCandidateId), remote: cand(pair.remoteCandidateId),
          bytesSent: pair.bytesSent, bytesReceived: pair.bytesReceived },
        candidateTypes: stats.filter((s) => s.type === 'local-candidate').map((s) => s.candidateType) });
    }
    return out;`);
  // When both sides offered at once (glare), PeerPigeon made two connections and drops the loser; it may not have
  // gone yet under load. The one that carried the messages is checked.
  const live = rtc.filter((c) => c.state === 'connected');
  assert.ok(live.length >= 1, JSON.stringify(rtc));
  const [c] = live.sort((x, y) => (y.pair?.bytesReceived ?? 0) - (x.pair?.bytesReceived ?? 0));
  assert.ok(c.native);
  assert.ok(c.states.includes('connected'), JSON.stringify(c.states));
  assert.ok(rtc.every((x) => x.asked.some((s) => /^stun:/.test([s.urls].flat()[0]))), JSON.stringify(rtc.map((x) => x.asked)));
  assert.ok(rtc.every((x) => x.given.length === 0), JSON.stringify(rtc.map((x) => x.given)));
  assert.ok(rtc.every((x) => x.candidateTypes.every((t) => t === 'host')), JSON.stringify(rtc.map((x) => x.candidateTypes)));
  assert.equal(c.pair.state, 'succeeded');
  const own = ownAddresses();
  assert.ok(own.has(c.pair.local.address) && own.has(c.pair.remote.address), JSON.stringify(c.pair));
  assert.ok(c.pair.bytesSent > 0 && c.pair.bytesReceived > 0, JSON.stringify(c.pair));
  console.log(`pair: ${c.pair.local.type} ${c.pair.local.address} <-> ${c.pair.remote.type} ${c.pair.remote.address}, `
    + `${c.pair.bytesSent} B sent, ${c.pair.bytesReceived} B received; ${rtc.length} RTCPeerConnection(s) made`);

  // Only 127.0.0.1: the page, the bundle and the one signaling socket to h1.
  assert.ok(requests.length >= 2 && requests.every((u) => new URL(u).hostname === '127.0.0.1'), requests.join(' '));
  assert.ok(requests.includes(`${server.url}/`) && requests.includes(`${server.url}${BUNDLE}`), requests.join(' '));
  assert.ok(sockets.length >= 1 && sockets.every((u) => u.startsWith(`${h1}/`) || u.startsWith(`${h1}?`)), sockets.join(' '));
  assert.ok(server.requests.every((p) => p === '/' || p === BUNDLE), server.requests.join(' '));
  const exceptions = page.console.filter((e) => e.type === 'exception');
  assert.deepEqual(exceptions, [], page.consoleText());
});
