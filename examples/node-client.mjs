#!/usr/bin/env node
// The Node client flow on the pigeonhub package (clients/js): connect to the best hub of a list (the next one if it
// fails), announce into a room, print every peer discovered or gone, send each new peer an offer and answer every
// offer received. The SDP is a placeholder: this shows the signaling; examples/data-channel.mjs makes a real
// WebRTC connection.
//   HUBS=ws://127.0.0.1:3000,ws://127.0.0.1:3001 ROOM=demo node examples/node-client.mjs
//   node examples/node-client.mjs --hubs ws://127.0.0.1:3001 --room demo [--name NAME]
//                                 [--exit-after-answers N] [--timeout MS]
// stdout, one event a line: `peer ID` (our id, first), `connected HUB`, `discovered ID [NAME]`, `disconnected ID`,
// `offer to ID`, `offer from ID`, `answer to ID`, `answer from ID`, `goodbye` (last). Hub changes and errors go
// to stderr. Exits 0 on SIGINT/SIGTERM (after a goodbye to the hub), and once it has received N answers and
// answered N offers (--exit-after-answers N); 1 after --timeout MS.
import { parseArgs } from 'node:util';
import { connectSignaling, generatePeerId } from '../clients/js/index.js';

const { values: opt } = parseArgs({
  options: {
    hubs: { type: 'string', default: process.env.HUBS ?? 'ws://127.0.0.1:3000' },
    room: { type: 'string', default: process.env.ROOM ?? 'demo' },
    name: { type: 'string', default: process.env.NAME ?? 'Node.js Peer' },
    'exit-after-answers': { type: 'string' },
    timeout: { type: 'string' },
  },
});
const hubs = opt.hubs.split(',').map((s) => s.trim()).filter(Boolean);
const exitAfter = opt['exit-after-answers'] === undefined ? 0 : Number(opt['exit-after-answers']);
const out = (line) => process.stdout.write(`${line}\n`);

const peerId = generatePeerId();
out(`peer ${peerId}`);
const client = connectSignaling({
  peerId, hubs, networkName: opt.room,
  data: { name: opt.name, capabilities: ['messaging'] },
});

const offered = new Set();  // peers we sent an offer to (again after they left and came back)
let answersReceived = 0;
let offersAnswered = 0;

client.on('connected', ({ hub }) => out(`connected ${hub}`));
client.on('hub-changed', ({ from, to }) => { if (from) console.error(`hub changed: ${from} -> ${to}`); });
client.on('reconnecting', ({ delayMs, hub }) => console.error(`reconnecting to ${hub} in ${delayMs} ms`));
client.on('error', (e) => console.error(`error: ${e.error?.message ?? e.error}`));

client.on('peer-discovered', (m) => {
  const id = m.data?.peerId;
  if (typeof id !== 'string') return;
  out(`discovered ${id}${typeof m.data.name === 'string' ? ` ${m.data.name}` : ''}`);
  if (offered.has(id)) return;
  offered.add(id);
  client.send({ type: 'offer', targetPeerId: id, data: { type: 'offer', sdp: `placeholder offer from ${peerId}` } });
  out(`offer to ${id}`);
});

client.on('peer-disconnected', (m) => {
  const id = m.data?.peerId;
  if (typeof id !== 'string') return;
  offered.delete(id);
  out(`disconnected ${id}`);
});

client.on('offer', (m) => {
  out(`offer from ${m.fromPeerId}`);
  client.send({ type: 'answer', targetPeerId: m.fromPeerId, data: { type: 'answer', sdp: `placeholder answer from ${peerId}` } });
  out(`answer to ${m.fromPeerId}`);
  offersAnswered++;
  checkDone();
});

client.on('answer', (m) => {
  out(`answer from ${m.fromPeerId}`);
  answersReceived++;
  checkDone();
});

function checkDone() {
  if (exitAfter > 0 && answersReceived >= exitAfter && offersAnswered >= exitAfter) stop(0);
}

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  client.close();  // goodbye to the hub, then the socket's closing handshake; the process ends with it
  out('goodbye');
  setTimeout(() => process.exit(code), 2000).unref();  // a hub that never finishes the handshake
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
if (opt.timeout !== undefined) {
  setTimeout(() => { console.error(`timeout after ${opt.timeout} ms`); stop(1); }, Number(opt.timeout)).unref();
}
