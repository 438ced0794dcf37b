#!/usr/bin/env node
// A real WebRTC data channel between two Node processes, each signaling through its own hub of a mesh:
//   node examples/data-channel.mjs --hub ws://127.0.0.1:3000 --room chat      (one shell)
//   node examples/data-channel.mjs --hub ws://127.0.0.1:3001 --room chat      (another)
// Each peer pairs with every peer it discovers in the room: the one with the smaller id offers (so both never offer
// at once), ICE candidates trickle through the hub (`ice-candidate`), and once the channel is open each side sends
// `hello from ID`, then --send TEXT, then every line typed on stdin (lines typed before a channel opens wait for it).
// The answerer speaks first and the offerer once it has heard from it: when the offerer sent three messages as soon
// as its channel opened, @roamhq/wrtc 0.10.0 on the answerer's side delivered the first one last, about one run in
// five (that side's channel object is made as the channel arrives); an answerer that has spoken has its channel.
// WebRTC comes from @roamhq/wrtc (`npm install @roamhq/wrtc@0.10.0`; in this repository `npm ci` installs it as
// @koush/wrtc). Options: --hub URL (repeatable, or a comma list; env HUBS; the next one is used if a hub fails),
// --room (env ROOM), --ice-servers JSON (env ICE_SERVERS, default [] = host candidates only, nothing contacted
// outside), --send TEXT, --exit-after N (messages received), --timeout MS.
// stdout, one event a line: `peer ID` (our id), `connected HUB`, `discovered ID`, `offer to ID`, `offer from ID`,
// `answer from ID`, `open ID`, `message TEXT`, `closed ID`, `disconnected ID`, `goodbye`. Exits 0 on
// SIGINT/SIGTERM or after --exit-after N messages, 1 after --timeout MS.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { connectSignaling, generatePeerId } from '../clients/js/index.js';

const { values: opt } = parseArgs({
  options: {
    hub: { type: 'string', multiple: true },
    room: { type: 'string', default: process.env.ROOM ?? 'chat' },
    'ice-servers': { type: 'string', default: process.env.ICE_SERVERS ?? '[]' },
    send: { type: 'string' },
    'exit-after': { type: 'string' },
    timeout: { type: 'string' },
  },
});
const hubs = (opt.hub ?? [process.env.HUBS ?? 'ws://127.0.0.1:3000']).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
const iceServers = JSON.parse(opt['ice-servers']);
const exitAfter = opt['exit-after'] === undefined ? 0 : Number(opt['exit-after']);
const out = (line) => process.stdout.write(`${line}\n`);

const { RTCPeerConnection } = await loadWrtc();

const peerId = generatePeerId();
out(`peer ${peerId}`);
const client = connectSignaling({ peerId, hubs, networkName: opt.room, data: { name: 'data-channel example' } });

// peer id -> {pc, channel, remoteSet, candidates (received before the remote description),
//             ready (we may send), outbox (what waits for ready)}
const peers = new Map();
const backlog = [];  // lines typed while no channel was open
const closing = new Set();  // promises of channels whose close event has not come yet
let received = 0;

client.on('connected', ({ hub }) => out(`connected ${hub}`));
client.on('reconnecting', ({ delayMs, hub }) => console.error(`reconnecting to ${hub} in ${delayMs} ms`));
client.on('error', (e) => console.error(`error: ${e.error?.message ?? e.error}`));

client.on('peer-discovered', (m) => {
  const id = m.data?.peerId;
  if (typeof id !== 'string' || peers.has(id)) return;
  out(`discovered ${id}`);
  if (peerId < id) offer(id).catch((e) => console.error(`offer to ${id} failed: ${e.message}`));
});

client.on('peer-disconnected', (m) => {
  const id = m.data?.peerId;
  if (typeof id !== 'string') return;
  out(`disconnected ${id}`);
  drop(id);
});

client.on('offer', (m) => answer(m.fromPeerId, m.data).catch((e) => console.error(`answer to ${m.fromPeerId} failed: ${e.message}`)));

client.on('answer', (m) => {
  const p = peers.get(m.fromPeerId);
  if (!p) return;
  out(`answer from ${m.fromPeerId}`);
  p.pc.setRemoteDescription(m.data).then(() => remoteSet(p), (e) => console.error(`answer from ${m.fromPeerId}: ${e.message}`));
});

client.on('ice-candidate', (m) => {
  const p = peers.get(m.fromPeerId);
  if (!p || !m.data) return;
  if (p.remoteSet) p.pc.addIceCandidate(m.data).catch((e) => console.error(`candidate: ${e.message}`));
  else p.candidates.push(m.data);
});

