// Headless Chromium for the integration tests, driven over the DevTools protocol (CDP) with the `ws` package.
//
// Why not playwright-core: 1.65 wants Node 20 and the README's set-up installs Debian 12's Node 18; CDP over one
// WebSocket needs nothing new. The browser is Debian's (/usr/bin/chromium, env CHROMIUM overrides); nothing is
// downloaded. The flags keep it off the network except for what a page asks for (no background networking,
// component updates, sync or QUIC).
//
//   const browser = await launchChromium();
//   const page = await browser.newPage();
//   await page.navigate('http://127.0.0.1:PORT/');
//   const v = await page.evaluate('await someAsyncThing()');   // async body; promises are awaited
//   await page.check('return document.title')                  // evaluate; a failure carries the page's console
//   page.console                                               // [{type, text}] console, exceptions, log entries
//   await browser.close();
//
// The browser runs with a fresh --user-data-dir (removed on close and at exit) and --remote-debugging-port=0; its
// DevTools URL is read from stderr. It and every process it started (found through /proc by parent PID) are killed
// by PID on close() and when the test process exits, even on failure; SIGINT and SIGTERM exit the process so that
// this happens then too. A SIGKILL of the test process itself cannot be handled: the browser stays in its process
// group, which meson's timeout kills whole. Set PIGEONHUB_CHROMIUM_DEBUG=1 to print the page's console as it arrives.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

export const chromiumBinary = process.env.CHROMIUM || '/usr/bin/chromium';

// Even with --disable-background-networking, Chromium 156 looks up accounts.google.com, clients2.google.com and
// update.googleapis.com through the system resolver (seen with strace); --host-resolver-rules answers every name
// but 127.0.0.1 and localhost with NOTFOUND inside the browser, so no DNS query leaves it. What strace still shows
// is connect() on a UDP socket to [2001:4860:4860::8888]:443, Chromium's probe for a route: it sends no packet.
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-extensions',
  '--no-default-browser-check', '--mute-audio', '--no-pings', '--disable-domain-reliability',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'];

const live = new Set();   // {pid, dir} of browsers not closed yet
let exitHooked = false;

function hookExit() {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => { for (const b of live) killTree(b.pid, b.dir); });
  // Default SIGINT/SIGTERM handling would skip the 'exit' handlers and leave the browser running.
  for (const [sig, n] of [['SIGINT', 2], ['SIGTERM', 15]]) process.once(sig, () => process.exit(128 + n));
}

// The PIDs of every descendant of `pid` (children of children too), read from /proc/*/stat.
export function descendants(pid) {
  const parentOf = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(name), ppid);
    } catch {}   // the process ended meanwhile
  }
  const out = [];
  const frontier = [pid];
  while (frontier.length) {
    const p = frontier.pop();
    for (const [child, ppid] of parentOf) if (ppid === p) { out.push(child); frontier.push(child); }
  }
  return out;
}

function killTree(pid, dir) {
  // Collect the tree first: once the browser dies its children are re-parented and can no longer be found.
  const pids = [pid, ...descendants(pid)];
  for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch {} }
  try { rmSync(dir, { recursive: true, force: true }); } catch {}
  return pids;
}

