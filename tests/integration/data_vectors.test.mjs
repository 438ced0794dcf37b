// The data-record vectors (tests/vectors/data-records.json, written by the C++ codec) checked independently with
// JavaScript itself: JSON.stringify for the signed message and canonical JSON, Node's crypto (OpenSSL) for the
// Ed25519 key and signatures. No hub needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { keysFromSeed } from './lib/ed25519.mjs';

const vectors = JSON.parse(fs.readFileSync(new URL('../vectors/data-records.json', import.meta.url), 'utf8'));

const { privateKey, publicKey } = keysFromSeed(vectors.seed);

test('the seed gives the public key and the PEM', () => {
  assert.equal(privateKey.asymmetricKeyType, 'ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  assert.equal(raw.toString('hex'), vectors.publicKey);
  assert.equal(privateKey.export({ format: 'pem', type: 'pkcs8' }), vectors.privateKeyPem);
  const fromPem = crypto.createPrivateKey(vectors.privateKeyPem);
  assert.equal(fromPem.export({ format: 'der', type: 'pkcs8' }).toString('hex'),
    privateKey.export({ format: 'der', type: 'pkcs8' }).toString('hex'));
});

test('each message is JSON.stringify(["pigeonhub-record/1", topic, seq, expires, data])', () => {
  assert.ok(vectors.records.length >= 5);
  for (const r of vectors.records) {
    assert.ok(Number.isSafeInteger(r.seq) && Number.isSafeInteger(r.expires), r.topic);
    assert.equal(JSON.stringify(['pigeonhub-record/1', r.topic, r.seq, r.expires, r.data]), r.message, r.topic);
  }
});

test('each signature is Node\'s Ed25519 signature of the message, and verifies', () => {
  for (const r of vectors.records) {
    const message = Buffer.from(r.message, 'utf8');
    assert.equal(crypto.sign(null, message, privateKey).toString('hex'), r.signature, r.topic);
    assert.ok(crypto.verify(null, message, publicKey, Buffer.from(r.signature, 'hex')), r.topic);
    const tampered = Buffer.from(r.message.replace(`,${r.seq},`, `,${r.seq + 1},`), 'utf8');
    assert.ok(!crypto.verify(null, tampered, publicKey, Buffer.from(r.signature, 'hex')), r.topic);
  }
});

test('canonical JSON is JSON.stringify(JSON.parse(input))', () => {
  assert.ok(vectors.canonical.length >= 20);
  for (const c of vectors.canonical) {
    assert.equal(JSON.stringify(JSON.parse(c.input)), c.output, JSON.stringify(c.input));
  }
});

test('refused inputs are ones JSON.stringify cannot give back (or that nest deeper than the hub allows)', () => {
  assert.ok(vectors.refused.length >= 5);
  for (const c of vectors.refused) {
    const what = `${JSON.stringify(c.input)}: ${c.error}`;
    if (c.error === 'malformed JSON') {
      assert.throws(() => JSON.parse(c.input), SyntaxError, what);
      continue;
    }
    const out = JSON.stringify(JSON.parse(c.input));
    if (c.error.startsWith('duplicate member')) assert.ok(out.length < c.input.length, what);  // a member lost
    else if (c.error.startsWith('lone surrogate')) assert.match(out, /\\ud[89a-f]/i, what);  // not UTF-8 text
    else if (c.error.startsWith('number too large')) assert.match(out, /null/, what);
    else assert.match(c.error, /nested deeper than 64/, what);  // V8 itself nests far deeper
  }
});
