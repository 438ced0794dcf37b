// Signed data records through a hub's REST API (docs/DATA.md): POST /api/publish, GET /api/find/:topic.
import { recordMessage } from './canonical-json.js';
import { signText, verifyText } from './ed25519.js';
import { httpBase } from './websocket.js';

export const DEFAULT_TTL_S = 300;

export class HubHttpError extends Error {
  constructor(status, body) {
    super(`hub answered ${status}: ${body?.error ?? JSON.stringify(body)}`);
    this.status = status;
    this.body = body;
  }
}

async function request(url, init, fetchImpl) {
  const res = await (fetchImpl ?? globalThis.fetch)(url, init);
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = { error: text }; }
  if (!res.ok) throw new HubHttpError(res.status, body);
  return body;
}

// A record signed by `keyPair` ({publicKey, privateKey} hex), ready for /api/publish. seq defaults to now in ms
// (a later publish by the same key must have a higher seq).
export async function signRecord(topic, data, { ttl = DEFAULT_TTL_S, keyPair, seq = Date.now(), now = Date.now() } = {}) {
  const expires = now + ttl * 1000;
  const signature = await signText(keyPair, recordMessage(topic, seq, expires, data));
  return { topic, data, publicKey: keyPair.publicKey, signature, seq, expires };
}

// True if `record`'s signature covers its topic, seq, expires and data under its publicKey.
export async function verifyRecord(record) {
  if (!record || typeof record.topic !== 'string' || !Number.isSafeInteger(record.seq) || !Number.isSafeInteger(record.expires)) return false;
  let message;
  try { message = recordMessage(record.topic, record.seq, record.expires, record.data); } catch { return false; }
  return verifyText(record.publicKey, message, record.signature);
}

// Publishes `data` under `topic` through `hub` (a ws/wss/http/https URL). With `keyPair` the record is signed
// here and the hub only checks it; without, the hub signs it with its own key. Resolves with the stored record;
// rejects with HubHttpError (status 400 bad record, 409 stale seq, 413 too large, 507 store full).
export async function publish(hub, topic, data, { ttl = DEFAULT_TTL_S, keyPair, seq, fetch } = {}) {
  const body = keyPair ? await signRecord(topic, data, { ttl, keyPair, seq }) : { topic, data, ttl };
  return request(`${httpBase(hub)}/api/publish`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  }, fetch);
}

// The live records under `topic`, newest first. Each is checked here too (a hub is not trusted): by default a
// record whose signature fails is left out; with {verify: false} every record comes back as the hub sent it.
export async function find(hub, topic, { verify = true, fetch } = {}) {
  const body = await request(`${httpBase(hub)}/api/find/${encodeURIComponent(topic)}`, {}, fetch);
  const records = Array.isArray(body.records) ? body.records : [];
  if (!verify) return records;
  const ok = await Promise.all(records.map(verifyRecord));
  return records.filter((_, i) => ok[i]);
}
