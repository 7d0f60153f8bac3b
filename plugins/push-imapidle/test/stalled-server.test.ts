import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { PushListener } from '@keel/plugin-sdk';
import { eventually, startImapIdleKernel, type ImapIdleKernel } from './support.js';

/**
 * An "IMAP server" that accepts connections and never says a word: every attempt times out, the
 * socket is given up, and the listener retries with growing delays instead of piling up sockets.
 */
describe('push-imapidle against a server that stalls', () => {
  let server: Server;
  let port: number;
  const open = new Set<Socket>();
  let accepted = 0;
  let keel: ImapIdleKernel;
  let listener: PushListener;

  before(async () => {
    server = createServer((socket) => {
      accepted++;
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    keel = await startImapIdleKernel({ host: '127.0.0.1', imapPort: port }, ['alice'], { 'com.openexchange.push.imapidle.timeoutMillis': '300' });
  });

  after(async () => {
    await listener?.stop();
    await keel?.kernel.stop();
    for (const socket of open) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('times out, closes the socket and backs off', async () => {
    listener = (await keel.manager.startListener({ contextId: keel.context.id, userId: keel.ids['alice']!, permanent: false, client: 'test', password: 'x' }))!;
    const status = await eventually(() => {
      const s = keel.listener('alice');
      return s && s.failures >= 3 ? s : undefined;
    }, 'three timed-out attempts');
    assert.match(status.lastError?.message ?? '', /time/i);
    assert.equal(status.connects, 0);
    assert.ok(accepted <= status.attempts, `no more connections (${accepted}) than attempts (${status.attempts})`);
    await eventually(() => (open.size <= 1 ? true : undefined), 'timed-out sockets closed');
    status.retryDelaysMs.forEach((delay, i) => {
      const step = Math.min(800, 100 * 2 ** i);
      assert.ok(delay >= step / 2 && delay <= step, `retry ${i + 1} waited ${delay} ms`);
    });
    await listener.stop();
    assert.equal(keel.listener('alice'), undefined);
    await eventually(() => (open.size === 0 ? true : undefined), 'no socket left after stop');
  });
});