function connection(id) {
  drop(id);  // a peer that offers again (it restarted): start over
  const pc = new RTCPeerConnection({ iceServers });
  const p = { pc, channel: null, remoteSet: false, candidates: [], ready: false, outbox: [] };
  peers.set(id, p);
  pc.onicecandidate = (e) => {
    if (!e.candidate) return;
    const { candidate, sdpMid, sdpMLineIndex } = e.candidate;
    client.send({ type: 'ice-candidate', targetPeerId: id, data: { candidate, sdpMid, sdpMLineIndex } });
  };
  let state = '';
  pc.onconnectionstatechange = () => {  // @roamhq/wrtc repeats a state at times
    if (pc.connectionState !== state) console.error(`${id}: ${(state = pc.connectionState)}`);
  };
  return p;
}

async function offer(id) {
  const p = connection(id);
  wire(id, p, p.pc.createDataChannel('chat'), false);
  const desc = await p.pc.createOffer();
  await p.pc.setLocalDescription(desc);
  client.send({ type: 'offer', targetPeerId: id, data: { type: desc.type, sdp: desc.sdp } });
  out(`offer to ${id}`);
}

async function answer(id, data) {
  out(`offer from ${id}`);
  const p = connection(id);
  p.pc.ondatachannel = (e) => wire(id, p, e.channel, true);
  await p.pc.setRemoteDescription(data);
  remoteSet(p);
  const desc = await p.pc.createAnswer();
  await p.pc.setLocalDescription(desc);
  client.send({ type: 'answer', targetPeerId: id, data: { type: desc.type, sdp: desc.sdp } });
  out(`answer to ${id}`);
}

function remoteSet(p) {
  p.remoteSet = true;
  for (const c of p.candidates.splice(0)) p.pc.addIceCandidate(c).catch((e) => console.error(`candidate: ${e.message}`));
}

// `answerer`: the channel came from the other side (ondatachannel); it speaks first, the offerer after its first
// message (see the top).
function wire(id, p, channel, answerer) {
  p.channel = channel;
  const flush = () => {
    p.ready = true;
    for (const text of p.outbox.splice(0)) channel.send(text);
  };
  channel.onopen = () => {
    out(`open ${id}`);
    p.outbox.push(`hello from ${peerId}`, ...(opt.send === undefined ? [] : [opt.send]), ...backlog.splice(0));
    if (answerer) flush();
  };
  channel.onmessage = (e) => {
    if (!p.ready) flush();
    const text = typeof e.data === 'string' ? e.data : `(${e.data.byteLength} bytes)`;
    out(`message ${text.replace(/[\x00-\x1f\x7f]/g, ' ')}`);  // one line each, no terminal escapes from a peer
    if (exitAfter > 0 && ++received >= exitAfter) stop(0);
  };
  const closed = new Promise((resolve) => { channel.onclose = resolve; }).then(() => {
    out(`closed ${id}`);
    closing.delete(closed);
  });
  closing.add(closed);
}

function drop(id) {
  const p = peers.get(id);
  if (!p) return;
  peers.delete(id);
  try { p.pc.close(); } catch {}
}

// Typed lines go to every open channel; before one is open they wait. End of input (not a TTY) just stops reading.
createInterface({ input: process.stdin }).on('line', (line) => {
  const open = [...peers.values()].filter((p) => p.channel?.readyState === 'open');
  if (open.length === 0) backlog.push(line);
  for (const p of open) {
    if (p.ready) p.channel.send(line);
    else p.outbox.push(line);
  }
});

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  // A data channel's close completes after the peer has had everything sent before it: wait for that (2 s at most)
  // so that the last messages are not lost with the process. The close event can come after readyState says
  // 'closed', so every channel's own event is awaited.
  for (const p of peers.values()) if (p.channel?.readyState === 'open' || p.channel?.readyState === 'connecting') p.channel.close();
  await Promise.race([Promise.all([...closing]), new Promise((r) => setTimeout(r, 2000))]);
  for (const id of [...peers.keys()]) drop(id);
  client.close();
  out('goodbye');
  setTimeout(() => process.exit(code), 100);  // @roamhq/wrtc keeps native threads alive
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
if (opt.timeout !== undefined) {
  setTimeout(() => { console.error(`timeout after ${opt.timeout} ms`); stop(1); }, Number(opt.timeout)).unref();
}

async function loadWrtc() {
  for (const name of ['@roamhq/wrtc', '@koush/wrtc']) {
    try {
      const m = await import(name);
      return m.default ?? m;
    } catch (e) {
      if (e.code !== 'ERR_MODULE_NOT_FOUND') console.error(`${name}: ${e.message}`);
    }
  }
  console.error('data-channel: no WebRTC for Node: npm install @roamhq/wrtc@0.10.0');
  process.exit(2);
}
