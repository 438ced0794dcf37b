// Test clients: a `ws`-based client that records every frame, and a raw TCP client that does the WebSocket
// handshake by hand and then writes arbitrary bytes (for malformed frames and half-open peers).
import net from 'node:net';
import crypto from 'node:crypto';
import WebSocket from 'ws';

// Opens a WebSocket and resolves once it is open or closed (rejections come as 101 then close).
// The result records frames ({text, binary, json}) and the close ({code, reason}). `localAddress` picks the
// client's address (127.0.0.2 is another client to the hub's per-address limits); `headers` are sent with the
// handshake.
export function connect(url, { timeoutMs = 5000, localAddress, headers } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, localAddress, headers });
    const c = {
      ws,
      frames: [],
      close: null,
      opened: false,
      waiters: [],
      closed: null,
      send(obj) { ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)); },
      // Next frame (from now or already received after `since`) matching pred.
      next(pred = () => true, ms = 3000, since = 0) { return nextFrame(c, pred, ms, since); },
      // Resolves true if no frame matching pred arrives within ms.
      async none(pred = () => true, ms = 300) {
        const start = c.frames.length;
        await sleep(ms);
        return !c.frames.slice(start).some(pred);
      },
      // Parsed messages of one type received so far.
      of(type) { return c.frames.filter((f) => f.json && f.json.type === type).map((f) => f.json); },
      end() { try { ws.terminate(); } catch {} },
    };
    c.closed = new Promise((res) => {
      ws.on('close', (code, reason) => { c.close = { code, reason: reason.toString() }; res(c.close); if (!c.opened) resolve(c); });
    });
    ws.on('message', (data, isBinary) => {
      const text = data.toString();
      let json;
      try { json = JSON.parse(text); } catch {}
      c.frames.push({ text, binary: isBinary, json, t: performance.now() });
      for (const w of [...c.waiters]) w();
    });
    ws.on('open', () => { c.opened = true; resolve(c); });
    ws.on('error', (e) => { if (!c.opened && !c.close) reject(e); });
    setTimeout(() => { if (!c.opened && !c.close) reject(new Error(`connect timeout ${url}`)); }, timeoutMs);
  });
}

function nextFrame(c, pred, ms, since) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const f = c.frames.slice(since).find((x) => pred(x.json ?? {}, x));
      if (f) { done(); resolve(f.json ?? f); return true; }
      return false;
    };
    const timer = setTimeout(() => { done(); reject(new Error(`no matching frame within ${ms} ms; got ${c.frames.map((f) => f.text.slice(0, 120)).join(' | ')}`)); }, ms);
    const waiter = () => check();
    const done = () => { clearTimeout(timer); c.waiters = c.waiters.filter((w) => w !== waiter); };
    c.waiters.push(waiter);
    check();
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A barrier through the hub: each client sends a ping and waits for its pong. The hub handles one socket's
// messages in order and queues frames to a socket in order, so once the pong is in, so is every frame the hub
// had queued for that client before: "nothing more arrived" checks need no fixed wait.
export async function settled(...clients) {
  await Promise.all(clients.map(async (c) => {
    const since = c.frames.length;
    c.send({ type: 'ping' });
    await c.next((m) => m.type === 'pong', 5000, since);
  }));
}

// Connects and announces; resolves after `connected` arrived.
export async function joined(hub, id, networkName, data = undefined, extra = {}) {
  const c = await connect(hub.wsUrl(id));
  const msg = { type: 'announce', data: data ?? { peerId: id }, ...extra };
  if (networkName !== undefined) msg.networkName = networkName;
  c.send(msg);
  await c.next((m) => m.type === 'connected');
  return c;
}

// Moves client `c` (peer `peerId`) through the namespaces `names` (an array), one announce each, in batches of
// `batch` with a ping/pong barrier after each (the hub handled a batch before the next is sent). Resolves with the ms
// it took.
export async function walkNamespaces(c, peerId, names, { batch = 500 } = {}) {
  const t0 = performance.now();
  for (let i = 0; i < names.length; i += batch) {
    for (const networkName of names.slice(i, i + batch)) c.send({ type: 'announce', networkName, data: { peerId } });
    await settled(c);
  }
  return performance.now() - t0;
}

