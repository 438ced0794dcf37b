// The bootstrap-document vectors (tests/vectors/bootstrap-document.json, written by the C++ codec) checked
// independently with JavaScript itself: a client's recipe (JSON.parse, delete signature, JSON.stringify) for the
// signed message, Node's crypto (OpenSSL) for the Ed25519 key and signatures. No hub needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { keysFromSeed, verifyHex } from './lib/ed25519.mjs';

const vectors = JSON.parse(fs.readFileSync(new URL('../vectors/bootstrap-document.json', import.meta.url), 'utf8'));

const { privateKey, publicKey } = keysFromSeed(vectors.seed);

const TOP = ['v', 'appId', 'hubId', 'publicKey', 'url', 'region', 'dht', 'hubs', 'timestamp', 'signature'];
const HUB = ['t', 'u', 'region', 'priority', 'description', 'publicKey'];

// What a JavaScript client does with a document it fetched.
function messageOf(text) {
  const obj = JSON.parse(text);
  delete obj.signature;
  return JSON.stringify(['pigeonhub-bootstrap/1', obj]);
}

const verifies = verifyHex;

test('the seed gives the public key', () => {
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  assert.equal(raw.toString('hex'), vectors.publicKey);
});

test('each document has the documented members, in order, and the key', () => {
  assert.ok(vectors.documents.length >= 2);
  for (const d of vectors.documents) {
    const obj = JSON.parse(d.document);
    assert.deepEqual(Object.keys(obj), TOP);
    assert.equal(obj.v, 1);
    assert.equal(obj.publicKey, vectors.publicKey);
    assert.equal(obj.signature, d.signature);
    assert.match(obj.hubId, /^[0-9a-f]{40}$/);
    assert.ok(Number.isSafeInteger(obj.timestamp));
    for (const h of obj.hubs) assert.deepEqual(Object.keys(h), HUB.slice(0, 'publicKey' in h ? 6 : 5));
    for (const e of obj.dht) assert.match(e, /^([A-Za-z0-9._-]+|\[[0-9a-fA-F:.]+\]):\d{1,5}$/);
    // The document is exactly what JSON.stringify writes for it (no whitespace, the same escapes).
    assert.equal(JSON.stringify(obj), d.document);
  }
});

test('the message is JSON.stringify(["pigeonhub-bootstrap/1", document without signature])', () => {
  for (const d of vectors.documents) assert.equal(messageOf(d.document), d.message);
});

test('the signature is Node\'s Ed25519 signature of the message, and verifies with the document\'s key', () => {
  for (const d of vectors.documents) {
    const message = Buffer.from(d.message, 'utf8');
    assert.equal(crypto.sign(null, message, privateKey).toString('hex'), d.signature);
    assert.ok(verifies(d.message, JSON.parse(d.document).publicKey, d.signature));
  }
});

test('a changed member no longer verifies', () => {
  const d = vectors.documents[0];
  const tamper = [
    (o) => { o.url = 'wss://evil.example/'; },
    (o) => { o.dht[0] = 'evil.example:4222'; },
    (o) => { o.hubs[0].priority += 1; },
    (o) => { o.timestamp += 1; },
    (o) => { o.appId += 'x'; },
  ];
  for (const change of tamper) {
    const obj = JSON.parse(d.document);
    change(obj);
    assert.ok(!verifies(messageOf(JSON.stringify(obj)), obj.publicKey, obj.signature), change.toString());
  }
});
