import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCredentialCipher } from './credential-cipher.js';

const FAST = { scrypt: { N: 1024, r: 8, p: 1 } };

test('a value sealed by one member opens on another with the same passcrypt', async () => {
  const sealed = await createCredentialCipher('shared secret', FAST).encrypt('pässword 1');
  assert.match(sealed, /^v1\$scrypt\$N=1024,r=8,p=1\$[^$]+\$[^$]+\$[^$]+$/);
  assert.ok(!sealed.includes('pässword'));
  assert.equal(await createCredentialCipher('shared secret').decrypt(sealed), 'pässword 1');
});

test('every value gets its own IV', async () => {
  const cipher = createCredentialCipher('shared secret', FAST);
  assert.notEqual(await cipher.encrypt('same'), await cipher.encrypt('same'));
});

test('another passcrypt or a tampered value is CRD-0002', async () => {
  const sealed = await createCredentialCipher('shared secret', FAST).encrypt('pw');
  await assert.rejects(createCredentialCipher('other', FAST).decrypt(sealed), { code: 'CRD-0002' });
  const parts = sealed.split('$');
  const body = Buffer.from(parts[5]!, 'base64');
  body[0] = body[0]! ^ 1;
  parts[5] = body.toString('base64');
  await assert.rejects(createCredentialCipher('shared secret', FAST).decrypt(parts.join('$')), { code: 'CRD-0002' });
  await assert.rejects(createCredentialCipher('shared secret', FAST).decrypt('plain'), { code: 'CRD-0002' });
  await assert.rejects(createCredentialCipher('shared secret').decrypt(sealed.replace('N=1024', 'N=1000')), { code: 'CRD-0002' });
});

test('a missing passcrypt is CRD-0001', () => {
  assert.throws(() => createCredentialCipher(undefined), { code: 'CRD-0001' });
  assert.throws(() => createCredentialCipher(''), { code: 'CRD-0001' });
});

test('associated data binds a value to its owner', async () => {
  const cipher = createCredentialCipher('shared secret', FAST);
  const sealed = await cipher.encrypt('pw', '1:3');
  assert.equal(await cipher.decrypt(sealed, '1:3'), 'pw');
  await assert.rejects(cipher.decrypt(sealed, '1:4'), { code: 'CRD-0002' });
  await assert.rejects(cipher.decrypt(sealed), { code: 'CRD-0002' });
});
