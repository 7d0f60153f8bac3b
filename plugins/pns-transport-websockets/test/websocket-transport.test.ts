import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pushTransportRef, webSocketServiceRef, type PushMatch, type PushNotification, type PushTransport } from '@keel/plugin-sdk';
import transportBundle from '../src/index.js';
import { connectV2, connectV4, eventually, loadBundle, login, startDirectoryKernel, type Directory, type Login, type TestSocket } from './support.js';

const MAIL = { folder: 'default0/INBOX', id: '113', email: 'jane.doe@foobar.com', displayname: 'Jane Doe', subject: "Let's meet", unread: 83, teaser: 'Hello' };
const CALENDAR = { folders: ['cal://0/216759', 'cal://0/30'] };
const CLIENT = 'open-xchange-appsuite';

const matchFor = (user: Login, topic: string, token = 'implicit'): PushMatch =>
  ({ contextId: user.contextId, userId: user.userId, token, client: CLIENT, transport: 'websocket', topic });
const notification = (user: Login, topic: string, messageData: Record<string, unknown>): PushNotification =>
  ({ contextId: user.contextId, userId: user.userId, topic, messageData });

describe('pns-transport-websockets', () => {
  let directory: Directory;
  let transport: PushTransport;
  let alice: Login;
  let bob: Login;
  const open: TestSocket[] = [];
  const track = (socket: TestSocket) => (open.push(socket), socket);

  before(async () => {
    directory = await startDirectoryKernel({ websockets: await loadBundle('websockets'), 'pns-transport-websockets': transportBundle }, ['alice', 'bob']);
    transport = directory.kernel.getAll(pushTransportRef).find((candidate) => candidate.id === 'websocket')!;
    alice = await login(directory.kernel.url, 'alice@example.com', 'alice-secret');
    bob = await login(directory.kernel.url, 'bob@example.com', 'bob-secret');
  });

  after(async () => {
    for (const socket of open) socket.close();
    await directory?.kernel.stop();
  });

  it('registers the transport `websocket`', () => {
    assert.ok(transport);
    assert.equal(transport.id, 'websocket');
  });

  it('is implicitly interested in ox:mail:* and ox:calendar:* for the App Suite client only', () => {
    assert.deepEqual(transport.implicitInterest?.('ox:mail:new'), { client: CLIENT });
    assert.deepEqual(transport.implicitInterest?.('ox:calendar:updates'), { client: CLIENT });
    assert.deepEqual(transport.implicitInterest?.('ox:mail:deep:er'), { client: CLIENT });
    for (const topic of ['ox:mail', 'ox:mailbox:new', 'ox:drive:new', 'ox:calendar', 'x:ox:mail:new', '*']) {
      assert.equal(transport.implicitInterest?.(topic), undefined, topic);
    }
  });

  it('delivers [topic, messageData] once per user to v2 and v4 sockets', async () => {
    const url = directory.kernel.url;
    const v2 = track(await connectV2(url, alice));
    const v4 = track(await connectV4(url, alice));
    const bobs = track(await connectV4(url, bob));

    // Two matches for alice (a stored and the implicit one) still make one event per socket.
    assert.deepEqual(await transport.deliver(notification(alice, 'ox:mail:new', MAIL), [matchFor(alice, 'ox:mail:new'), matchFor(alice, 'ox:mail:new', 'stored')]), { failed: 0 });
    assert.deepEqual(await transport.deliver(notification(alice, 'ox:calendar:updates', CALENDAR), [matchFor(alice, 'ox:calendar:updates'), matchFor(bob, 'ox:calendar:updates')]), { failed: 0 });
    for (const socket of [v2, v4]) {
      assert.deepEqual(await socket.next('ox:mail:new'), [MAIL], `v${socket.version}`);
      assert.deepEqual(await socket.next('ox:calendar:updates'), [CALENDAR], `v${socket.version}`);
    }
    assert.deepEqual(await bobs.next('ox:calendar:updates'), [CALENDAR]);
    // A marker sent last arrives after everything before it: nothing was doubled.
    await transport.deliver(notification(alice, 'ox:mail:new', { id: 'marker' }), [matchFor(alice, 'ox:mail:new')]);
    for (const socket of [v2, v4]) {
      assert.deepEqual(await socket.next('ox:mail:new'), [{ id: 'marker' }]);
      assert.deepEqual(socket.events.map((entry) => entry.event), ['ox:mail:new', 'ox:calendar:updates', 'ox:mail:new']);
    }
    assert.deepEqual(bobs.events.map((entry) => entry.event), ['ox:calendar:updates']);

    // Data Socket.IO cannot encode (a BigInt) makes the emit throw: the transport logs it and reports
    // every match of each user as failed (alice's two and bob's one), not one per user.
    const unsendable = notification(alice, 'ox:mail:new', { id: 113n });
    assert.deepEqual(await transport.deliver(unsendable, [matchFor(alice, 'ox:mail:new'), matchFor(alice, 'ox:mail:new', 'stored'), matchFor(bob, 'ox:mail:new')]), { failed: 3 });
    await transport.deliver(notification(alice, 'ox:mail:new', { id: 'after' }), [matchFor(alice, 'ox:mail:new')]);
    for (const socket of [v2, v4]) assert.deepEqual(await socket.next('ox:mail:new'), [{ id: 'after' }], 'nothing of the failed emit arrived');
    for (const socket of [v2, v4, bobs]) socket.close();
  });

  it('is switched per user, client and topic through the cascade with suffix fallback', async () => {
    const enabled = (user: Login, topic: string) => transport.isEnabled(matchFor(user, topic));
    const { users, contexts } = directory;
    assert.equal(await enabled(alice, 'ox:mail:new'), true, 'on by default');

    await users.setConfig(alice.contextId, alice.userId, { set: { 'com.openexchange.pns.transport.websocket.enabled': 'false' } });
    assert.equal(await enabled(alice, 'ox:mail:new'), false);
    assert.equal(await enabled(bob, 'ox:mail:new'), true, 'only alice is switched off');

    await users.setConfig(alice.contextId, alice.userId, { set: { [`com.openexchange.pns.transport.websocket.enabled.${CLIENT}.ox:mail:new`]: 'true' } });
    assert.equal(await enabled(alice, 'ox:mail:new'), true, 'client+topic beats the base switch');
    assert.equal(await enabled(alice, 'ox:calendar:updates'), false);

    await users.setConfig(alice.contextId, alice.userId, {
      set: { [`com.openexchange.pns.transport.websocket.enabled.${CLIENT}`]: 'true' },
      remove: ['com.openexchange.pns.transport.websocket.enabled'],
    });
    await contexts.setConfig(alice.contextId, { set: { [`com.openexchange.pns.transport.websocket.enabled.${CLIENT}.ox:calendar:updates`]: 'false' } });
    assert.equal(await enabled(alice, 'ox:calendar:updates'), false, 'the context scope switches a topic off for everyone');
    assert.equal(await enabled(bob, 'ox:calendar:updates'), false);
    assert.equal(await enabled(bob, 'ox:mail:new'), true);

    await contexts.setConfig(alice.contextId, { remove: [`com.openexchange.pns.transport.websocket.enabled.${CLIENT}.ox:calendar:updates`] });
    await users.setConfig(alice.contextId, alice.userId, {
      remove: [`com.openexchange.pns.transport.websocket.enabled.${CLIENT}`, `com.openexchange.pns.transport.websocket.enabled.${CLIENT}.ox:mail:new`],
    });
    assert.equal(await enabled(alice, 'ox:calendar:updates'), true, 'back on');
    assert.equal(await enabled(alice, 'ox:mail:new'), true);
  });

  it('stops with the websockets bundle and comes back with it', async () => {
    await directory.kernel.kernel.stopBundle('websockets');
    assert.equal(directory.kernel.bundle('pns-transport-websockets')?.state, 'RESOLVED');
    assert.equal(directory.kernel.getAll(pushTransportRef).find((candidate) => candidate.id === 'websocket'), undefined);
    await directory.kernel.kernel.startBundle('pns-transport-websockets');
    transport = await eventually(() => directory.kernel.getAll(pushTransportRef).find((candidate) => candidate.id === 'websocket'), 'the transport to return');
    assert.ok(directory.kernel.get(webSocketServiceRef));
    const v4 = track(await connectV4(directory.kernel.url, alice));
    await transport.deliver(notification(alice, 'ox:mail:new', MAIL), [matchFor(alice, 'ox:mail:new')]);
    assert.deepEqual(await v4.next('ox:mail:new'), [MAIL]);
    v4.close();
  });
});
