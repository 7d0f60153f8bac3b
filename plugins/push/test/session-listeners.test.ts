import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createUsers, eventually, probeManager, startPushKernel, type ProbeEvent, type PushKernel } from './support.js';

describe('push: session-bound listeners', () => {
  const events: ProbeEvent[] = [];
  let keel: PushKernel;
  let alice: { contextId: number; userId: number; login: string };
  let bob: { contextId: number; userId: number; login: string };
  const session = (user: typeof alice, client: string) =>
    keel.sessions.create({ contextId: user.contextId, userId: user.userId, loginName: user.login, client, ip: '127.0.0.1', password: `${user.login}-secret` });

  before(async () => {
    keel = await startPushKernel({ probe: probeManager(events) });
    const { users } = await createUsers(keel, ['alice', 'bob']);
    [alice, bob] = [users[0]!, users[1]!];
  });

  after(async () => {
    await keel?.stop();
  });

  it('a session of an allowed client (default USM-EAS*) starts a listener with the session and its retained password', async () => {
    const s = await session(alice, 'USM-EAS-Android');
    const start = await eventually(() => events.find((e) => e.type === 'start' && e.userId === alice.userId), 'listener start');
    assert.deepEqual(start, {
      type: 'start', manager: 'probe', contextId: alice.contextId, userId: alice.userId, permanent: false, client: 'USM-EAS-Android', sessionId: s.sessionId, password: 'alice-secret',
    });
    assert.deepEqual(keel.push.runningListeners(), [{ contextId: alice.contextId, userId: alice.userId, manager: 'probe', permanent: false, client: 'USM-EAS-Android' }]);
  });

  it('a second push session does not start a second listener; the listener stops with the last one, reason finished', async () => {
    const second = await session(alice, 'open-xchange-mobile-api-facade-brand1');
    const first = (await keel.sessions.listByUser(alice.contextId, alice.userId)).find((s) => s.sessionId !== second.sessionId)!;
    await keel.sessions.remove(first.sessionId, 'logout');
    // Give the background work a chance; nothing may have stopped.
    await eventually(async () => (await keel.sessions.listByUser(alice.contextId, alice.userId)).length === 1, 'first session gone');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(events.filter((e) => e.userId === alice.userId && e.type === 'start').length, 1);
    assert.equal(events.filter((e) => e.userId === alice.userId && e.type === 'stop').length, 0);
    await keel.sessions.remove(second.sessionId, 'logout');
    const stop = await eventually(() => events.find((e) => e.type === 'stop' && e.userId === alice.userId), 'listener stop');
    assert.equal(stop.reason, 'finished');
    assert.deepEqual(keel.push.runningListeners(), []);
  });

  it('sessions of other clients start nothing', async () => {
    const before = events.length;
    const s = await session(bob, 'open-xchange-appsuite');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(events.length, before);
    await keel.sessions.remove(s.sessionId, 'logout');
  });
});

describe('push: allowedClients configured', () => {
  it('an empty list allows every client; a configured list replaces the defaults', async () => {
    for (const [value, client, expected] of [['', 'open-xchange-appsuite', true], ['"open-xchange-appsuite", "my-app?"', 'my-app-2', true], ['open-xchange-appsuite', 'USM-EAS', false]] as const) {
      const events: ProbeEvent[] = [];
      const keel = await startPushKernel({ probe: probeManager(events) }, { 'com.openexchange.push.allowedClients': value });
      try {
        const { users: [user] } = await createUsers(keel, ['carol']);
        await keel.sessions.create({ contextId: user!.contextId, userId: user!.userId, loginName: 'carol', client, ip: '127.0.0.1' });
        if (expected) await eventually(() => events.some((e) => e.type === 'start'), `start for ${client} with allowedClients=${value}`);
        else {
          await new Promise((resolve) => setTimeout(resolve, 100));
          assert.deepEqual(events, [], `${client} with allowedClients=${value}`);
        }
      } finally {
        await keel.stop();
      }
    }
  });
});
