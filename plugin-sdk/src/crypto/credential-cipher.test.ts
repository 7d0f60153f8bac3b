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

test('every value gets its own IV, and by default its own salt', async () => {
  const cipher = createCredentialCipher('shared secret', FAST);
  const [a, b] = [await cipher.encrypt('same'), await cipher.encrypt('same')];
  assert.notEqual(a.split('$')[4], b.split('$')[4]);
  assert.notEqual(a.split('$')[3], b.split('$')[3]);
  const hot = createCredentialCipher('shared secret', { ...FAST, saltPerValue: false });
  const [c, d] = [await hot.encrypt('same'), await hot.encrypt('same')];
  assert.equal(c.split('$')[3], d.split('$')[3], 'one salt per instance when asked');
  assert.notEqual(c.split('$')[4], d.split('$')[4]);
  assert.equal(await cipher.decrypt(c), 'same');
});

test('the default parameters are N=16384, r=8, p=1; the parts have their sizes', async () => {
  const sealed = await createCredentialCipher('x').encrypt('pässword with $ and :');
  const parts = sealed.split('$');
  assert.deepEqual(parts.slice(0, 3), ['v1', 'scrypt', 'N=16384,r=8,p=1']);
  assert.equal(Buffer.from(parts[3]!, 'base64').length, 16, 'salt');
  assert.equal(Buffer.from(parts[4]!, 'base64').length, 12, 'iv');
  assert.equal(Buffer.from(parts[5]!, 'base64').length, Buffer.byteLength('pässword with $ and :') + 16, 'ciphertext + tag');
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
  for (const bad of [
    sealed.replace('N=1024', 'N=1000'), sealed.replace('N=1024', 'N=1073741824'), `v2$${parts.slice(1).join('$')}`, '',
    [...parts.slice(0, 5), Buffer.from('short').toString('base64')].join('$'),
  ]) {
    await assert.rejects(createCredentialCipher('shared secret').decrypt(bad), { code: 'CRD-0002' }, bad);
  }
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
