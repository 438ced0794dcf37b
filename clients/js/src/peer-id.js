// Peer ids: 40 lower-case hex characters (160 bits) from the platform's CSPRNG.
import { toHex } from './hex.js';

// Node 18 has no global `crypto` (it came in Node 19); browsers and Node 19+ never take the import.
const webcrypto = globalThis.crypto?.getRandomValues ? globalThis.crypto : (await import('node:crypto')).webcrypto;

export function generatePeerId() {
  return toHex(webcrypto.getRandomValues(new Uint8Array(20)));
}

export function isPeerId(id) {
  return typeof id === 'string' && /^[0-9a-fA-F]{40}$/.test(id);
}
