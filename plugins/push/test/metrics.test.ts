import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readMetrics } from '@keel/plugin-sdk/testing';
import { createUsers, eventually, probeManager, startPushKernel } from './support.js';

const GLOBAL = { 'com.openexchange.mail.passwordSource': 'global', 'com.openexchange.mail.masterPassword': 'imap-master' };

describe('push: metrics source', () => {
  it('counts running listeners per manager and kind', async () => {
    const keel = await startPushKernel({
      probe: probeManager([]),
      'session-only': probeManager([], { name: 'session-only', permanent: false }),
    }, GLOBAL);
    try {
      const listeners = async () => {
        const metrics = await readMetrics(keel.kernel, 'push');
        const value = (manager: string, kind: string) => metrics.value('keel_push_listeners', { manager, kind });
        return { probe: [value('probe', 'permanent'), value('probe', 'session')], sessionOnly: [value('session-only', 'permanent'), value('session-only', 'session')] };
      };
      assert.deepEqual(await listeners(), { probe: [0, 0], sessionOnly: [0, 0] }, 'every registered manager has its series at 0');

      const { users: [alice, bob] } = await createUsers(keel, ['alice', 'bob']);
      // alice: a permanent registration (only the probe supports permanent listeners)
      await keel.push.registerPermanent({ contextId: alice!.contextId, userId: alice!.userId, client: 'open-xchange-mobile-api-facade' });
      // bob: a push session, so a session-bound listener on each manager
      const session = await keel.sessions.create({ contextId: bob!.contextId, userId: bob!.userId, loginName: 'bob', client: 'USM-EAS-Android', ip: '127.0.0.1', password: 'bob-secret' });
      await eventually(() => keel.push.runningListeners().length === 3, 'three listeners to run');
      assert.deepEqual(await listeners(), { probe: [1, 1], sessionOnly: [0, 1] });

      await keel.sessions.remove(session.sessionId, 'logout');
      await eventually(() => keel.push.runningListeners().length === 1, 'the session-bound listeners to stop');
      assert.deepEqual(await listeners(), { probe: [1, 0], sessionOnly: [0, 0] });
    } finally {
      await keel.stop();
    }
  });
});
