// Peer ids: 40 lower-case hex characters (160 bits) from the platform's CSPRNG.

export function generatePeerId() {
  const bytes = new Uint8Array(20);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function isPeerId(id) {
  return typeof id === 'string' && /^[0-9a-fA-F]{40}$/.test(id);
}
