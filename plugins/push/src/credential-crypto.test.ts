import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKeelError } from '@keel/plugin-sdk';
import { createCredentialCipher } from './credential-crypto.js';

const isCrd2 = (error: unknown) => isKeelError(error) && error.code === 'CRD-0002';
// Small N keeps the unit test quick; the stored string says which parameters were used.
const FAST = { N: 1024, r: 8, p: 1 };

test('seal/open round trip; the stored string carries version, KDF parameters, salt, iv and ciphertext', async () => {
  const cipher = createCredentialCipher('the passcrypt', FAST);
  const sealed = await cipher.seal('1:3', 'pässword with $ and :');
  const parts = sealed.split('$');
  assert.equal(parts.length, 6);
  assert.deepEqual(parts.slice(0, 3), ['v1', 'scrypt', 'N=1024,r=8,p=1']);
  assert.equal(Buffer.from(parts[3]!, 'base64').length, 16, 'salt');
  assert.equal(Buffer.from(parts[4]!, 'base64').length, 12, 'iv');
  assert.equal(Buffer.from(parts[5]!, 'base64').length, Buffer.byteLength('pässword with $ and :') + 16, 'ciphertext + tag');
  assert.ok(!sealed.includes('pässword'));
  assert.equal(await cipher.open('1:3', sealed), 'pässword with $ and :');
});

test('the default parameters are N=16384, r=8, p=1', async () => {
  const sealed = await createCredentialCipher('x').seal('1:1', 'pw');
  assert.match(sealed, /^v1\$scrypt\$N=16384,r=8,p=1\$/);
});

test('random salt and iv: the same password seals differently each time', async () => {
  const cipher = createCredentialCipher('p', FAST);
  const a = await cipher.seal('1:3', 'same');
  const b = await cipher.seal('1:3', 'same');
  assert.notEqual(a, b);
  assert.notEqual(a.split('$')[3], b.split('$')[3]);
  assert.notEqual(a.split('$')[4], b.split('$')[4]);
});

test('a different passcrypt is CRD-0002, never garbage', async () => {
  const sealed = await createCredentialCipher('old passcrypt', FAST).seal('1:3', 'secret');
  await assert.rejects(createCredentialCipher('new passcrypt', FAST).open('1:3', sealed), isCrd2);
});

test('a value moved to another user does not open (owner bound as AAD)', async () => {
  const cipher = createCredentialCipher('p', FAST);
  await assert.rejects(cipher.open('1:4', await cipher.seal('1:3', 'secret')), isCrd2);
});

test('malformed, truncated, tampered or absurd values are CRD-0002', async () => {
  const cipher = createCredentialCipher('p', FAST);
  const sealed = await cipher.seal('1:3', 'secret');
  const parts = sealed.split('$');
  const flipped = Buffer.from(parts[5]!, 'base64');
  flipped[0] = flipped[0]! ^ 1;
  for (const bad of [
    '', 'plain-password', `v2$${parts.slice(1).join('$')}`,
    [...parts.slice(0, 2), 'N=1073741824,r=8,p=1', ...parts.slice(3)].join('$'),
    [...parts.slice(0, 2), 'N=1000,r=8,p=1', ...parts.slice(3)].join('$'),
    [...parts.slice(0, 5), Buffer.from('short').toString('base64')].join('$'),
    [...parts.slice(0, 5), flipped.toString('base64')].join('$'),
  ]) {
    await assert.rejects(cipher.open('1:3', bad), isCrd2, bad);
  }
});
