// The browser client's canonical form and signatures against docs/test-vectors.json, the same
// cases the server's ProtocolVectorsTest passes. Run: node --test src/test/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  base64urlDecode, base64urlEncode, canonicalize, hmacSignature, importServerKeys, ServerKeyRing,
  signedBytes, verifyServerEnvelope,
} from '../../main/webapp/tocsin.js';

const vectors = JSON.parse(await readFile(new URL('../../../docs/test-vectors.json', import.meta.url), 'utf8'));
const publicKeys = await importServerKeys(vectors.keys.ed25519.publicJwks);
const sessionKey = base64urlDecode(vectors.keys.session.base64url);
const tokenKey = vectors.keys.token.jwt;

const withoutS = wire => {
  const { s, ...rest } = JSON.parse(wire); // eslint-disable-line no-unused-vars
  return rest;
};
const hex = bytes => Buffer.from(bytes).toString('hex');

async function privateKey(kid) {
  const { kty, crv, x, d } = vectors.keys.ed25519[kid].privateJwk;
  return crypto.subtle.importKey('jwk', { kty, crv, x, d }, { name: 'Ed25519' }, false, ['sign']);
}

test('the vectors cover both kinds of frame, valid and invalid', () => {
  const kinds = new Set(vectors.cases.map(c => c.kind + ':' + c.valid));
  for (const k of ['server-ed25519:true', 'server-ed25519:false', 'client-hmac-session:true',
    'client-hmac-session:false', 'client-hmac-token:true', 'client-hmac-token:false']) {
    assert.ok(kinds.has(k), k);
  }
});

for (const c of vectors.cases) {
  test(`${c.name}: canonical form`, () => {
    const envelope = JSON.parse(c.wire);
    assert.equal(canonicalize(withoutS(c.wire)), c.canonical);
    assert.equal(hex(signedBytes(envelope)), c.canonicalHex, 'signedBytes drops s and encodes UTF-8');
  });

  if (c.kind === 'server-ed25519') {
    test(`${c.name}: Ed25519 verifies ${c.valid ? '' : 'not '}with the key its kid names`, async () => {
      const envelope = JSON.parse(c.wire);
      const key = publicKeys.get(envelope.kid);
      assert.ok(key, 'kid ' + envelope.kid + ' is in the published set');
      assert.equal(await verifyServerEnvelope(envelope, key), c.valid);
    });

    test(`${c.name}: the private key's signature is the vector's`, async () => {
      const envelope = JSON.parse(c.wire);
      const signer = c.name === 'server-wrong-kid' ? 'demo-2026-b' : envelope.kid;
      const signature = await crypto.subtle.sign({ name: 'Ed25519' }, await privateKey(signer), signedBytes(envelope));
      assert.equal(base64urlEncode(signature), c.signature);
      assert.equal(envelope.s === c.signature, c.valid);
    });
  } else {
    test(`${c.name}: HMAC-SHA256 ${c.valid ? 'matches' : 'does not match'}`, async () => {
      const envelope = JSON.parse(c.wire);
      const key = c.kind === 'client-hmac-token' ? tokenKey : sessionKey;
      const signature = await hmacSignature(envelope, key);
      assert.equal(signature, c.signature);
      assert.equal(envelope.s === signature, c.valid);
    });
  }
}

test('the key ring verifies every valid server case and refuses every invalid one', async () => {
  const ring = new ServerKeyRing({ url: 'http://127.0.0.1/api/keys', jwks: vectors.keys.ed25519.publicJwks });
  for (const c of vectors.cases.filter(c => c.kind === 'server-ed25519')) {
    assert.equal((await ring.verify(JSON.parse(c.wire))).ok, c.valid, c.name);
  }
});

test('the key ring refetches once for an unknown kid, then reports it', async () => {
  let fetches = 0;
  const ring = new ServerKeyRing({
    url: 'http://127.0.0.1/api/keys',
    fetch: async () => {
      fetches++;
      return new Response(JSON.stringify(vectors.keys.ed25519.publicJwks), { status: 200 });
    },
  });
  const alert = JSON.parse(vectors.cases.find(c => c.name === 'server-alert').wire);
  assert.equal((await ring.verify(alert)).ok, true);
  assert.equal(fetches, 1);
  const stranger = { ...alert, kid: 'demo-2099-z' };
  assert.match((await ring.verify(stranger)).reason, /unknown key id/);
  assert.equal(fetches, 2, 'refetched for the unknown kid');
  assert.match((await ring.verify(stranger)).reason, /unknown key id/);
  assert.equal(fetches, 2, 'only once per kid');
});

test('a frame with s removed, or s not base64url of 64 bytes, does not verify', async () => {
  const alert = JSON.parse(vectors.cases.find(c => c.name === 'server-alert').wire);
  const key = publicKeys.get('demo-2026-b');
  const { s, ...unsigned } = alert;
  assert.equal(await verifyServerEnvelope(unsigned, key), false);
  assert.equal(await verifyServerEnvelope({ ...alert, s: s + '=' }, key), false);
  assert.equal(await verifyServerEnvelope({ ...alert, s: s.slice(0, 84) }, key), false);
  assert.equal(await verifyServerEnvelope({ ...alert, s: s.replace(/^./, c => (c === 'A' ? 'B' : 'A')) }, key), false);
});

test('canonicalize: RFC 8785 numbers, strings and sorting', () => {
  assert.equal(canonicalize({ b: [1.0, -0, 1e21, 1e-7, 0.000001, 4.50], a: 'é\u2028/\u007f\u001f' }),
    '{"a":"é\u2028/\u007f\\u001f","b":[1,0,1e+21,1e-7,0.000001,4.5]}');
  assert.equal(canonicalize({ '\u{1F600}': 1, '\uE000': 2, '\u20AC': 3 }), '{"\u20AC":3,"\u{1F600}":1,"\uE000":2}',
    'UTF-16 code units: the surrogates of U+1F600 sort before U+E000');
  assert.equal(canonicalize({ x: undefined, y: null, z: [] }), '{"y":null,"z":[]}');
  assert.equal(canonicalize({ 10: 'a', 9: 'b', 1: 'c' }), '{"1":"c","10":"a","9":"b"}', 'integer-like names sort as strings');
});

test('canonicalize refuses what has no JSON form', () => {
  for (const bad of [NaN, Infinity, '\uD800', 'a\uDC00b', { d: '\uD83D' }, 1n, () => 1, new Date(0), Symbol('s')]) {
    assert.throws(() => canonicalize(bad), TypeError, String(bad?.toString?.() ?? typeof bad));
  }
});

test('base64url round trip, without padding, strict', () => {
  for (let n = 0; n < 70; n++) {
    const bytes = crypto.getRandomValues(new Uint8Array(n));
    const text = base64urlEncode(bytes);
    assert.doesNotMatch(text, /[=+/]/);
    assert.deepEqual(base64urlDecode(text), bytes);
  }
  for (const bad of ['a', 'ab=', 'a+b', 'a/b', 'ab cd']) assert.throws(() => base64urlDecode(bad), TypeError, bad);
});
