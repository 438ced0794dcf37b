#!/usr/bin/env node
// Signed data with the pigeonhub package (clients/js): publish a record signed with a key pair made here through
// one hub, then find it through another hub of the mesh, checked here against the key (docs/DATA.md).
//   node examples/publish-find.mjs --hubs http://127.0.0.1:3000,http://127.0.0.1:3001 [--topic T] [--data JSON]
//                                  [--ttl S] [--timeout MS]
// HUBS (env or --hubs): publish through the first, find through the last (the same hub when only one is given).
// stdout: `key PUBLICKEY`, `published RECORD`, `found RECORD` (the record as JSON on one line, its signature verified
// here). Exits 0 once found, 1 when it is not found within --timeout MS (default 10000) or a hub refuses it.
import { parseArgs } from 'node:util';
import { publish, find, generateKeyPair } from '../clients/js/index.js';

const { values: opt } = parseArgs({
  options: {
    hubs: { type: 'string', default: process.env.HUBS ?? 'http://127.0.0.1:3000,http://127.0.0.1:3001' },
    topic: { type: 'string', default: 'examples' },
    data: { type: 'string', default: '{"hello":"world"}' },
    ttl: { type: 'string', default: '300' },
    timeout: { type: 'string', default: '10000' },
  },
});
const hubs = opt.hubs.split(',').map((s) => s.trim()).filter(Boolean);
const [from, to] = [hubs[0], hubs[hubs.length - 1]];

try {
  const keyPair = await generateKeyPair();
  console.log(`key ${keyPair.publicKey}`);
  const stored = await publish(from, opt.topic, JSON.parse(opt.data), { ttl: Number(opt.ttl), keyPair });
  console.log(`published ${JSON.stringify(stored)}`);

  // The record reaches the other hub through the DHT, usually within a second. find() leaves out records whose
  // signature fails here, whatever the hub says.
  const deadline = Date.now() + Number(opt.timeout);
  for (;;) {
    const mine = (await find(to, opt.topic)).find((r) => r.publicKey === keyPair.publicKey && r.seq === stored.seq);
    if (mine) {
      console.log(`found ${JSON.stringify(mine)}`);
      break;
    }
    if (Date.now() > deadline) throw new Error(`not found through ${to} within ${opt.timeout} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
} catch (e) {
  console.error(`publish-find: ${e.message}`);
  process.exitCode = 1;
}