// ---- raw frames ----

// A client frame. opts: fin (true), rsv (0..7), mask (true), declared (override the length field),
// maskKey (Buffer of 4).
export function frame(opcode, payload = Buffer.alloc(0), opts = {}) {
  const { fin = true, rsv = 0, mask = true } = opts;
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const len = opts.declared ?? BigInt(body.length);
  const parts = [];
  const b0 = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  const m = mask ? 0x80 : 0;
  const L = BigInt(len);
  if (L < 126n) parts.push(Buffer.from([b0, m | Number(L)]));
  else if (L <= 0xffffn) { const h = Buffer.alloc(4); h[0] = b0; h[1] = m | 126; h.writeUInt16BE(Number(L), 2); parts.push(h); }
  else { const h = Buffer.alloc(10); h[0] = b0; h[1] = m | 127; h.writeBigUInt64BE(L, 2); parts.push(h); }
  if (mask) {
    const key = opts.maskKey ?? crypto.randomBytes(4);
    parts.push(key);
    const masked = Buffer.alloc(body.length);
    for (let i = 0; i < body.length; i++) masked[i] = body[i] ^ key[i & 3];
    parts.push(masked);
  } else {
    parts.push(body);
  }
  return Buffer.concat(parts);
}

export const OP = { cont: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 };

// Raw TCP WebSocket client. Does the handshake by hand (`request` overrides the whole request text), then
// exposes write(bytes), the parsed server frames, and promises for the close frame and the socket end.
// With silent:true it never answers pings (a half-open peer as far as the hub can tell).
export function rawConnect(port, { path = '/', peerId, request, silent = true, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const key = crypto.randomBytes(16).toString('base64');
    const target = peerId ? `${path}?peerId=${peerId}` : path;
    const req = request ?? `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n\r\n`;
    let buf = Buffer.alloc(0);
    let headerDone = false;
    const r = {
      socket,
      status: 0,
      head: '',
      frames: [],
      closeFrame: null,
      ended: null,
      waiters: [],
      write(b) { socket.write(b); },
      // Resolves with the close frame {code, reason}, or null if the socket ended without one.
      async waitClose(ms = 3000) {
        const t = sleep(ms).then(() => 'timeout');
        const v = await Promise.race([r.ended, t]);
        if (v === 'timeout') throw new Error('socket did not close in time');
        return r.closeFrame;
      },
      destroy() { socket.destroy(); },
    };
    r.ended = new Promise((res) => socket.on('close', () => res('closed')));
    socket.on('error', () => {});
    socket.on('connect', () => socket.write(req));
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (!headerDone) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        r.head = buf.subarray(0, end).toString();
        r.status = Number(r.head.split(' ')[1]);
        buf = buf.subarray(end + 4);
        headerDone = true;
        resolve(r);
      }
      // Parse server frames (unmasked).
      for (;;) {
        if (buf.length < 2) break;
        const op = buf[0] & 0x0f;
        let len = buf[1] & 0x7f;
        let off = 2;
        if (len === 126) { if (buf.length < 4) break; len = buf.readUInt16BE(2); off = 4; }
        else if (len === 127) { if (buf.length < 10) break; len = Number(buf.readBigUInt64BE(2)); off = 10; }
        if (buf.length < off + len) break;
        const payload = buf.subarray(off, off + len);
        buf = buf.subarray(off + len);
        const f = { op, payload: Buffer.from(payload) };
        r.frames.push(f);
        if (op === OP.close) {
          r.closeFrame = { code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005, reason: payload.subarray(2).toString() };
        } else if (op === OP.ping && !silent) {
          socket.write(frame(OP.pong, payload));
        }
        for (const w of [...r.waiters]) w();
      }
    });
    setTimeout(() => { if (!headerDone) { socket.destroy(); reject(new Error('handshake timeout')); } }, timeoutMs);
  });
}

// GET helper: {status, headers, json, text}.
export async function get(url, init = {}) {
  const res = await fetch(url, init);
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch {}
  return { status: res.status, headers: res.headers, text, json };
}
