// Starts and stops hub processes for the integration tests.
//
// startHub() runs the real pigeonhubd binary (env PIGEONHUBD, default build/pigeonhubd) on 127.0.0.1 with
// PORT=0 and resolves once the hub has printed its port on a line of its own. startReferenceHub() runs the
// PeerPigeon 1.1.3 JavaScript hub the same way (for side-by-side checks). Every hub is killed by PID when the
// test process exits, even on failure.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');
export const hubBinary = process.env.PIGEONHUBD || path.join(repoRoot, 'build', 'pigeonhubd');
// Whether the binaries are a sanitizer build (tools/dev.sh test-asan sets PIGEONHUB_SANITIZED=1). Memory footprint
// bounds are then not checked: ASan holds freed memory in its quarantine (256 MB) and a hub starts at ~150 MiB.
export const sanitized = process.env.PIGEONHUB_SANITIZED === '1';

const live = new Set();
const tempDirs = new Set();
process.on('exit', () => {
  for (const p of live) { try { process.kill(p.pid, 'SIGKILL'); } catch {} }
  for (const d of tempDirs) { try { rmSync(d, { recursive: true, force: true }); } catch {} }
});

// A fresh state directory (the hub's DHT identity lives there), removed when the test process exits.
export function tempStateDir() {
  const d = mkdtempSync(path.join(os.tmpdir(), 'pigeonhub-test-'));
  tempDirs.add(d);
  return d;
}

function waitForPortLine(child, timeoutMs) {
  return new Promise((resolve, reject) => {
    let buf = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`hub did not print its port within ${timeoutMs} ms; stderr: ${err}`)), timeoutMs);
    child.stdout.on('data', (d) => {
      buf += d.toString();
      const m = buf.match(/^(\d+)\s*$/m);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.stderr.on('data', (d) => { err += d.toString(); if (err.length > 65536) err = err.slice(-65536); });
    child.on('exit', (code, sig) => { clearTimeout(timer); reject(new Error(`hub exited early (code ${code}, signal ${sig}); stderr: ${err}`)); });
  });
}

// Starts pigeonhubd. `env` adds environment variables (a value `undefined` leaves one unset), `args` adds flags. `prefix` runs the hub through a
// command that execs it (e.g. ['prlimit', '--nofile=128:128', '--']), so the PID is still the hub's.
// Returns {pid, port, url, wsUrl(peerId, path), stop(), rssKiB(), child, stderr()}.
// Every hub gets its own DHT node on an ephemeral loopback UDP port and its own state directory, unless `env`
// says otherwise (DHT_BOOTSTRAP joins another hub's DHT; see startMesh).
export async function startHub({ env = {}, args = [], prefix = [], timeoutMs = 30000 } = {}) {
  const [command, ...commandArgs] = [...prefix, hubBinary, ...args];
  const fullEnv = { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', DHT_PORT: '0', DHT_BIND: '127.0.0.1',
    STATE_DIR: env.STATE_DIR ?? tempStateDir(), APP_ID: 'pigeonhub-test', ...loopbackAdmission(), ...env };
  for (const k of Object.keys(fullEnv)) if (fullEnv[k] === undefined) delete fullEnv[k];  // `undefined` unsets
  const child = spawn(command, commandArgs, {
    env: fullEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d.toString(); if (stderr.length > 262144) stderr = stderr.slice(-262144); });
  child.on('exit', () => live.delete(child));
  const port = await waitForPortLine(child, timeoutMs);
  return handle(child, port, () => stderr);
}

// Every test client and benchmark connects from 127.0.0.1, so the per-address limits (README: "Admission per client
// address") would count a whole test or benchmark as one client. Hubs started here lift them; a test of the limits
// sets its own (admission.test.mjs). PIGEONHUB_TEST_ADMISSION=defaults keeps the hub's defaults, to see which suites
// would meet them.
export const noAddressLimits = { MAX_CONNECTIONS_PER_ADDRESS: '0', MAX_HTTP_PER_ADDRESS: '0', NEW_CONNECTION_RATE: '0',
  REST_RATE: '0' };
function loopbackAdmission() { return process.env.PIGEONHUB_TEST_ADMISSION === 'defaults' ? {} : noAddressLimits; }

// The DHT UDP port of a running hub (from /health).
export async function dhtPort(hub) {
  const r = await fetch(`${hub.url}/health`);
  return (await r.json()).dhtPort;
}

