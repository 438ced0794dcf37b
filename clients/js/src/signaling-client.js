// A signaling connection that survives its hub: one WebSocket to the best hub of a list (or of a HubDirectory),
// announce, and on close, error or silence the next hub after a full-jitter backoff, then announce again. Signals
// sent while no hub is connected wait in a bounded queue; after the reconnect, one for a peer waits until the new
// hub has reported that peer (peer-discovered), at most holdForTargetMs: a hub learns the peers of another hub in a
// namespace only once one of its own clients announced there, and drops a signal for a peer it does not know yet.
//
// Events (an EventTarget; event.detail, or client.on(type, detail => ...)):
//   connected          {hub}                   a hub accepted us and the announce went out
//   hub-changed        {from, to}              the hub in use changed (from is null the first time)
//   disconnected       {hub, code, reason}     the socket to `hub` is gone; a reconnect follows unless closed
//   reconnecting       {attempt, delayMs, hub} the next try, after delayMs, to `hub`
//   peer-discovered, peer-disconnected, offer, answer, ice-candidate, connection-rejected, renegotiation-offer,
//   renegotiation-answer, goodbye, pong, error(from the hub)   detail: the hub's message as received
//   message            every message from the hub, as received
//   error              {error} for client-side failures (a socket error, a refused queued send); hub `error`
//                      messages come as {type: 'error', error: TEXT, ...}
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import { Emitter } from './events.js';
import { rankHubs, toHubs } from './hub-ranking.js';
import { generatePeerId, isPeerId } from './peer-id.js';
import { SendQueue } from './send-queue.js';
import { signalingUrl, webSocketClass } from './websocket.js';

export const SIGNALING_DEFAULTS = Object.freeze({
  queueLimit: 64,          // signals held while no hub is connected; one more throws QueueFullError
  connectTimeoutMs: 5000,  // from opening the socket to the hub's `connected` frame
  downMs: 30000,           // a hub that failed is tried after every other hub for this long
  pingIntervalMs: 20000,   // with nothing heard for this long, a `ping` goes out...
  pingTimeoutMs: 10000,    // ...and with nothing heard this much longer, the hub counts as gone
  holdForTargetMs: 3000,   // after a reconnect, how long a queued signal waits for its target's peer-discovered
});

const OPEN = 1;

export class SignalingClient extends Emitter {
  #options;
  #ws = null;
  #attempt = 0;
  #timer = null;
  #heartbeat = null;
  #holdTimer = null;
  #known = new Set();  // peers the hub in use reported (peer-discovered), since this connection's announce
  #lastHeard = 0;
  #downUntil = new Map();
  #queue;
  #closed = false;
  #resolveReady;
  #rejectReady;

