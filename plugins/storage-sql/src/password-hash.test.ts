import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dummyVerify, hashPassword, verifyPasswordHash } from './password-hash.js';

describe('scrypt password hashes', () => {
  it('verifies the right password only, with a fresh salt per hash', async () => {
    const first = await hashPassword('correct horse');
    const second = await hashPassword('correct horse');
    assert.match(first, /^\$scrypt\$N=16384,r=8,p=1\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/);
    assert.notEqual(first, second);
    assert.equal(await verifyPasswordHash('correct horse', first), true);
    assert.equal(await verifyPasswordHash('correct horse', second), true);
    assert.equal(await verifyPasswordHash('correct hors', first), false);
    assert.equal(await verifyPasswordHash('', first), false);
  });

  it('treats unicode passwords in NFC', async () => {
    const hash = await hashPassword('caf\u00e9');
    assert.equal(await verifyPasswordHash('cafe\u0301', hash), true);
  });

  it('answers false for malformed or absurd stored hashes', async () => {
    for (const stored of ['', 'plain', '$scrypt$N=16384,r=8,p=1$c2FsdA==$', '$scrypt$N=3,r=8,p=1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==', '$scrypt$N=1073741824,r=8,p=1$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==']) {
      assert.equal(await verifyPasswordHash('x', stored), false, stored);
    }
  });

  it('has a dummy check that always fails', async () => {
    assert.equal(await dummyVerify('anything'), false);
  });
});
