// The canonical JSON the hub signs and stores (docs/DATA.md): exactly what JSON.stringify writes, for a value that
// JSON.stringify can give back. Refused: values JSON would change (NaN, Infinity, undefined, functions, BigInt,
// lone surrogates) and nesting deeper than the hub's 64.

export const MAX_DEPTH = 64;

export class CanonicalJsonError extends Error {}

function check(v, depth) {
  if (depth > MAX_DEPTH) throw new CanonicalJsonError(`nested deeper than ${MAX_DEPTH}`);
  if (v === null || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new CanonicalJsonError(`number ${v} has no JSON form`);
    return;
  }
  if (typeof v === 'string') {
    // A lone surrogate is not UTF-8 text: the hub refuses the escape JSON.stringify would write for it.
    if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(v)) {
      throw new CanonicalJsonError('lone surrogate in a string');
    }
    return;
  }
  if (Array.isArray(v)) { for (const x of v) check(x, depth + 1); return; }
  if (typeof v === 'object' && Object.getPrototypeOf(v) !== null && typeof v.toJSON === 'function') {
    throw new CanonicalJsonError('an object with toJSON (a Date?): convert it first');
  }
  if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) { check(k, depth); check(x, depth + 1); }
    return;
  }
  throw new CanonicalJsonError(`a ${typeof v} has no JSON form`);
}

// The canonical text of `value`, or throws CanonicalJsonError.
export function canonicalJson(value) {
  check(value, 1);
  return JSON.stringify(value);
}

// The UTF-8 text a data record's signature covers.
export function recordMessage(topic, seq, expires, data) {
  check(data, 2);
  return JSON.stringify(['pigeonhub-record/1', topic, seq, expires, data]);
}

// The UTF-8 text a bootstrap document's signature covers (document: the parsed object, signature ignored).
export function bootstrapDocumentMessage(document) {
  const { signature, ...rest } = document;
  return JSON.stringify(['pigeonhub-bootstrap/1', rest]);
}
