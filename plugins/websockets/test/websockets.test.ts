import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { webSocketServiceRef, type WebSocketService } from '@keel/plugin-sdk';
import { readMetrics } from '@keel/plugin-sdk/testing';
import WebSocket from 'ws';
import websockets from '../src/index.js';
import { connectV2, connectV4, refusedCode, type TestSocket } from './clients.js';
import { eventually, login, logout, startDirectoryKernel, type Directory, type Login } from './support.js';

const MAIL = { folder: 'default0/INBOX', id: '113', email: 'jane.doe@foobar.com', displayname: 'Jane Doe', subject: "Let's meet", unread: 83, teaser: 'Hello' };
const CALENDAR = { folders: ['cal://0/216759', 'cal://0/30'] };

describe('websockets: the App Suite Socket.IO endpoint', () => {
  let directory: Directory;
  let url: string;
  let service: WebSocketService;
  let alice: Login;
  let bob: Login;
  const open: TestSocket[] = [];
  const track = (socket: TestSocket) => (open.push(socket), socket);

  before(async () => {
    directory = await startDirectoryKernel({ websockets }, ['alice', 'bob', 'carol', 'dave', 'erin']);
    url = directory.kernel.url;
    service = directory.kernel.get(webSocketServiceRef)!;
    alice = await login(url, 'alice@example.com', 'alice-secret');
    bob = await login(url, 'bob@example.com', 'bob-secret');
  });

  after(async () => {
    for (const socket of open) socket.close();
    await directory?.kernel.stop();
  });

  it('v2 (Engine.IO 3) and v4 clients receive events emitted to their user, and only theirs', async () => {
    const v2 = track(await connectV2(url, alice));
    const v4 = track(await connectV4(url, alice));
    const other = track(await connectV4(url, bob));
    assert.equal(service.localSocketCount(alice.contextId, alice.userId), 2);
    assert.equal(service.localSocketCount(bob.contextId, bob.userId), 1);

    await service.emitToUser(alice.contextId, alice.userId, 'ox:mail:new', MAIL);
    await service.emitToUser(alice.contextId, alice.userId, 'ox:calendar:updates', CALENDAR);
    for (const socket of [v2, v4]) {
      assert.deepEqual(await socket.next('ox:mail:new'), [MAIL], `v${socket.version}`);
      assert.deepEqual(await socket.next('ox:calendar:updates'), [CALENDAR], `v${socket.version}`);
    }
    await service.emitToUser(bob.contextId, bob.userId, 'ox:mail:new', { id: 'for-bob' });
    assert.deepEqual(await other.next('ox:mail:new'), [{ id: 'for-bob' }]);
    assert.equal(other.events.length, 1, 'bob saw only his own event');
    assert.equal(v2.events.length + v4.events.length, 4, 'alice saw nothing of bob');
    for (const socket of [v2, v4, other]) socket.close();
    await eventually(() => (service.localSocketCount(alice.contextId, alice.userId) === 0 ? true : undefined), 'sockets to close');
  });

  it('reports connected sockets by protocol in its metrics source', async () => {
    const connections = async () => {
      const metrics = await readMetrics(directory.kernel, 'websockets');
      return { eio3: metrics.value('keel_socketio_connections', { protocol: 'eio3' }), eio4: metrics.value('keel_socketio_connections', { protocol: 'eio4' }) };
    };
    const v2 = track(await connectV2(url, alice));
    const v4 = track(await connectV4(url, alice));
    const other = track(await connectV4(url, bob, { transports: ['polling'] }));
    assert.deepEqual(await connections(), { eio3: 1, eio4: 2 });
    v4.close();
    await eventually(async () => ((await connections()).eio4 === 1 ? true : undefined), 'the v4 socket to go');
    for (const socket of [v2, other]) socket.close();
    await eventually(async () => ((await connections()).eio3 === 0 && (await connections()).eio4 === 0 ? true : undefined), 'every socket to go');
  });

  it('speaks the wire format of the spec: EIO=3 URL, open packet, 40, then 42["ox:mail:new",{…}]', async () => {
    const connection = '160491815377';
    const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/appsuite/?session=${alice.session}&connection=${connection}&EIO=3&transport=websocket`, {
      headers: { cookie: alice.cookie },
    });
    const frames: string[] = [];
    const waiting: Array<() => void> = [];
    ws.on('message', (data) => {
      frames.push(data.toString());
      waiting.splice(0).forEach((wake) => wake());
    });
    const frame = async (index: number) => {
      while (frames.length <= index) await new Promise<void>((resolve) => waiting.push(resolve));
      return frames[index]!;
    };
    try {
      const openPacket = await frame(0);
      assert.match(openPacket, /^0\{/);
      const handshake = JSON.parse(openPacket.slice(1)) as Record<string, unknown>;
      assert.equal(typeof handshake['sid'], 'string');
      assert.deepEqual(handshake['upgrades'], []);
      assert.equal(typeof handshake['pingInterval'], 'number');
      assert.equal(typeof handshake['pingTimeout'], 'number');
      assert.equal(await frame(1), '40');
      await eventually(() => (service.localSocketCount(alice.contextId, alice.userId) === 1 ? true : undefined), 'the raw socket to join');
      await service.emitToUser(alice.contextId, alice.userId, 'ox:mail:new', MAIL);
      assert.equal(await frame(2), `42${JSON.stringify(['ox:mail:new', MAIL])}`);
      // The same connection id again is refused while this one is open.
      assert.equal(await refusedCode(connectV2(url, { ...alice, connection })), 'WS-0003');
    } finally {
      ws.close();
    }
    await eventually(() => (service.localSocketCount(alice.contextId, alice.userId) === 0 ? true : undefined), 'the raw socket to close');
  });

  it('refuses handshakes without a session, with an unknown session or with a wrong cookie, for both generations', async () => {
    for (const connect of [connectV2, connectV4]) {
      assert.equal(await refusedCode(connect(url, { cookie: alice.cookie })), 'SES-0203');
      assert.equal(await refusedCode(connect(url, { session: '0123456789abcdef0123456789abcdef', cookie: alice.cookie })), 'SES-0203');
      assert.equal(await refusedCode(connect(url, { session: alice.session })), 'SES-0205');
      assert.equal(await refusedCode(connect(url, { session: alice.session, cookie: alice.cookie.replace(/=.*/, '=00000000000000000000000000000000') })), 'SES-0205');
      assert.equal(await refusedCode(connect(url, { session: alice.session, cookie: bob.cookie })), 'SES-0205');
      assert.equal(await refusedCode(connect(url, { ...alice, connection: 'no spaces allowed' })), 'WS-0005');
    }
    // A refused handshake leaves nothing behind, and everyone else carries on.
    assert.equal(service.totalLocalSockets(), 0);
    const fine = track(await connectV2(url, alice));
    await service.emitToUser(alice.contextId, alice.userId, 'ox:mail:new', MAIL);
    assert.deepEqual(await fine.next('ox:mail:new'), [MAIL]);
    fine.close();
  });

  it('allows 8 sockets per user; the 9th is refused, a freed place can be taken again', async () => {
    const carol = await login(url, 'carol@example.com', 'carol-secret');
    const sockets: TestSocket[] = [];
    for (let i = 0; i < 8; i++) sockets.push(track(await (i % 2 === 0 ? connectV2 : connectV4)(url, carol)));
    assert.equal(service.localSocketCount(carol.contextId, carol.userId), 8);
    assert.equal(await refusedCode(connectV2(url, carol)), 'WS-0004');
    assert.equal(await refusedCode(connectV4(url, carol)), 'WS-0004');
    // A flood of refused handshakes for carol does not bother dave.
    const flood = await Promise.all(Array.from({ length: 20 }, () => refusedCode(connectV4(url, carol))));
    assert.deepEqual(new Set(flood), new Set(['WS-0004']));
    const dave = await login(url, 'dave@example.com', 'dave-secret');
    const daves = track(await connectV4(url, dave));
    await service.emitToUser(dave.contextId, dave.userId, 'ox:mail:new', MAIL);
    assert.deepEqual(await daves.next('ox:mail:new'), [MAIL]);

    sockets[0]!.close();
    await eventually(() => (service.localSocketCount(carol.contextId, carol.userId) === 7 ? true : undefined), 'a place to be freed');
    const ninth = track(await eventually(() => connectV4(url, carol).catch(() => undefined), 'a ninth socket after one closed'));
    assert.ok(ninth.connected);
    for (const socket of [...sockets, ninth, daves]) socket.close();
  });

  it('refuses a second socket with the same connection id for the same user, not for another user', async () => {
    const first = track(await connectV4(url, { ...alice, connection: 'tab-1' }));
    assert.equal(await refusedCode(connectV4(url, { ...alice, connection: 'tab-1' })), 'WS-0003');
    assert.equal(await refusedCode(connectV2(url, { ...alice, connection: 'tab-1' })), 'WS-0003');
    const bobs = track(await connectV4(url, { ...bob, connection: 'tab-1' }));
    first.close();
    await eventually(() => (service.localSocketCount(alice.contextId, alice.userId) === 0 ? true : undefined), 'tab-1 to close');
    const again = track(await connectV4(url, { ...alice, connection: 'tab-1' }));
    for (const socket of [again, bobs]) socket.close();
  });

  it('honours com.openexchange.websockets.enabled per user and a disabled context', async () => {
    const erin = await login(url, 'erin@example.com', 'erin-secret');
    await directory.users.setConfig(erin.contextId, erin.userId, { set: { 'com.openexchange.websockets.enabled': 'false' } });
    assert.equal(await refusedCode(connectV2(url, erin)), 'WS-0001');
    track(await connectV4(url, alice)).close();
    await directory.users.setConfig(erin.contextId, erin.userId, { remove: ['com.openexchange.websockets.enabled'] });
    track(await connectV2(url, erin)).close();

    await directory.contexts.update(erin.contextId, { enabled: false });
    try {
      assert.equal(await refusedCode(connectV4(url, erin)), 'WS-0002');
    } finally {
      await directory.contexts.update(erin.contextId, { enabled: true });
    }
    track(await connectV4(url, erin)).close();
  });

  it('sends session:invalid and disconnects the sockets of a session that ends, not those of other sessions', async () => {
    const doomed = await login(url, 'bob@example.com', 'bob-secret');
    const v2 = track(await connectV2(url, doomed));
    const v4 = track(await connectV4(url, doomed));
    const survivor = track(await connectV4(url, bob));
    await logout(url, doomed);
    for (const socket of [v2, v4]) {
      assert.deepEqual(await socket.next('session:invalid'), [], `v${socket.version}`);
      assert.equal(await socket.disconnected, 'io server disconnect', `v${socket.version}`);
    }
    assert.equal(await refusedCode(connectV4(url, doomed)), 'SES-0203');
    assert.equal(survivor.connected, true);
    await service.emitToUser(bob.contextId, bob.userId, 'ox:mail:new', MAIL);
    assert.deepEqual(await survivor.next('ox:mail:new'), [MAIL]);
    survivor.close();
  });

  it('accepts long-polling clients of both generations too', async () => {
    const v2 = track(await connectV2(url, alice, { transports: ['polling'] }));
    const v4 = track(await connectV4(url, alice, { transports: ['polling'] }));
    await service.emitToUser(alice.contextId, alice.userId, 'ox:mail:new', MAIL);
    assert.deepEqual(await v2.next('ox:mail:new'), [MAIL]);
    assert.deepEqual(await v4.next('ox:mail:new'), [MAIL]);
    assert.equal(await refusedCode(connectV4(url, { session: alice.session }, { transports: ['polling'] })), 'SES-0205');
    v2.close();
    v4.close();
  });

  it('stops without closing the HTTP server, and clients reconnect when it starts again', async () => {
    const v2 = track(await connectV2(url, alice, { reconnection: true }));
    const v4 = track(await connectV4(url, alice, { reconnection: true }));
    const v2Back = v2.reconnected();
    const v4Back = v4.reconnected();

    await directory.kernel.kernel.stopBundle('websockets');
    assert.equal(directory.kernel.get(webSocketServiceRef), undefined);
    const health = await fetch(`${url}/health`);
    assert.equal(health.status, 200);
    await health.arrayBuffer();
    await login(url, 'alice@example.com', 'alice-secret');
    // The endpoint is gone meanwhile: an upgrade is refused, the HTTP server keeps serving.
    await assert.rejects(connectV4(url, alice));

    await directory.kernel.kernel.startBundle('websockets');
    service = directory.kernel.get(webSocketServiceRef)!;
    await Promise.all([v2Back, v4Back]);
    await eventually(() => (service.localSocketCount(alice.contextId, alice.userId) === 2 ? true : undefined), 'both clients to rejoin');
    await service.emitToUser(alice.contextId, alice.userId, 'ox:mail:new', MAIL);
    assert.deepEqual(await v2.next('ox:mail:new'), [MAIL]);
    assert.deepEqual(await v4.next('ox:mail:new'), [MAIL]);
    v2.close();
    v4.close();
  });
});
