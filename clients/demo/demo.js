// The demo page every hub serves at /demo/: a peer id from this hub, the `pigeonhub` client (served beside this
// page at ./pigeonhub/) announcing into the room named in the URL, the peers it discovers, a WebRTC data channel to
// the one you pick (peer-link.js) and a chat over it, the hub in use and the mesh's hubs as the DHT lists them
// (/hubs). When the hub goes away the client moves to another hub of the mesh and announces again; open data
// channels do not need a hub and carry on.
//
// URL parameters: room (the namespace; default "demo"), hubs (more hub URLs, comma separated), ice (STUN URLs,
// comma separated, instead of the hub's DEMO_ICE_SERVERS from ./config.json; peers on one machine or network need
// none), token or password (for a protected room, docs/AUTH.md; passed to every hub).
// window.demo holds the page's state, for the curious and for tests.
import { connectSignaling, generatePeerId, HubDirectory, hubKey, isPeerId } from './pigeonhub/index.js';
import { httpBase } from './pigeonhub/src/websocket.js';
import { PeerLink } from './peer-link.js';

const params = new URLSearchParams(location.search);
const list = (name) => (params.get(name) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const room = params.get('room') || 'demo';
let iceServers = list('ice').map((urls) => ({ urls }));   // else the hub's (config.json)
const home = location.origin;   // the hub that served this page
const MAX_LOG = 500;            // chat lines and events kept on the page
const MAX_EVENTS = 100;
const HUBS_REFRESH_MS = 5000;

const $ = (id) => document.getElementById(id);
const short = (id) => `${id.slice(0, 8)}…`;

const state = {
  room, me: null, hub: null, hubId: null, connected: false,
  peers: new Map(),   // id -> {present: the hub reports it, link: PeerLink | null}
  selected: null,     // the peer the chat panel shows
  chat: new Map(),    // peer id -> [{from: 'me' | 'peer' | 'note', text}]
  hubs: [],           // the last /hubs answer's list
  iceServers: [],     // the URLs of the ICE servers in use
  events: [],
  hubChanges: 0,
};
window.demo = state;

function event(text) {
  state.events.push(`${new Date().toLocaleTimeString()} ${text}`);
  if (state.events.length > MAX_EVENTS) state.events.shift();
  renderEvents();
}

function say(peer, from, text) {
  if (!state.chat.has(peer)) state.chat.set(peer, []);
  const lines = state.chat.get(peer);
  lines.push({ from, text });
  if (lines.length > MAX_LOG) lines.shift();
  if (peer === state.selected) renderChat();
}

// ---- rendering -------------------------------------------------------------------------------------------------

function renderHeader() {
  $('room').textContent = room;
  $('me').textContent = state.me ? short(state.me) : '…';
  $('me').title = state.me ?? '';
  $('hub').textContent = state.hub ? `${state.hub}${state.hubId ? ` (${short(state.hubId)})` : ''}` : 'no hub: reconnecting…';
  $('hub-state').className = `dot ${state.connected ? 'up' : 'down'}`;
  const invite = new URL(location.href);
  $('invite').href = invite.toString();
}

function renderPeers() {
  const ul = $('peers');
  ul.replaceChildren();
  for (const [id, p] of state.peers) {
    if (!p.present && !p.link) continue;
    const li = document.createElement('li');
    li.dataset.peer = id;
    if (id === state.selected) li.classList.add('selected');
    if (!p.present) li.classList.add('left');
    const name = document.createElement('code');
    name.textContent = short(id);
    name.title = id;
    const status = document.createElement('span');
    status.className = 'state';
    status.textContent = p.link ? (p.link.state === 'open' ? 'connected' : p.link.state) : (p.present ? '' : 'left');
    const button = document.createElement('button');
    if (p.link && p.link.state !== 'closed') {
      button.textContent = 'Hang up';
      button.className = 'secondary hangup';
      button.addEventListener('click', () => hangUp(id));
    } else {
      button.textContent = 'Connect';
      button.className = 'connect';
      button.disabled = !p.present || !state.connected;
      button.addEventListener('click', () => connectTo(id));
    }
    li.append(name, status, button);
    ul.append(li);
  }
  $('no-peers').hidden = ul.children.length > 0;
}

function renderChat() {
  const peer = state.selected;
  const link = peer ? state.peers.get(peer)?.link : null;
  $('chat-with').textContent = peer ? `with ${short(peer)}` : '(connect to a peer)';
  $('chat-with').className = peer ? '' : 'muted';
  const open = link?.state === 'open';
  $('message').disabled = !open;
  $('send').disabled = !open;
  const ol = $('log');
  ol.replaceChildren();
  for (const { from, text } of state.chat.get(peer) ?? []) {
    const li = document.createElement('li');
    li.className = from === 'me' ? 'mine' : from === 'note' ? 'note' : 'theirs';
    const span = document.createElement('span');
    span.textContent = text;
    li.append(span);
    ol.append(li);
  }
  ol.scrollTop = ol.scrollHeight;
}

function renderHubs() {
  const body = $('hubs').tBodies[0];
  body.replaceChildren();
  for (const h of state.hubs) {
    const tr = document.createElement('tr');
    if (h.hubId === state.hubId) tr.className = 'self';
    for (const text of [short(h.hubId ?? ''), h.url || '(no public URL)', h.region || '-', String(h.connections ?? '')]) {
      const td = document.createElement('td');
      td.textContent = text;
      td.title = text;
      tr.append(td);
    }
    body.append(tr);
  }
}

function renderEvents() {
  const ol = $('events');
  ol.replaceChildren(...state.events.slice().reverse().map((t) => {
    const li = document.createElement('li');
    li.textContent = t;
    return li;
  }));
}

function render() { renderHeader(); renderPeers(); renderChat(); }

// ---- peers and links -------------------------------------------------------------------------------------------

let client;

function peer(id) {
  if (!state.peers.has(id)) state.peers.set(id, { present: false, link: null });
  return state.peers.get(id);
}

function newLink(id) {
  const p = peer(id);
  p.link?.close();
  const link = new PeerLink({ me: state.me, peer: id, iceServers, send: (m) => client.send(m) });
  p.link = link;
  link.addEventListener('state', ({ detail }) => {
    if (p.link !== link) return;   // replaced meanwhile
    if (detail === 'open') { say(id, 'note', 'data channel open'); event(`data channel to ${short(id)} open`); }
    if (detail === 'closed') { say(id, 'note', 'data channel closed'); event(`data channel to ${short(id)} closed`); }
    render();
  });
  link.addEventListener('message', ({ detail }) => say(id, 'peer', detail));
  return link;
}

async function connectTo(id) {
  state.selected = id;
  const link = newLink(id);
  say(id, 'note', 'calling…');
  render();
  try {
    await link.offer();
  } catch (e) {
    say(id, 'note', `could not call: ${e.message}`);
  }
}

function hangUp(id) {
  state.peers.get(id)?.link?.close();
  render();
}

async function onSignal(m) {
  const id = m.fromPeerId;
  if (!isPeerId(id ?? '')) return;
  const p = peer(id);
  try {
    if (m.type === 'offer') {
      // Both sides called at once: the smaller id keeps its own offer and ignores this one.
      if (p.link?.offering && state.me < id) return;
      const link = newLink(id);
      if (!state.selected) state.selected = id;
      say(id, 'note', 'incoming call');
      render();
      await link.receive(m);
    } else {
      await p.link?.receive(m);
    }
  } catch (e) {
    event(`signal from ${short(id)} failed: ${e.message}`);
  }
}

// ---- the hub and the mesh --------------------------------------------------------------------------------------

async function peerIdFromHub() {
  try {
    const r = await fetch(`${home}/generate-peer-id`, { signal: AbortSignal.timeout(3000) });
    const { peerId } = await r.json();
    if (isPeerId(peerId ?? '')) return peerId;
  } catch {}
  return generatePeerId();   // the same 40 random hex digits, made here
}

async function refreshHubs() {
  if (!state.hub) return;
  try {
    const r = await fetch(`${httpBase(state.hub)}/hubs`, { signal: AbortSignal.timeout(3000) });
    const answer = await r.json();
    state.hubs = Array.isArray(answer.hubs) ? answer.hubs : [];
    state.hubId = state.hubs.find((h) => h.self)?.hubId ?? null;
  } catch {
    return;   // this hub is going away; the client will move
  }
  renderHubs();
  renderHeader();
}

// The ICE servers the hub's operator set for this page (DEMO_ICE_SERVERS), unless the URL names some.
async function iceServersFromHub() {
  try {
    const r = await fetch('config.json', { signal: AbortSignal.timeout(3000) });
    const { iceServers: servers } = await r.json();
    if (Array.isArray(servers)) return servers;
  } catch {}
  return [];
}

async function start() {
  state.me = await peerIdFromHub();
  if (!params.has('ice')) iceServers = await iceServersFromHub();
  state.iceServers = iceServers.map((s) => s.urls);
  render();
  if (iceServers.length) event(`ICE servers: ${state.iceServers.join(', ')}`);
  // The hubs: this page's hub first, then the mesh's other hubs (their PUBLIC_URLs, from /hubs), least loaded
  // first, then any named in the URL. The client asks this list again before each connection.
  const homeKey = hubKey(home);
  const directory = new HubDirectory({ seeds: [home, ...list('hubs')] });
  const hubs = {
    ready: directory.ready,
    hubs: () => directory.hubs().map((h) => (h.url === homeKey ? { ...h, priority: 0 } : h)),
  };
  const credentials = Object.fromEntries(['token', 'password'].filter((k) => params.has(k)).map((k) => [k, params.get(k)]));
  client = connectSignaling({ peerId: state.me, hubs, networkName: room, data: { app: 'pigeonhub-demo' }, params: credentials });
  client.on('connected', ({ hub }) => {
    state.connected = true;
    state.hub = hub;
    event(`announced on ${hub}`);
    render();
    refreshHubs();
  });
  client.on('hub-changed', ({ from, to }) => {
    if (from) { state.hubChanges++; event(`moved from ${from} to ${to}`); }
  });
  client.on('disconnected', ({ hub, code }) => {
    state.connected = false;
    // The next hub reports the room's peers again.
    for (const p of state.peers.values()) p.present = false;
    event(`lost ${hub} (${code})`);
    render();
  });
  client.on('reconnecting', ({ delayMs, hub }) => event(`next try: ${hub} in ${Math.round(delayMs)} ms`));
  client.on('peer-discovered', (m) => {
    const id = m.data?.peerId ?? m.peerId;
    if (!isPeerId(id ?? '') || id === state.me) return;
    if (!peer(id).present) event(`discovered ${short(id)}`);
    peer(id).present = true;
    renderPeers();
  });
  client.on('peer-disconnected', (m) => {
    const id = m.data?.peerId ?? m.peerId;
    if (!state.peers.has(id)) return;
    state.peers.get(id).present = false;
    event(`${short(id)} left`);
    renderPeers();
  });
  for (const type of ['offer', 'answer', 'ice-candidate']) client.on(type, onSignal);
  client.on('error', (e) => event(`error: ${e.error?.message ?? e.error}`));
  setInterval(refreshHubs, HUBS_REFRESH_MS);

  $('send-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('message').value;
    const link = state.peers.get(state.selected)?.link;
    if (!text || link?.state !== 'open') return;
    link.send(text);
    say(state.selected, 'me', text);
    $('message').value = '';
  });
  $('peers').addEventListener('click', (e) => {
    const li = e.target.closest('li');
    if (li && e.target.tagName !== 'BUTTON') { state.selected = li.dataset.peer; render(); }
  });
}

start().catch((e) => { event(`start failed: ${e.message}`); console.error(e); });
