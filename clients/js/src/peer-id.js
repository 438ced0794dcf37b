// Peer ids: 40 lower-case hex characters (160 bits) from the platform's CSPRNG.
import { toHex } from './hex.js';

export function generatePeerId() {
  return toHex(globalThis.crypto.getRandomValues(new Uint8Array(20)));
}

export function isPeerId(id) {
  return typeof id === 'string' && /^[0-9a-fA-F]{40}$/.test(id);
}