  constructor({ peerId = generatePeerId(), hubs, networkName = 'global', data = {}, maxPeers, region = '',
    backoff = DEFAULT_BACKOFF, WebSocket, params = {}, ...limits } = {}) {
    super();
    if (!isPeerId(peerId)) throw new TypeError('peerId must be 40 hex characters');
    if (!hubs || (Array.isArray(hubs) && hubs.length === 0)) throw new TypeError('hubs: a non-empty list or a HubDirectory');
    this.#options = { hubs, region, backoff, WebSocket, params, ...SIGNALING_DEFAULTS, ...limits };
    this.peerId = peerId;
    this.networkName = networkName;
    this.data = data;
    this.maxPeers = maxPeers;
    this.hub = null;        // the URL of the hub in use; null while none is
    this.connected = false;
    this.#queue = new SendQueue(this.#options.queueLimit);
    // Resolves at the first `connected`; rejects if close() comes first.
    this.ready = new Promise((resolve, reject) => { this.#resolveReady = resolve; this.#rejectReady = reject; });
    this.ready.catch(() => {});
  }

  get queued() { return this.#queue.length; }

  // Sends a message to the hub (`networkName` added when absent). Returns 'sent', or 'queued' while no hub is
  // connected (sent after the next announce, oldest first; a signal once the hub reported its target, see the
  // top) and while earlier signals for the same target still wait. Throws QueueFullError when queueLimit messages
  // already wait, and an Error after close().
  send(message) {
    if (this.#closed) throw new Error('pigeonhub: client closed');
    const m = message.networkName === undefined ? { ...message, networkName: this.networkName } : message;
    const target = m.targetPeerId;
    const behind = typeof target === 'string' && this.#queue.some((q) => q.targetPeerId === target);
    if (this.connected && this.#ws?.readyState === OPEN && !behind) {
      this.#ws.send(JSON.stringify(m));
      return 'sent';
    }
    this.#queue.push(m);
    return 'queued';
  }

  // Announces again, with new data and/or into another namespace (kept for every later reconnect).
  announce({ networkName = this.networkName, data = this.data } = {}) {
    this.networkName = networkName;
    this.data = data;
    if (this.connected) this.#sendAnnounce();
  }

  // Says goodbye to the hub and stops for good; pending queued messages are dropped.
  close() {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    clearTimeout(this.#holdTimer);
    this.#queue.drain();
    this.#rejectReady(new Error('pigeonhub: client closed'));
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      try { if (ws.readyState === OPEN) ws.send(JSON.stringify({ type: 'goodbye', networkName: this.networkName })); } catch {}
      detach(ws);
      try { ws.close(1000, 'client closed'); } catch {}
    }
    this.connected = false;
  }

  start() {
    this.#open();
    return this;
  }

  async #candidates() {
    const { hubs } = this.#options;
    let list;
    if (Array.isArray(hubs)) {
      list = toHubs(hubs);
    } else {
      await hubs.ready;
      list = hubs.hubs();
    }
    return rankHubs(list, { region: this.#options.region, downUntil: this.#downUntil });
  }

  async #open() {
    if (this.#closed) return;
    let hub;
    let Ws;
    try {
      [hub] = await this.#candidates();
      Ws = await webSocketClass(this.#options.WebSocket);
      if (!hub) throw new Error('no hub to connect to');
    } catch (error) {
      this.emit('error', { error });
      this.#retry(null);
      return;
    }
    if (this.#closed) return;
    let ws;
    try {
      ws = new Ws(signalingUrl(hub.url, this.peerId, this.#options.params));
    } catch (error) {
      this.emit('error', { error });
      this.#failed(hub.url);
      return;
    }
    this.#ws = ws;
    const timeout = setTimeout(() => this.#lost(ws, hub.url, 4000, 'connect timeout'), this.#options.connectTimeoutMs);
    ws.onmessage = (e) => this.#onFrame(ws, hub.url, e.data, timeout);
    ws.onclose = (e) => { clearTimeout(timeout); this.#lost(ws, hub.url, e.code, e.reason); };
    ws.onerror = () => { clearTimeout(timeout); this.#lost(ws, hub.url, 1006, 'socket error'); };
  }

  #onFrame(ws, url, raw, timeout) {
    if (ws !== this.#ws) return;
    this.#lastHeard = Date.now();
    let m;
    try { m = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder().decode(raw)); } catch { return; }
    if (!m || typeof m !== 'object') return;
    if (m.type === 'connected' && !this.connected) {
      clearTimeout(timeout);
      this.#onConnected(url);
      return;
    }
    const peer = m.data?.peerId;
    if (m.type === 'peer-discovered' && typeof peer === 'string') {
      this.#known.add(peer);
      this.#sendQueued((q) => q.targetPeerId === peer);
    } else if (m.type === 'peer-disconnected' && typeof peer === 'string') {
      this.#known.delete(peer);
    }
    this.emit('message', m);
    if (typeof m.type === 'string' && m.type !== 'message') this.emit(m.type, m);
  }

  #onConnected(url) {
    const from = this.hub;
    this.hub = url;
    this.connected = true;
    this.#attempt = 0;
    this.#downUntil.delete(url);
    this.#known.clear();
    this.#sendAnnounce();
    // Untargeted messages go now; signals wait for their target's peer-discovered (above), or holdForTargetMs.
    this.#sendQueued((q) => typeof q.targetPeerId !== 'string');
    clearTimeout(this.#holdTimer);
    if (this.#queue.length > 0) this.#holdTimer = setTimeout(() => this.#sendQueued(() => true), this.#options.holdForTargetMs);
    this.#startHeartbeat();
    if (from !== url) this.emit('hub-changed', { from, to: url });
    this.emit('connected', { hub: url });
    this.#resolveReady({ hub: url });
  }

  #sendQueued(pred) {
    if (!this.connected || this.#ws?.readyState !== OPEN || this.#queue.length === 0) return;
    for (const m of this.#queue.take(pred)) this.#ws.send(JSON.stringify(m));
  }

  #sendAnnounce() {
    const m = { type: 'announce', networkName: this.networkName, data: { ...this.data, peerId: this.peerId } };
    if (this.maxPeers !== undefined) m.maxPeers = this.maxPeers;
    this.#ws.send(JSON.stringify(m));
  }

  #startHeartbeat() {
    clearInterval(this.#heartbeat);
    const { pingIntervalMs, pingTimeoutMs } = this.#options;
    this.#lastHeard = Date.now();
    this.#heartbeat = setInterval(() => {
      const ws = this.#ws;
      const silent = Date.now() - this.#lastHeard;
      if (!ws) return;
      if (silent >= pingIntervalMs + pingTimeoutMs) this.#lost(ws, this.hub, 4001, 'hub silent');
      else if (silent >= pingIntervalMs) try { ws.send(JSON.stringify({ type: 'ping' })); } catch {}
    }, Math.max(250, Math.min(pingIntervalMs, pingTimeoutMs) / 2));
    this.#heartbeat.unref?.();
  }

  // The socket to `url` is gone (closed, failed, timed out or silent): forget it and try the next hub.
  #lost(ws, url, code, reason) {
    if (ws !== this.#ws || this.#closed) return;
    detach(ws);
    try { ws.close(); } catch {}
    try { ws.terminate?.(); } catch {}  // `ws` (Node): do not wait 30 s for the closing handshake of a dead hub
    this.#ws = null;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#holdTimer);
    const wasConnected = this.connected;
    this.connected = false;
    if (wasConnected) this.emit('disconnected', { hub: url, code, reason: String(reason ?? '') });
    this.#failed(url);
  }

  #failed(url) {
    this.#downUntil.set(url, Date.now() + this.#options.downMs);
    this.#retry(url);
  }

  async #retry() {
    if (this.#closed) return;
    const delayMs = backoffDelay(this.#attempt, this.#options.backoff);
    const attempt = this.#attempt++;
    let next = null;
    try { [next] = await this.#candidates(); } catch {}
    if (this.#closed) return;
    this.emit('reconnecting', { attempt, delayMs, hub: next?.url ?? null });
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#open(), delayMs);
  }
}

function detach(ws) {
  ws.onopen = ws.onmessage = ws.onclose = null;
  ws.onerror = () => {};  // `ws` (Node) throws an unhandled 'error' without a listener
}

// Starts a SignalingClient (see above) and returns it; await client.ready for the first connection.
export function connectSignaling(options) {
  return new SignalingClient(options).start();
}
