import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isKeelError } from '@keel/plugin-sdk';
import { admin, createUsers, eventually, probeManager, startPushKernel, type ProbeEvent, type PushKernel } from './support.js';

const GLOBAL = { 'com.openexchange.mail.passwordSource': 'global', 'com.openexchange.mail.masterPassword': 'imap-master' };

async function obstacleOf(keel: PushKernel, user: { contextId: number; userId: number }): Promise<string> {
  try {
    await keel.push.registerPermanent({ ...user, client: 'open-xchange-mobile-api-facade' });
    return 'ok';
  } catch (error) {
    if (isKeelError(error)) return `${error.code} ${error.message}`;
    throw error;
  }
}

describe('push: the permanent listener decision flow', () => {
  it('not allowed, no capable manager, no credentials: PSH-0001 naming the reason; all three: possible', async () => {
    const cases: Array<[string, Record<string, string>, boolean, RegExp | 'ok']> = [
      ['allowPermanentPush=false', { ...GLOBAL, 'com.openexchange.push.allowPermanentPush': 'false' }, true, /^PSH-0001 .*allowPermanentPush is false/],
      ['no manager supports it', GLOBAL, false, /^PSH-0001 .*no push manager that supports permanent listeners/],
      ['no credentials', {}, true, /^PSH-0001 .*passwordSource=global .*credstorage\.enabled=true/],
      ['global without master password', { 'com.openexchange.mail.passwordSource': 'global' }, true, /^PSH-0001 .*no credentials/],
      ['master password', GLOBAL, true, 'ok'],
      ['credential storage', { 'com.openexchange.push.credstorage.enabled': 'true', 'com.openexchange.push.credstorage.passcrypt': 'pc' }, true, 'ok'],
    ];
    for (const [name, properties, capable, expected] of cases) {
      const keel = await startPushKernel({ probe: probeManager([], { permanent: capable }) }, properties);
      try {
        const { users: [user] } = await createUsers(keel, ['dave']);
        const outcome = await obstacleOf(keel, user!);
        if (expected === 'ok') assert.equal(outcome, 'ok', name);
        else assert.match(outcome, expected, name);
        assert.equal(keel.push.permanentPushPossible(), expected === 'ok', name);
      } finally {
        await keel.stop();
      }
    }
  });
});

