// A rogue DHT participant for the integration tests: Debian's `dhtnode` CLI (OpenDHT 2.4.12, env DHTNODE, default
// /usr/bin/dhtnode) joined to a hub mesh on loopback, with an identity of its own, writing whatever it likes under
// the hubs' keys. It is no hub: it runs no pigeonhubd code, yet any value it signs carries its public key, so a
// record whose hubId is that key's id passes a hub's "signer is the hub it names" check.
//
// startRogue() spawns `dhtnode -i -U -p 0 -b 127.0.0.1:<port> -n <network>` with stdin piped and drives its
// command line:
//   p <hash> <text>          put()           "Put: success, took ... Value ID: ..."   unsigned
//   s <hash> <text>          putSigned()     "Put signed: success (took ...)"         signed (owner = our key)
//   e <hash> <to> <text>     putEncrypted()  "Put encrypted: success (took ..."       signed, encrypted to <to>
//   ll                       goodNodes()     "IPv4 stats:" then "Known nodes: N good, ..." (maybe after a ">> " prompt)
// Each put resolves when dhtnode reports it done (rejects on "failure" or after putTimeoutMs). Commands run one at a
// time, so each report belongs to the command before it. The banner gives the ids: "OpenDHT node <node id> running
// on port <p>" and "Public key ID <id>"; the latter is what a hub sees as a value's owner (hubId).
//
// What dhtnode allows (tools/dhtnode.cpp): a value is ONE whitespace-free token (`iss >> v`; the rest of the line
// would be dropped silently), read through GNU readline (which eats control characters: TAB completes; UTF-8 came
// through in a try, but is not relied on), so values must be printable ASCII without spaces: JSON through
// asciiJson() (or plain JSON.stringify when no string in it holds a space or non-ASCII) is fine, binary is not.
// A key argument of 40 hex digits is taken as the hash itself, anything else is hashed with InfoHash::get (SHA-1);
// here key strings are always hashed in JS (dhtKey) and sent as 40 hex, so any key string works.
// dhtnode values are type 0 (USER_DATA), user_type "text/plain", with a random value id (every put is a new value:
// re-put a page with a higher seq to replace it), expiring after the default 10 min and never refreshed (`p`, `s`
// and `e` are not permanent puts). Hubs listen to their keys whatever the value type.
// -U turns off dhtnode's rate limits: every node here shares 127.0.0.1, as hubs do on loopback (they lift theirs).
// dhtnode binds 0.0.0.0 and [::] (it has no bind-address option) on a random UDP port.
// The process is SIGKILLed when the test process exits, even on failure.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { stopChild } from './hub.mjs';

export const dhtnodeBinary = process.env.DHTNODE || '/usr/bin/dhtnode';

const live = new Set();
process.on('exit', () => { for (const c of live) { try { process.kill(c.pid, 'SIGKILL'); } catch {} } });

// ---- keys (pure) ----

// The 40-hex DHT hash of a key string, as OpenDHT's InfoHash::get(string): SHA-1 of its bytes.
export const dhtKey = (str) => crypto.createHash('sha1').update(str, 'utf8').digest('hex');
// The key strings of src/mesh/mesh_records.cpp.
// presenceKey: the key of ns's bucket among `buckets` (MESH_NAMESPACE_BUCKETS; the hubs' default 256), or with 0
// the namespace's own key (mesh::presence_key).
export const presenceKey = (app, ns, buckets = 256) => (buckets === 0 ? `pigeonhub/${app}/ns/${ns}`
  : `pigeonhub/${app}/nsb/${buckets}/${namespaceBucket(ns, buckets)}`);
export const inboxKey = (app, hubId) => `pigeonhub/${app}/hub/${hubId}`;
export const hubsKey = (app) => `pigeonhub/${app}/hubs`;

// mesh::namespace_bucket: SipHash-2-4 of the name's UTF-8 bytes under a fixed key, modulo `buckets`.
export function namespaceBucket(ns, buckets) {
  return Number(siphash24(0x7069676f6e687562n, 0x6e616d6573706163n, Buffer.from(ns, 'utf8')) % BigInt(buckets));
}

// SipHash-2-4 (src/util/siphash.cpp) on BigInts.
function siphash24(k0, k1, bytes) {
  const M = (1n << 64n) - 1n;
  const rotl = (x, b) => ((x << b) | (x >> (64n - b))) & M;
  let v0 = k0 ^ 0x736f6d6570736575n, v1 = k1 ^ 0x646f72616e646f6dn, v2 = k0 ^ 0x6c7967656e657261n, v3 = k1 ^ 0x7465646279746573n;
  const round = () => {
    v0 = (v0 + v1) & M; v1 = rotl(v1, 13n); v1 ^= v0; v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & M; v3 = rotl(v3, 16n); v3 ^= v2;
    v0 = (v0 + v3) & M; v3 = rotl(v3, 21n); v3 ^= v0;
    v2 = (v2 + v1) & M; v1 = rotl(v1, 17n); v1 ^= v2; v2 = rotl(v2, 32n);
  };
  const whole = bytes.length - (bytes.length % 8);
  for (let i = 0; i < whole; i += 8) {
    const m = bytes.readBigUInt64LE(i);
    v3 ^= m; round(); round(); v0 ^= m;
  }
  let last = BigInt(bytes.length & 0xff) << 56n;
  for (let i = whole; i < bytes.length; i++) last |= BigInt(bytes[i]) << BigInt(8 * (i - whole));
  v3 ^= last; round(); round(); v0 ^= last;
  v2 ^= 0xffn;
  round(); round(); round(); round();
  return (v0 ^ v1 ^ v2 ^ v3) & M;
}

