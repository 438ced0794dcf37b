// Cross-node smoke test of a running local mesh (the seed's local:test): one peer on each hub in one
// namespace, every peer must discover every other, and an offer must cross from the first hub to each other
// hub. Usage: node tools/local-mesh-smoke.mjs [http://127.0.0.1:3000 http://127.0.0.1:3001 ...]
import WebSocket from 'ws';

const urls = process.argv.slice(2).length ? process.argv.slice(2) : [3000, 3001, 3002, 3003].map((p) => `http://127.0.0.1:${p}`);
const net = `smoke-${Date.now()}`;
const id = () => Array.from({ length: 40 }, () => Math.floor(Math.random() * 16).toString(16)).join('');

function client(url) {
  return new Promise((resolve, reject) => {
    const peerId = id();
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/?peerId=${peerId}`);
    const c = { peerId, ws, seen: new Set(), offers: [] };
    ws.on('message', (d) => {
      const m = JSON.parse(d);
      if (m.type === 'peer-discovered') c.seen.add(m.data.peerId);
      if (m.type === 'offer') c.offers.push(m.fromPeerId);
    });
    ws.on('open', () => { ws.send(JSON.stringify({ type: 'announce', networkName: net, data: { peerId } })); resolve(c); });
    ws.on('error', reject);
  });
}

const t0 = Date.now();
const clients = [];
for (const u of urls) clients.push(await client(u));
const deadline = Date.now() + 10000;
while (Date.now() < deadline && !clients.every((c) => clients.every((o) => o === c || c.seen.has(o.peerId)))) {
  await new Promise((r) => setTimeout(r, 50));
}
let ok = true;
for (const [i, c] of clients.entries()) {
  const missing = clients.filter((o) => o !== c && !c.seen.has(o.peerId)).length;
  console.log(`${urls[i]}: discovered ${c.seen.size}/${clients.length - 1}${missing ? ' MISSING ' + missing : ''}`);
  ok &&= missing === 0;
}
console.log(`discovery ${ok ? 'complete' : 'INCOMPLETE'} after ${Date.now() - t0} ms`);
for (const c of clients.slice(1)) clients[0].ws.send(JSON.stringify({ type: 'offer', data: { type: 'offer', sdp: 'v=0' }, targetPeerId: c.peerId, networkName: net }));
await new Promise((r) => setTimeout(r, 1000));
for (const [i, c] of clients.slice(1).entries()) {
  const got = c.offers.includes(clients[0].peerId);
  console.log(`offer ${urls[0]} -> ${urls[i + 1]}: ${got ? 'delivered' : 'LOST'}`);
  ok &&= got;
}
for (const c of clients) c.ws.close();
console.log(ok ? 'PASS' : 'FAIL');
process.exit(ok ? 0 : 1);
