// Ed25519 keys for the vector tests, from the raw forms the vector files hold (RFC 8032 seed, 32-byte public key),
// through Node's crypto (OpenSSL): the one place the DER wrappers are written.
import crypto from 'node:crypto';

// PKCS#8 PrivateKeyInfo (RFC 8410) around a 32-byte seed, and SubjectPublicKeyInfo around a 32-byte key.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function keysFromSeed(seedHex) {
  const privateKey = crypto.createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, Buffer.from(seedHex, 'hex')]), format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: crypto.createPublicKey(privateKey) };
}

export function publicKeyFromHex(hex) {
  return crypto.createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
}

// True if `signatureHex` is `keyHex`'s Ed25519 signature of the UTF-8 text `message`.
export function verifyHex(message, keyHex, signatureHex) {
  return crypto.verify(null, Buffer.from(message, 'utf8'), publicKeyFromHex(keyHex), Buffer.from(signatureHex, 'hex'));
}