// JSON text as one dhtnode token: JSON.stringify (no whitespace outside strings, control characters escaped) with
// spaces and non-ASCII characters inside strings escaped as \uXXXX too. Decodes to the same value (e.g. a PEM field).
export const asciiJson = (v) => JSON.stringify(v).replace(/[ \u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

// A link-key request (src/mesh/hub_link.h: "PHN1" + 8-byte key id, big-endian). Only key ids whose 8 bytes are
// printable ASCII can travel through dhtnode: pass them as an 8-character string.
export function linkKeyRequest(keyId8 = 'ROGUE!!!') {
  if (!/^[\x21-\x7e]{8}$/.test(keyId8)) throw new Error('linkKeyRequest: the key id must be 8 printable non-space ASCII characters');
  return `PHN1${keyId8}`;
}

// ---- the node ----

// Resolves {pid, hubId, nodeId, port, child, putSigned(key, text), putEncrypted(key, toId, text), put(key, text),
// goodNodes(), command(line, pattern, ms), stdout(), stderr(), alive(), stop()} once dhtnode knows at least
// `minGoodNodes` good IPv4 nodes (bootstrapped). `key` is a key string (hashed with dhtKey), `toId` a 40-hex public
// key id (a hub's hubId: /health nodeId), `text` printable ASCII without whitespace. The puts resolve {ms}, the time
// dhtnode took to report them done. Startup takes 0.5-3 s, mostly dhtnode generating its RSA-4096 identity.
export async function startRogue({ bootstrapPort, host = '127.0.0.1', network = 0, minGoodNodes = 1, timeoutMs = 20000,
  putTimeoutMs = 10000 } = {}) {
  if (!bootstrapPort) throw new Error('startRogue: bootstrapPort (a hub\'s /health dhtPort) is required');
  const node = spawnDhtnode(['-i', '-U', '-p', '0', '-b', `${host}:${bootstrapPort}`, '-n', String(network)]);
  let r;
  try {
    r = await ready(node, { minGoodNodes, timeoutMs, what: `${host}:${bootstrapPort}` });
  } catch (e) {
    await stopChild(node.child, 'SIGKILL');
    throw e;
  }
  const { child, command, tail } = node;

  // Reports are matched at the start of a line (after any ">> " prompts), never inside readline's echo of our own
  // command line, which holds the value text.
  const report = (label) => new RegExp(`^(?:>> )*${label}: (success|failure)`, 'm');
  const put = async (op, label, key, to, text) => {
    if (typeof text !== 'string' || !/^[\x21-\x7e]+$/.test(text)) {
      throw new Error(`${label}: the value must be non-empty printable ASCII without whitespace (dhtnode reads one token through readline): ${JSON.stringify(String(text).slice(0, 80))}`);
    }
    if (to !== undefined && !/^[0-9a-f]{40}$/.test(to)) throw new Error(`${label}: the recipient must be a 40-hex public key id, got ${to}`);
    const started = Date.now();
    const line = [op, dhtKey(key), ...(to === undefined ? [] : [to]), text].join(' ');
    const m = await command(line, report(label), putTimeoutMs, `"${label}" report for key ${key}`);
    if (m[1] !== 'success') throw new Error(`dhtnode: ${label} failed for key ${key} after ${Date.now() - started} ms; ${tail()}`);
    return { ms: Date.now() - started };
  };

  return {
    child,
    pid: child.pid,
    hubId: r.hubId,  // public key id: a hub sees it as the owner of our signed values
    nodeId: r.nodeId,  // DHT node id (routing only; random per run, unrelated to hubId)
    port: r.port,  // our UDP port
    put: (key, text) => put('p', 'Put', key, undefined, text),
    putSigned: (key, text) => put('s', 'Put signed', key, undefined, text),
    putEncrypted: (key, toId, text) => put('e', 'Put encrypted', key, String(toId).toLowerCase(), text),
    goodNodes: () => goodNodes(command),
    command,
    stdout: node.stdout,
    stderr: node.stderr,
    alive: () => child.exitCode === null && child.signalCode === null,
    // "x" quits dhtnode cleanly; SIGKILL if it is still there after `ms`. Resolves {code, signal}.
    stop: (ms = 3000) => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) { resolve({ code: child.exitCode, signal: child.signalCode }); return; }
      const timer = setTimeout(() => { try { child.kill('SIGKILL'); } catch {} }, ms);
      child.once('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal }); });
      try { child.stdin.end('x\n'); } catch {}
    }),
  };
}

