import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentialStorageRef, databaseRef, isKeelError, type CredentialStorage } from '@keel/plugin-sdk';
import { mariaDbSkipReason, startMariaDbDatabase } from '@keel/test/harness';
import { admin, createUsers, eventually, probeManager, startPushKernel, type ProbeEvent, type PushKernel } from './support.js';

const mariaSkip = await mariaDbSkipReason();

const CREDSTORE = (rdb: boolean, passcrypt = 'passcrypt-one') => ({
  'com.openexchange.push.credstorage.enabled': 'true',
  'com.openexchange.push.credstorage.passcrypt': passcrypt,
  'com.openexchange.push.credstorage.rdb': String(rdb),
});

describe('push: credential storage needs a passcrypt', () => {
  it('enabled without passcrypt: push does not start, the error names the property', async () => {
    const keel = await startPushKernel({}, { 'com.openexchange.push.credstorage.enabled': 'true' }, { requireActive: false });
    try {
      const info = keel.kernel.bundle('push')!;
      assert.notEqual(info.state, 'ACTIVE');
      assert.match(info.error?.message ?? '', /com\.openexchange\.push\.credstorage\.passcrypt is required/);
    } finally {
      await keel.stop();
    }
  });
});

for (const backend of ['memory', 'rdb on SQLite', 'rdb on MariaDB'] as const) {
  const rdb = backend !== 'memory';
  describe(`push: credential storage (${backend})`, { skip: backend === 'rdb on MariaDB' ? mariaSkip : undefined }, () => {
    const events: ProbeEvent[] = [];
    let keel: PushKernel;
    let storage: CredentialStorage;
    let database: { url: string; stop(): Promise<void> } | undefined;
    let grace: { contextId: number; userId: number; login: string };
    let dbUrl: Record<string, string> = {};

    before(async () => {
      if (backend === 'rdb on MariaDB') {
        database = await startMariaDbDatabase();
        dbUrl = { 'keel.database.url': database.url };
      }
      keel = await startPushKernel({ probe: probeManager(events) }, { ...CREDSTORE(rdb), ...dbUrl });
      storage = keel.kernel.get(credentialStorageRef)!;
      const { users } = await createUsers(keel, ['grace']);
      grace = users[0]!;
    });

    after(async () => {
      await keel?.stop();
      await database?.stop();
    });

    it('a registration with a password stores it sealed and hands it to the permanent listener', async () => {
      const answer = await admin(keel.kernel.url, 'POST', '/push/registrations', { contextId: grace.contextId, userId: grace.userId, client: 'USM-EAS', login: 'grace@example.com', password: 'imap pässword' });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual(await storage.get(grace), { login: 'grace@example.com', password: 'imap pässword' });
      assert.deepEqual(events.map((e) => [e.type, e.permanent, e.password]), [['start', true, 'imap pässword']]);
      if (rdb) {
        const rows = await keel.kernel.get(databaseRef)!.db.selectFrom('credentials').selectAll().execute() as Array<Record<string, unknown>>;
        assert.equal(rows.length, 1);
        assert.equal(rows[0]!['login'], 'grace@example.com', 'the login is kept in clear');
        assert.match(String(rows[0]!['password']), /^v1\$scrypt\$N=16384,r=8,p=1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{16}\$[A-Za-z0-9+/=]+$/);
        assert.ok(!String(rows[0]!['password']).includes('pässword'));
      }
    });

    it('a password change updates the stored password and restarts the permanent listener with it', async () => {
      events.length = 0;
      await keel.users.setPassword(grace.contextId, grace.userId, 'changed secret');
      assert.deepEqual(await storage.get(grace), { login: 'grace@example.com', password: 'changed secret' });
      assert.deepEqual(events.map((e) => [e.type, e.permanent, e.password ?? e.reason]), [['start', true, 'changed secret'], ['stop', true, 'moved']]);
    });

    it('a login with a retained password of a registered user updates the stored credentials', async () => {
      await keel.sessions.create({ contextId: grace.contextId, userId: grace.userId, loginName: 'grace', client: 'open-xchange-appsuite', ip: '127.0.0.1', password: 'from the login' });
      await eventually(async () => (await storage.get(grace))?.password === 'from the login', 'credentials updated by the login');
      assert.deepEqual(await storage.get(grace), { login: 'grace', password: 'from the login' });
    });

    if (rdb) {
      it('a node with another passcrypt: CRD-0002 instead of garbage, and the listener starts without a password', async () => {
        const other: ProbeEvent[] = [];
        // A second node on the same database with a different passcrypt.
        const second = await startPushKernel({ probe: probeManager(other) }, { ...CREDSTORE(true, 'passcrypt-two'), ...(backend === 'rdb on MariaDB' ? dbUrl : { 'keel.database.url': `sqlite:${keel.kernel.dataDir}/keel.db` }) });
        try {
          await assert.rejects(second.kernel.get(credentialStorageRef)!.get(grace), (error: unknown) => isKeelError(error) && error.code === 'CRD-0002' && /passcrypt/.test(error.message));
          const start = await eventually(() => other.find((e) => e.type === 'start'), 'permanent start on the second node');
          assert.equal(start.permanent, true);
          assert.equal(start.password, undefined);
        } finally {
          await second.stop();
        }
      });
    }

    it('five first stores for one user at once: no error, one of them wins', async () => {
      const someone = { contextId: grace.contextId, userId: 999_001 };
      await Promise.all(Array.from({ length: 5 }, (_, i) => storage.store(someone, { login: 'someone', password: `pw-${i}` })));
      assert.match((await storage.get(someone))!.password, /^pw-[0-4]$/);
      await storage.remove(someone);
      assert.equal(await storage.get(someone), undefined);
    });

    it('deleting the user removes the credentials and the registrations', async () => {
      await keel.users.delete(grace.contextId, grace.userId);
      assert.equal(await storage.get(grace), undefined);
      assert.deepEqual(await keel.push.registrations(), []);
    });
  });
}