describe('push: permanent registrations over the admin API', () => {
  const events: ProbeEvent[] = [];
  let keel: PushKernel;
  let erin: { contextId: number; userId: number; login: string };
  let frank: { contextId: number; userId: number; login: string };

  before(async () => {
    keel = await startPushKernel({ probe: probeManager(events) }, GLOBAL);
    const { users } = await createUsers(keel, ['erin', 'frank']);
    [erin, frank] = [users[0]!, users[1]!];
  });

  after(async () => {
    await keel?.stop();
  });

  it('POST registers and starts a permanent listener at once on the single node', async () => {
    const answer = await admin(keel.kernel.url, 'POST', '/push/registrations', { contextId: erin.contextId, userId: erin.userId, client: 'open-xchange-mobile-api-facade' });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(events.filter((e) => e.userId === erin.userId), [
      { type: 'start', manager: 'probe', contextId: erin.contextId, userId: erin.userId, permanent: true, client: 'open-xchange-mobile-api-facade' },
    ]);
    assert.deepEqual((await admin(keel.kernel.url, 'GET', '/push/registrations')).body['registrations'], [{ contextId: erin.contextId, userId: erin.userId, client: 'open-xchange-mobile-api-facade' }]);
    assert.deepEqual((await admin(keel.kernel.url, 'GET', '/push/listeners')).body['listeners'], [
      { contextId: erin.contextId, userId: erin.userId, manager: 'probe', permanent: true, client: 'open-xchange-mobile-api-facade' },
    ]);
  });

  it('registering the same again, or another client of the same user, starts nothing new', async () => {
    const before = events.length;
    assert.equal((await admin(keel.kernel.url, 'POST', '/push/registrations', { contextId: erin.contextId, userId: erin.userId, client: 'open-xchange-mobile-api-facade' })).status, 200);
    assert.equal((await admin(keel.kernel.url, 'POST', '/push/registrations', { contextId: erin.contextId, userId: erin.userId, client: 'USM-EAS' })).status, 200);
    assert.equal(events.length, before);
    assert.equal(((await admin(keel.kernel.url, 'GET', '/push/registrations')).body['registrations'] as unknown[]).length, 2);
  });

  it('a push session of a user with a permanent listener starts no session-bound one', async () => {
    const before = events.length;
    const s = await keel.sessions.create({ contextId: erin.contextId, userId: erin.userId, loginName: 'erin', client: 'USM-EAS', ip: '127.0.0.1' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(events.length, before);
    await keel.sessions.remove(s.sessionId, 'logout');
  });

  it('DELETE of one client keeps the listener; DELETE of the last stops it (finished); DELETE again is 404 PSH-0002', async () => {
    const remove = (client: string) => admin(keel.kernel.url, 'DELETE', '/push/registrations', { contextId: erin.contextId, userId: erin.userId, client });
    assert.equal((await remove('USM-EAS')).status, 200);
    assert.equal(events.filter((e) => e.type === 'stop').length, 0);
    assert.deepEqual((await remove('open-xchange-mobile-api-facade')).body, { deleted: true, contextId: erin.contextId, userId: erin.userId, client: 'open-xchange-mobile-api-facade' });
    assert.deepEqual(events.filter((e) => e.type === 'stop').map((e) => [e.userId, e.permanent, e.reason]), [[erin.userId, true, 'finished']]);
    const again = await remove('open-xchange-mobile-api-facade');
    assert.equal(again.status, 404);
    assert.equal(again.body['code'], 'PSH-0002');
  });

  it('session-bound and permanent hand over without a gap: start the new one, then stop the old one as moved', async () => {
    events.length = 0;
    const s = await keel.sessions.create({ contextId: frank.contextId, userId: frank.userId, loginName: 'frank', client: 'USM-EAS', ip: '127.0.0.1' });
    await eventually(() => events.some((e) => e.type === 'start'), 'session-bound start');
    await keel.push.registerPermanent({ contextId: frank.contextId, userId: frank.userId, client: 'USM-EAS' });
    await keel.push.unregisterPermanent({ contextId: frank.contextId, userId: frank.userId, client: 'USM-EAS' });
    assert.deepEqual(events.map((e) => [e.type, e.permanent, e.reason]), [
      ['start', false, undefined],
      ['start', true, undefined], ['stop', false, 'moved'],
      ['start', false, undefined], ['stop', true, 'moved'],
    ]);
    await keel.sessions.remove(s.sessionId, 'logout');
    await eventually(() => events.at(-1)?.type === 'stop' && events.at(-1)!.reason === 'finished', 'final stop');
  });

  it('bad input: 400 PSH-0003; unknown user: 404 USR-0001; without admin credentials: 401', async () => {
    for (const body of [{}, { contextId: 'x', userId: 1, client: 'c' }, { contextId: 1, userId: -1, client: 'c' }, { contextId: 1, userId: 1 }, { contextId: 1, userId: 1, client: '' }, { contextId: 1, userId: 1, client: 'x'.repeat(65) }, [1]]) {
      const answer = await admin(keel.kernel.url, 'POST', '/push/registrations', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body['code'], 'PSH-0003', JSON.stringify(body));
    }
    const unknown = await admin(keel.kernel.url, 'POST', '/push/registrations', { contextId: erin.contextId, userId: 999_999, client: 'c' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body['code'], 'USR-0001');
    const anonymous = await fetch(`${keel.kernel.url}/admin/v1/push/registrations`);
    assert.equal(anonymous.status, 401);
  });

  it('the same registration five times at once: one row, one listener', async () => {
    const { users: [ida] } = await createUsers(keel, ['ida'], 'ida.example');
    events.length = 0;
    await Promise.all(Array.from({ length: 5 }, () => keel.push.registerPermanent({ contextId: ida!.contextId, userId: ida!.userId, client: 'USM-EAS' })));
    assert.equal((await keel.push.registrations()).filter((r) => r.userId === ida!.userId && r.contextId === ida!.contextId).length, 1);
    assert.equal(events.filter((e) => e.type === 'start').length, 1);
    await keel.push.unregisterPermanent({ contextId: ida!.contextId, userId: ida!.userId, client: 'USM-EAS' });
  });

  it('a deleted user loses registrations and listeners', async () => {
    events.length = 0;
    await keel.push.registerPermanent({ contextId: frank.contextId, userId: frank.userId, client: 'USM-EAS' });
    await keel.users.delete(frank.contextId, frank.userId);
    assert.deepEqual(events.filter((e) => e.userId === frank.userId).map((e) => [e.type, e.reason]), [['start', undefined], ['stop', 'finished']]);
    assert.deepEqual(await keel.push.registrations(), []);
  });
});