// The IPv4 "good" count of `ll`.
async function goodNodes(command) {
  // readline may print its prompt between the two lines (">> Known nodes: ..."), as dhtnode's output is asynchronous.
  return Number((await command('ll', /IPv4 stats:\r?\n(?:>> )*Known nodes: (\d+) good/, 5000, '"ll" node stats'))[1]);
}

// Waits for the banner, then polls `ll` until the node knows minGoodNodes good nodes.
async function ready({ expect, command, tail }, { minGoodNodes, timeoutMs, what }) {
  const t0 = Date.now();
  const banner = await expect(/OpenDHT node ([0-9a-f]{40}) running on (?:port (\d+)|IPv4 port (\d+), IPv6 port \d+)\r?\nPublic key ID ([0-9a-f]{40})\r?\n/,
    0, timeoutMs, 'startup banner with "Public key ID" (dhtnode -i)');
  for (;;) {
    const good = await goodNodes(command);
    if (good >= minGoodNodes) break;
    if (Date.now() - t0 > timeoutMs) {
      throw new Error(`dhtnode found ${good} good node(s), not ${minGoodNodes}, via ${what} within ${timeoutMs} ms; ${tail()}`);
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  return { nodeId: banner[1], port: Number(banner[2] ?? banner[3]), hubId: banner[4] };
}

// Spawns dhtnode with `args` and returns {child, expect(pattern, from, ms, what), command(line, pattern, ms, what),
// tail(), stdout(), stderr()}; the child is registered to be killed at exit.
function spawnDhtnode(args) {
  const child = spawn(dhtnodeBinary, args, {
    // INPUTRC/TERM: keep readline plain (no user key bindings, no terminal escapes).
    env: { PATH: process.env.PATH, HOME: process.env.HOME ?? '/tmp', LC_ALL: 'C', TERM: 'dumb', INPUTRC: '/dev/null' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  let err = '';
  let trimmed = 0;  // characters dropped from the front of `out`
  let spawnError = null;
  const waiters = new Set();
  const poke = () => { for (const w of [...waiters]) w(); };
  child.on('exit', () => { live.delete(child); poke(); });
  child.on('error', (e) => { spawnError = e; poke(); });  // e.g. ENOENT: no dhtnode binary
  child.stdin.on('error', () => {});  // EPIPE after an early exit: reported by the waiters
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    out += d;
    if (out.length > 1 << 20) { const cut = out.length - (1 << 19); out = out.slice(cut); trimmed += cut; }
    poke();
  });
  child.stderr.on('data', (d) => { err += d; if (err.length > 65536) err = err.slice(-65536); });
  const tail = () => `stdout tail: ${JSON.stringify(out.slice(-600))}; stderr: ${JSON.stringify(err.slice(-600))}`;

  // Resolves the first match of `pattern` in stdout from absolute offset `from`; rejects on timeout or exit.
  const expect = (pattern, from, ms, what) => new Promise((resolve, reject) => {
    const check = () => {
      const m = out.slice(Math.max(0, from - trimmed)).match(pattern);
      if (m) { done(); resolve(m); return; }
      if (spawnError) { done(); reject(new Error(`cannot run ${dhtnodeBinary}: ${spawnError.message}`)); return; }
      if (child.exitCode !== null || child.signalCode !== null) {
        done();
        reject(new Error(`dhtnode exited (code ${child.exitCode}, signal ${child.signalCode}) while waiting for ${what}; ${tail()}`));
      }
    };
    const timer = setTimeout(() => { done(); reject(new Error(`dhtnode: no ${what} within ${ms} ms; ${tail()}`)); }, ms);
    const done = () => { clearTimeout(timer); waiters.delete(check); };
    waiters.add(check);
    check();
  });

  // One command at a time (so that a report belongs to the command before it): sends `line`, resolves the match
  // of `pattern` in what dhtnode prints after it.
  // After a command timed out, its late report could be taken for the next one's: later commands fail at once.
  let queue = Promise.resolve();
  let lost = null;
  const command = (line, pattern, ms = 10000, what = `reply to "${line.slice(0, 60)}"`) => {
    const run = queue.then(async () => {
      if (lost) throw new Error(`dhtnode: not sending "${line.slice(0, 60)}": an earlier command got no reply (${lost}); stop this rogue`);
      const from = trimmed + out.length;
      child.stdin.write(`${line}\n`);
      try {
        return await expect(pattern, from, ms, what);
      } catch (e) {
        lost = what;
        throw e;
      }
    });
    queue = run.catch(() => {});
    return run;
  };

  return { child, expect, command, tail, stdout: () => out, stderr: () => err };
}
