import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { authenticatorRef, defineBundle, type Authenticator } from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import acmeFileAuth from '../src/index.js';
import { hashPassword } from '../src/accounts-file.js';

// A stand-in for the database authenticator the real installation has: a tiny bundle of its own.
const databaseStandIn = defineBundle({
  provides: [authenticatorRef],
  start({ register }) {
    register(authenticatorRef, { name: 'database', authenticate: async () => ({ outcome: 'failure', reason: 'not in database' }) } satisfies Authenticator);
  },
});

let keel: TestKernel;

before(async () => {
  keel = await startTestKernel({
    bundles: { 'acme-file-auth': acmeFileAuth, database: databaseStandIn },
    files: { 'acme-accounts.yml': `alice@acme.example:\n  contextId: 7\n  userId: 42\n  hash: "${hashPassword('correct horse', 'c0ffee')}"\n` },
    http: false,
  });
});

after(() => keel.stop());

test('the partner authenticator is asked first because of its ranking', () => {
  assert.equal(keel.bundle('acme-file-auth')?.state, 'ACTIVE');
  assert.deepEqual(keel.getAll(authenticatorRef).map((a) => a.name), ['acme-file', 'database']);
});

test('answers for its own logins, and only for them', async () => {
  const [acme] = keel.getAll(authenticatorRef);
  assert.deepEqual(await acme!.authenticate({ login: 'Alice@acme.example', password: 'correct horse', ip: '127.0.0.1' }), { outcome: 'success', contextId: 7, userId: 42 });
  assert.equal((await acme!.authenticate({ login: 'alice@acme.example', password: 'wrong', ip: '127.0.0.1' })).outcome, 'failure');
  assert.equal((await acme!.authenticate({ login: 'bob@acme.example', password: 'x', ip: '127.0.0.1' })).outcome, 'not-mine');
});
