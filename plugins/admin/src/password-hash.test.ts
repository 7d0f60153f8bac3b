import assert from 'node:assert/strict';
import { it } from 'node:test';
import { hashPassword, parseScryptHash, SCRYPT_SCHEME, verifyScrypt } from './password-hash.js';

it('hashes with a fresh salt and verifies only the right password', async () => {
  const first = await hashPassword('s3cret');
  const second = await hashPassword('s3cret');
  assert.ok(first.startsWith(SCRYPT_SCHEME));
  assert.notEqual(first, second);
  const parsed = parseScryptHash(first.slice(SCRYPT_SCHEME.length))!;
  assert.equal(await verifyScrypt('s3cret', parsed), true);
  assert.equal(await verifyScrypt('s3cret ', parsed), false);
});

it('rejects malformed hashes and absurd costs', () => {
  assert.equal(parseScryptHash('N=16384,r=8,p=1$abc'), undefined);
  assert.equal(parseScryptHash(`N=1000,r=8,p=1$${'A'.repeat(24)}$${'A'.repeat(44)}`), undefined);
  assert.equal(parseScryptHash(`N=${2 ** 24},r=8,p=1$${'A'.repeat(24)}$${'A'.repeat(44)}`), undefined);
});
