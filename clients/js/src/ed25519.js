// Ed25519 over raw hex keys: WebCrypto where it has Ed25519 (browsers, Node 20+), else node:crypto (Node 18),
// imported only then. A key pair is {publicKey: 64 hex, privateKey: 64 hex (the RFC 8032 seed)}.
import { toHex, fromHex } from './hex.js';

// DER wrappers (RFC 8410) around the raw 32-byte seed and public key.
const PKCS8_PREFIX = fromHex('302e020100300506032b657004220420');
const SPKI_PREFIX = fromHex('302a300506032b6570032100');
const concat = (a, b) => { const o = new Uint8Array(a.length + b.length); o.set(a); o.set(b, a.length); return o; };
const utf8 = (text) => new TextEncoder().encode(text);

let backendPromise = null;

// {name, sign(seedHex, text) -> hex, verify(publicHex, text, sigHex) -> bool, generate() -> keyPair}
function backend() {
  if (!backendPromise) backendPromise = webCryptoBackend().catch(() => nodeBackend());
  return backendPromise;
}

async function webCryptoBackend() {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('no WebCrypto');
  // Probe once: Node 18's WebCrypto and older browsers lack Ed25519.
  const probe = await subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  await subtle.sign({ name: 'Ed25519' }, probe.privateKey, new Uint8Array(1));
  return {
    name: 'webcrypto',
    async sign(seedHex, text) {
      const key = await subtle.importKey('pkcs8', concat(PKCS8_PREFIX, fromHex(seedHex)), { name: 'Ed25519' }, false, ['sign']);
      return toHex(new Uint8Array(await subtle.sign({ name: 'Ed25519' }, key, utf8(text))));
    },
    async verify(publicHex, text, sigHex) {
      const key = await subtle.importKey('raw', fromHex(publicHex), { name: 'Ed25519' }, false, ['verify']);
      return subtle.verify({ name: 'Ed25519' }, key, fromHex(sigHex), utf8(text));
    },
    async generate() {
      const k = await subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
      const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', k.privateKey));
      const raw = new Uint8Array(await subtle.exportKey('raw', k.publicKey));
      return { publicKey: toHex(raw), privateKey: toHex(pkcs8.slice(-32)) };
    },
  };
}

async function nodeBackend() {
  const crypto = await import('node:crypto');
  const privateKey = (seedHex) => crypto.createPrivateKey({ key: Buffer.from(concat(PKCS8_PREFIX, fromHex(seedHex))), format: 'der', type: 'pkcs8' });
  const publicKey = (hex) => crypto.createPublicKey({ key: Buffer.from(concat(SPKI_PREFIX, fromHex(hex))), format: 'der', type: 'spki' });
  return {
    name: 'node:crypto',
    async sign(seedHex, text) { return crypto.sign(null, Buffer.from(utf8(text)), privateKey(seedHex)).toString('hex'); },
    async verify(publicHex, text, sigHex) {
      return crypto.verify(null, Buffer.from(utf8(text)), publicKey(publicHex), Buffer.from(fromHex(sigHex)));
    },
    async generate() {
      const { privateKey: k } = crypto.generateKeyPairSync('ed25519');
      const seed = k.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
      const pub = crypto.createPublicKey(k).export({ format: 'der', type: 'spki' }).subarray(-32);
      return { publicKey: pub.toString('hex'), privateKey: seed.toString('hex') };
    },
  };
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;

// Both implementations, for tests that check each against the vectors whatever this platform would pick.
export const backends = { webcrypto: webCryptoBackend, node: nodeBackend };

export async function generateKeyPair() { return (await backend()).generate(); }

// The lower-case hex Ed25519 signature of the UTF-8 bytes of `text`.
export async function signText(keyPair, text) {
  if (!HEX64.test(keyPair?.privateKey ?? '') || !HEX64.test(keyPair?.publicKey ?? '')) {
    throw new Error('keyPair must be {publicKey, privateKey} as 64 lower-case hex each');
  }
  return (await backend()).sign(keyPair.privateKey, text);
}

// True if `signatureHex` is `publicKeyHex`'s signature of `text`; false for anything malformed.
export async function verifyText(publicKeyHex, text, signatureHex) {
  if (!HEX64.test(publicKeyHex ?? '') || !HEX128.test(signatureHex ?? '')) return false;
  try { return await (await backend()).verify(publicKeyHex, text, signatureHex); } catch { return false; }
}

// Which implementation is in use: 'webcrypto' or 'node:crypto' (for tests and diagnostics).
export async function ed25519Backend() {
  return (await backend()).name;
}
