import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { createProviderToken } from './provider-token.js';

test('an ES256 JWT verifiable with the public key, renewed after its age and once per rejection', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  let now = 1_700_000_000_000;
  const provider = createProviderToken({ key: privateKey, keyId: 'KID', teamId: 'TEAM', now: () => now });
  const first = provider.current();
  const [header, claims, signature] = first.jwt.split('.');
  assert.deepEqual(JSON.parse(Buffer.from(header!, 'base64url').toString()), { alg: 'ES256', kid: 'KID' });
  assert.deepEqual(JSON.parse(Buffer.from(claims!, 'base64url').toString()), { iss: 'TEAM', iat: 1_700_000_000 });
  assert.equal(Buffer.from(signature!, 'base64url').length, 64, 'raw r||s');
  assert.ok(verify('sha256', Buffer.from(`${header}.${claims}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature!, 'base64url')));

  now += 49 * 60_000;
  assert.equal(provider.current().jwt, first.jwt, 'reused within 50 minutes');
  now += 60_000;
  const second = provider.current();
  assert.notEqual(second.jwt, first.jwt);
  provider.invalidate(first.generation);
  assert.equal(provider.current().jwt, second.jwt, 'a stale rejection does not renew again');
  provider.invalidate(second.generation);
  assert.notEqual(provider.current().generation, second.generation);
});
