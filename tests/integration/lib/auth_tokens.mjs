// pht1 join tokens (docs/AUTH.md) in JavaScript with Node's crypto, independent of the hub's C++: issuing (for
// tokens the hub's --make-token cannot make, such as expired ones) and the hub's verdict (to check
// tests/vectors/auth-tokens.json).
import crypto from 'node:crypto';
import { publicKeyFromHex } from './ed25519.mjs';

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const B64URL = /^[A-Za-z0-9_-]*$/;

// Decodes unpadded base64url in its one canonical spelling, else null.
function decode(text) {
  if (!B64URL.test(text) || text.length % 4 === 1) return null;
  const bytes = Buffer.from(text, 'base64url');
  return b64url(bytes) === text ? bytes : null;
}

// A token for `ns` (or a prefix 'p*') expiring at `exp` (seconds), signed by an Ed25519 KeyObject or an HMAC secret.
export function makeToken({ ns, exp, privateKey, secret }) {
  const alg = privateKey ? 'EdDSA' : 'HS256';
  const signed = `pht1.${b64url(JSON.stringify({ alg, ns, exp }))}`;
  const sig = privateKey ? crypto.sign(null, Buffer.from(signed), privateKey)
    : crypto.createHmac('sha256', secret).update(signed).digest();
  return `${signed}.${b64url(sig)}`;
}

// The hub's verdict for `token` announcing into `ns` at `now` (seconds), for a rule with one issuer public key
// (hex) and one HMAC secret (Buffer): 'allowed', 'missing', 'invalid', 'wrong_namespace' or 'expired'.
export function verdict(token, ns, now, { publicKeyHex, secret }) {
  if (!token) return 'missing';
  if (token.length > 2048 || !token.startsWith('pht1.')) return 'invalid';
  const dot = token.indexOf('.', 5);
  if (dot < 0) return 'invalid';
  const payload = decode(token.slice(5, dot));
  const sig = decode(token.slice(dot + 1));
  if (!payload || !sig) return 'invalid';
  let claims;
  try { claims = JSON.parse(payload.toString('utf8')); } catch { return 'invalid'; }
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return 'invalid';
  const { alg, ns: pattern, exp } = claims;
  if ((alg !== 'EdDSA' && alg !== 'HS256') || typeof pattern !== 'string' || !pattern ||
      !Number.isSafeInteger(exp) || exp < 0) return 'invalid';
  const signed = Buffer.from(token.slice(0, dot));
  let ok;
  if (alg === 'EdDSA') ok = sig.length === 64 && crypto.verify(null, signed, publicKeyFromHex(publicKeyHex), sig);
  else ok = sig.length === 32 && crypto.timingSafeEqual(crypto.createHmac('sha256', secret).update(signed).digest(), sig);
  if (!ok) return 'invalid';
  const covers = pattern.endsWith('*') ? ns.startsWith(pattern.slice(0, -1)) : pattern === ns;
  if (!covers) return 'wrong_namespace';
  return now >= exp ? 'expired' : 'allowed';
}