// Starts Chromium; resolves with a Browser once its DevTools endpoint accepted the connection.
// `args` adds flags; `timeoutMs` bounds the start.
export async function launchChromium({ args = [], timeoutMs = 20000 } = {}) {
  hookExit();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pigeonhub-chromium-'));
  const child = spawn(chromiumBinary, [...CHROMIUM_FLAGS, '--remote-debugging-port=0', `--user-data-dir=${dir}`,
    ...args, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const entry = { pid: child.pid, dir };
  live.add(entry);
  let stderr = '';
  const endpoint = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`chromium printed no DevTools URL within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    child.stderr.on('data', (d) => {
      stderr += d.toString();
      if (stderr.length > 65536) stderr = stderr.slice(-65536);
      const m = stderr.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code, sig) => { clearTimeout(timer); reject(new Error(`chromium exited early (code ${code}, signal ${sig}); stderr: ${stderr}`)); });
  });
  let url;
  try {
    url = await endpoint;
  } catch (e) {
    killTree(entry.pid, dir);
    live.delete(entry);
    throw e;
  }
  if (new URL(url).hostname !== '127.0.0.1') throw new Error(`DevTools endpoint not on loopback: ${url}`);
  const cdp = await CdpConnection.open(url, timeoutMs);
  return new Browser(child, entry, cdp, () => stderr);
}

// One WebSocket to the browser endpoint; page sessions are multiplexed on it (flat sessions, `sessionId`).
class CdpConnection {
  #ws;
  #nextId = 1;
  #pending = new Map();   // id -> {resolve, reject, timer}
  #listeners = new Set(); // (method, params, sessionId) => void

  static open(url, timeoutMs) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 << 20 });
      const timer = setTimeout(() => { ws.terminate(); reject(new Error(`no DevTools connection within ${timeoutMs} ms`)); }, timeoutMs);
      ws.once('open', () => { clearTimeout(timer); resolve(new CdpConnection(ws)); });
      ws.once('error', (e) => { clearTimeout(timer); reject(e); });
    });
  }

  constructor(ws) {
    this.#ws = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.id !== undefined) {
        const p = this.#pending.get(msg.id);
        if (!p) return;   // answered after its timeout
        this.#pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}${msg.error.data ? ` (${msg.error.data})` : ''}`));
        else p.resolve(msg.result);
      } else {
        for (const l of this.#listeners) l(msg.method, msg.params, msg.sessionId);
      }
    });
    ws.on('close', () => {
      for (const p of this.#pending.values()) { clearTimeout(p.timer); p.reject(new Error(`${p.method}: DevTools connection closed`)); }
      this.#pending.clear();
    });
  }

  // Sends a CDP command (to a page when `sessionId` is set) and resolves with its result.
  send(method, params = {}, { sessionId, timeoutMs = 10000 } = {}) {
    if (this.#ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error(`${method}: DevTools connection closed`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.#pending.delete(id); reject(new Error(`${method}: no answer within ${timeoutMs} ms`)); }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer, method });
      this.#ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  // Calls fn(method, params, sessionId) for every event; returns a function that removes it.
  listen(fn) { this.#listeners.add(fn); return () => this.#listeners.delete(fn); }

  close() { this.#ws.terminate(); }
}

export class Browser {
  #child;
  #entry;
  #cdp;
  #stderr;

  constructor(child, entry, cdp, stderr) {
    this.#child = child;
    this.#entry = entry;
    this.#cdp = cdp;
    this.#stderr = stderr;
  }

  get pid() { return this.#entry.pid; }
  get userDataDir() { return this.#entry.dir; }
  stderr() { return this.#stderr(); }
  version() { return this.#cdp.send('Browser.getVersion'); }

  // A new tab (about:blank) with Runtime, Page and Log enabled.
  async newPage() {
    const { targetId } = await this.#cdp.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.#cdp.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(this.#cdp, targetId, sessionId);
    await Promise.all(['Runtime.enable', 'Page.enable', 'Log.enable'].map((m) => page.send(m)));
    return page;
  }

  // Kills the browser and every process it started (by PID), removes its profile; resolves once the browser
  // process has exited. Returns the PIDs it killed.
  async close() {
    if (!live.has(this.#entry)) return [];
    this.#cdp.close();
    const exited = new Promise((resolve) => {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) resolve();
      else this.#child.once('exit', resolve);
    });
    const pids = killTree(this.#entry.pid, this.#entry.dir);
    live.delete(this.#entry);
    await exited;
    return pids;
  }
}

export class Page {
  #cdp;
  #sessionId;
  #unlisten;
  #loadWaiters = [];
  #handlers = new Map();   // CDP event method -> Set of fn(params)
  // Console calls, uncaught exceptions and browser log entries (network errors, CSP), oldest first:
  // {type: 'log' | 'error' | 'warning' | … | 'exception', text}.
  console = [];

  constructor(cdp, targetId, sessionId) {
    this.#cdp = cdp;
    this.targetId = targetId;
    this.#sessionId = sessionId;
    const debug = process.env.PIGEONHUB_CHROMIUM_DEBUG === '1';
    const record = (type, text) => {
      this.console.push({ type, text });
      if (this.console.length > 1000) this.console.shift();
      if (debug) console.log(`[chromium ${type}] ${text}`);
    };
    this.#unlisten = cdp.listen((method, params, sid) => {
      if (sid !== sessionId) return;
      if (method === 'Runtime.consoleAPICalled') {
        record(params.type, params.args.map((a) => (a.value !== undefined ? String(a.value) : a.description ?? a.type)).join(' '));
      } else if (method === 'Runtime.exceptionThrown') {
        const d = params.exceptionDetails;
        record('exception', d.exception?.description ?? d.text);
      } else if (method === 'Log.entryAdded') {
        record(params.entry.level, `${params.entry.text}${params.entry.url ? ` (${params.entry.url})` : ''}`);
      } else if (method === 'Page.loadEventFired') {
        for (const w of this.#loadWaiters.splice(0)) w();
      }
      for (const fn of this.#handlers.get(method) ?? []) fn(params);
    });
  }

  // A raw CDP command to this page.
  send(method, params = {}, opts = {}) { return this.#cdp.send(method, params, { ...opts, sessionId: this.#sessionId }); }

  // Calls fn(params) for every CDP event `method` of this page (its domain enabled first, e.g. 'Network.enable');
  // returns a function that removes it.
  on(method, fn) {
    if (!this.#handlers.has(method)) this.#handlers.set(method, new Set());
    this.#handlers.get(method).add(fn);
    return () => this.#handlers.get(method).delete(fn);
  }

  // Loads `url` and resolves after its load event.
  async navigate(url, { timeoutMs = 10000 } = {}) {
    let timer;
    let onLoad;
    const loaded = new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${url}: no load event within ${timeoutMs} ms`)), timeoutMs);
      onLoad = resolve;
      this.#loadWaiters.push(resolve);
    });
    loaded.catch(() => {});   // a failed Page.navigate rejects first; this one must not go unhandled
    try {
      const r = await this.send('Page.navigate', { url }, { timeoutMs });
      if (r.errorText) throw new Error(`${url}: ${r.errorText}`);
      await loaded;
    } finally {
      clearTimeout(timer);
      this.#loadWaiters = this.#loadWaiters.filter((w) => w !== onLoad);
    }
  }

  // Runs `body` as the body of an async function in the page and resolves with its return value (JSON-able values
  // only). A throw in the page rejects with the page's error text; `timeoutMs` bounds the wait.
  async evaluate(body, { timeoutMs = 10000 } = {}) {
    const r = await this.send('Runtime.evaluate', {
      expression: `(async () => {\n${body}\n})()`, awaitPromise: true, returnByValue: true,
    }, { timeoutMs });
    if (r.exceptionDetails) {
      const d = r.exceptionDetails;
      throw new Error(`in the page: ${d.exception?.description ?? d.text}`);
    }
    return r.result.value;
  }

  // evaluate(), and a failure carries the page's console (for test steps).
  async check(body, opts) {
    try {
      return await this.evaluate(body, opts);
    } catch (e) {
      e.message += `\npage console:\n${this.consoleText()}`;
      throw e;
    }
  }

  // The console so far as text, one entry a line (for failure messages).
  consoleText() { return this.console.map((c) => `[${c.type}] ${c.text}`).join('\n'); }

  async close() {
    this.#unlisten();
    await this.#cdp.send('Target.closeTarget', { targetId: this.targetId }).catch(() => {});
  }
}
