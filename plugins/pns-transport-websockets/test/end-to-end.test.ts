import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pushNotificationServiceRef, type PushNotificationService } from '@keel/plugin-sdk';
import transportBundle from '../src/index.js';
import { connectV2, connectV4, loadBundle, login, startDirectoryKernel, type Directory, type Login, type TestSocket } from './support.js';

const MAIL = { folder: 'default0/INBOX', id: '113', email: 'jane.doe@foobar.com', displayname: 'Jane Doe', subject: "Let's meet", unread: 83, teaser: 'Hello' };
const CALENDAR = { folders: ['cal://0/216759', 'cal://0/30'] };
const MASTER = { login: 'oxadminmaster', password: 'master-secret' };
const CALENDAR_SWITCH = 'com.openexchange.pns.transport.websocket.enabled.open-xchange-appsuite.ox:calendar:updates';

/**
 * The whole path with the real pns-impl: a login over HTTP, App Suite sockets of both generations,
 * notifications through `POST /admin/v1/pns/send` (deliverNow) and `handle()` (buffered).
 */
describe('pns end to end over web sockets', () => {
  let directory: Directory;
  let pns: PushNotificationService;
  let alice: Login;
  let bob: Login;
  const open: TestSocket[] = [];
  const track = (socket: TestSocket) => (open.push(socket), socket);

  const adminSend = async (user: Login, topic: string, data: Record<string, unknown>) => {
    const response = await fetch(`${directory.kernel.url}/admin/v1/pns/send`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${MASTER.login}:${MASTER.password}`).toString('base64')}`,
      },
      body: JSON.stringify({ contextId: user.contextId, userId: user.userId, topic, data }),
    });
    const body = (await response.json()) as { matches?: number };
    assert.equal(response.status, 200, JSON.stringify(body));
    return body.matches;
  };

  before(async () => {
    directory = await startDirectoryKernel(
      {
        admin: await loadBundle('admin'),
        'pns-impl': await loadBundle('pns-impl'),
        websockets: await loadBundle('websockets'),
        'pns-transport-websockets': transportBundle,
      },
      ['alice', 'bob'],
      {
        properties: { 'com.openexchange.pns.delayDuration': '0', 'com.openexchange.pns.timerFrequency': '10' },
        files: { mpasswd: `${MASTER.login}:{PLAIN}${MASTER.password}\n` },
      },
    );
    pns = directory.kernel.get(pushNotificationServiceRef)!;
    alice = await login(directory.kernel.url, 'alice@example.com', 'alice-secret');
    bob = await login(directory.kernel.url, 'bob@example.com', 'bob-secret');
  });

  after(async () => {
    for (const socket of open) socket.close();
    await directory?.kernel.stop();
  });

  it('an admin pns send reaches the v2 and v4 sockets of the user as ox:mail:new and ox:calendar:updates', async () => {
    const v2 = track(await connectV2(directory.kernel.url, alice));
    const v4 = track(await connectV4(directory.kernel.url, alice));
    const bobs = track(await connectV4(directory.kernel.url, bob));
    assert.equal(await adminSend(alice, 'ox:mail:new', MAIL), 1);
    assert.equal(await adminSend(alice, 'ox:calendar:updates', CALENDAR), 1);
    for (const socket of [v2, v4]) {
      assert.deepEqual(await socket.next('ox:mail:new'), [MAIL], `v${socket.version}`);
      assert.deepEqual(await socket.next('ox:calendar:updates'), [CALENDAR], `v${socket.version}`);
    }
    assert.equal(await adminSend(bob, 'ox:mail:new', { id: 'for-bob' }), 1);
    assert.deepEqual(await bobs.next('ox:mail:new'), [{ id: 'for-bob' }]);
    assert.equal(v2.events.length + v4.events.length, 4, 'alice got nothing of bob');
    for (const socket of [v2, v4, bobs]) socket.close();
  });

  it('handle() buffers and then delivers to the sockets', async () => {
    const v2 = track(await connectV2(directory.kernel.url, alice));
    const v4 = track(await connectV4(directory.kernel.url, alice));
    await pns.handle({ contextId: alice.contextId, userId: alice.userId, topic: 'ox:mail:new', messageData: MAIL });
    await pns.handle({ contextId: alice.contextId, userId: alice.userId, topic: 'ox:calendar:updates', messageData: CALENDAR });
    for (const socket of [v2, v4]) {
      assert.deepEqual(await socket.next('ox:mail:new'), [MAIL], `v${socket.version}`);
      assert.deepEqual(await socket.next('ox:calendar:updates'), [CALENDAR], `v${socket.version}`);
    }
    v2.close();
    v4.close();
  });

  it('cascade switches per user and per client/topic turn delivery off and on', async () => {
    const { users } = directory;
    const alices = track(await connectV2(directory.kernel.url, alice));
    const bobs = track(await connectV4(directory.kernel.url, bob));

    // Per client and topic: calendar off for alice, mail still on.
    await users.setConfig(alice.contextId, alice.userId, { set: { [CALENDAR_SWITCH]: 'false' } });
    assert.equal(await adminSend(alice, 'ox:calendar:updates', { folders: ['off'] }), 0);
    assert.equal(await adminSend(alice, 'ox:mail:new', { id: 'after-calendar-off' }), 1);
    assert.deepEqual(await alices.next('ox:mail:new'), [{ id: 'after-calendar-off' }]);
    assert.deepEqual(alices.events.map((entry) => entry.event), ['ox:mail:new'], 'the calendar event never came');

    // Per user: everything off for alice, bob unaffected.
    await users.setConfig(alice.contextId, alice.userId, { set: { 'com.openexchange.pns.transport.websocket.enabled': 'false' }, remove: [CALENDAR_SWITCH] });
    assert.equal(await adminSend(alice, 'ox:mail:new', { id: 'off' }), 0);
    assert.equal(await adminSend(bob, 'ox:mail:new', { id: 'bob-while-alice-off' }), 1);
    assert.deepEqual(await bobs.next('ox:mail:new'), [{ id: 'bob-while-alice-off' }]);

    // And on again.
    await users.setConfig(alice.contextId, alice.userId, { remove: ['com.openexchange.pns.transport.websocket.enabled'] });
    assert.equal(await adminSend(alice, 'ox:calendar:updates', CALENDAR), 1);
    assert.deepEqual(await alices.next('ox:calendar:updates'), [CALENDAR]);
    assert.deepEqual(alices.events.map((entry) => entry.event), ['ox:mail:new', 'ox:calendar:updates']);
    alices.close();
    bobs.close();
  });
});