// The mesh CA of this test process (made once with `pigeonhubd --mesh-ca-init`, removed at exit):
// {dir, crt, key, env}, where `env` makes a hub a member (MESH_CA, and MESH_CA_KEY so that it issues its own
// identity at first start).
let ca = null;
export function meshCa() {
  if (ca) return ca;
  const dir = path.join(tempStateDir(), 'ca');
  const r = spawnSync(hubBinary, ['--mesh-ca-init', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pigeonhubd --mesh-ca-init failed (${r.status}): ${r.stderr}`);
  const crt = path.join(dir, 'ca.crt');
  const key = path.join(dir, 'ca.pem');
  ca = { dir, crt, key, env: { MESH_CA: crt, MESH_CA_KEY: key } };
  return ca;
}

// Starts n hubs; hubs 2..n bootstrap from the first one's DHT node. Every hub is a member of this process's mesh
// CA (meshCa()) unless `env` says otherwise (e.g. MESH_TRUST: 'open'). Resolves when every hub reports dhtReady.
export async function startMesh(n, { env = {} } = {}) {
  env = { ...meshCa().env, ...env };
  const first = await startHub({ env });
  const port = await dhtPort(first);
  const hubs = [first];
  for (let i = 1; i < n; i++) hubs.push(await startHub({ env: { DHT_BOOTSTRAP: `127.0.0.1:${port}`, ...env } }));
  await waitFor(async () => {
    for (const h of hubs) {
      const j = await (await fetch(`${h.url}/health`)).json();
      if (!j.dhtReady) return false;
    }
    return true;
  }, { timeoutMs: 10000, intervalMs: 50, what: 'all hubs to join the DHT' });
  return hubs;
}

// Starts the PeerPigeon 1.1.3 reference hub (server/start.js), never its CLI (it mis-parses --host).
export function startReferenceHub({ maxConnections = 5000, timeoutMs = 10000 } = {}) {
  return startNodeHub('node_modules/peerpigeon/server/start.js', { MAX_CONNECTIONS: String(maxConnections) }, timeoutMs);
}

// Starts n reference hubs as hub servers; hub i dials hubs 0..i-1 (the reference relays only one hop, so every
// pair needs its own link). Resolves once every hub has registered the links dialled to it.
export async function startReferenceMesh(n, { maxConnections = 10000, timeoutMs = 10000 } = {}) {
  const hubs = [];
  for (let i = 0; i < n; i++) {
    hubs.push(await startNodeHub('tools/bench/reference-hub-server.mjs', { MAX_CONNECTIONS: String(maxConnections),
      BOOTSTRAP_HUBS: hubs.map((h) => `ws://127.0.0.1:${h.port}`).join(',') }, timeoutMs));
  }
  await waitFor(async () => {
    for (let i = 0; i < n; i++) {
      const j = await (await fetch(`${hubs[i].url}/hubs`)).json();
      if (j.totalHubs < n - 1 - i) return false;
    }
    return true;
  }, { timeoutMs, intervalMs: 50, what: 'reference hub links' });
  return hubs;
}

// A JavaScript hub (`script`, relative to the repository) on 127.0.0.1 and a free port.
async function startNodeHub(script, env, timeoutMs) {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(repoRoot, script)], {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.on('exit', () => live.delete(child));
  await waitForHttp(port, timeoutMs);
  return handle(child, port, () => '');
}

function handle(child, port, stderr) {
  return {
    child,
    pid: child.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: (peerId, p = '/') => `ws://127.0.0.1:${port}${p}${peerId === undefined ? '' : `?peerId=${peerId}`}`,
    stderr,
    alive: () => child.exitCode === null && child.signalCode === null,
    rssKiB: () => readRssKiB(child.pid),
    stop: (signal = 'SIGTERM', timeoutMs = 5000) => stopChild(child, signal, timeoutMs),
  };
}

// A process's memory from /proc/PID/status: resident now (VmRSS) and its peak (VmHWM), in KiB.
function readStatusKiB(pid, field) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : NaN;
}
export const readRssKiB = (pid) => readStatusKiB(pid, 'VmRSS');
export const readPeakRssKiB = (pid) => readStatusKiB(pid, 'VmHWM');
// Restarts the peak (VmHWM) from the RSS now, so that readPeakRssKiB reports the peak from here on.
export const resetPeakRss = (pid) => writeFileSync(`/proc/${pid}/clear_refs`, '5');
// User plus system CPU seconds a process has used (/proc/PID/stat; USER_HZ is 100 on Linux).
export function readCpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

// Sends `signal`, waits for exit, escalates to SIGKILL after timeoutMs. Resolves {code, signal}.
export function stopChild(child, signal = 'SIGTERM', timeoutMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => { try { child.kill('SIGKILL'); } catch {} }, timeoutMs);
    child.once('exit', (code, sig) => { clearTimeout(timer); resolve({ code, signal: sig }); });
    try { child.kill(signal); } catch {}
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
    srv.on('error', reject);
  });
}

async function waitForHttp(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health`);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`reference hub on port ${port} did not answer /health within ${timeoutMs} ms`);
}

// Random 40-hex peer id (lower case, like real clients).
export function randomPeerId() {
  let s = '';
  for (let i = 0; i < 40; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

// Polls `predicate` until it returns a truthy value or `timeoutMs` passes (then throws with `what`).
export async function waitFor(predicate, { timeoutMs = 5000, intervalMs = 10, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
