// Test kit of push-mailnotify: the real kernel with the real storage (SQLite) and the real pns-impl
// with a recording PushTransport; a notifyd packet builder and a UDP sender.
import { createSocket, type Socket } from 'node:dgram';
import { contextServiceRef, pushManagerRef, userServiceRef, type Context, type PushListener, type UserService } from '@keel/plugin-sdk';
import { loadBundle, recordingTransport, startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import mailNotifyBundle, { type MailNotifyPushManager } from '../src/index.js';

export const MASTER = { login: 'oxadminmaster', password: 'master-secret' } as const;

/** Sibling bundles are loaded by name from plugins/<name>, as the kernel would find them. */
export { loadBundle };

/** Polls until `probe` gives a value (bounded; only the outcome is asserted, never the time). */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, limitMs = 15_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A datagram as Cyrus notifyd's notify() builds it: every field followed by NUL. */
export function notifydPacket(fields: { method?: string; class?: string; priority?: string; user: string; mailbox?: string; options?: string[]; message?: string }): Buffer {
  const options = fields.options ?? [];
  const parts = [
    fields.method ?? 'log', fields.class ?? 'MAIL', fields.priority ?? '', fields.user, fields.mailbox ?? 'INBOX',
    String(options.length), ...options, fields.message ?? 'From: root@example.org (root)\nSubject: test',
  ];
  return Buffer.from(parts.map((part) => `${part}\0`).join(''), 'utf8');
}

export interface Sender {
  send(data: Buffer): Promise<void>;
  close(): void;
}

export async function udpSender(target: { address: string; port: number }, multicastInterface?: string): Promise<Sender> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  if (multicastInterface !== undefined) {
    socket.setMulticastInterface(multicastInterface);
    socket.setMulticastLoopback(true);
  }
  return {
    send: (data) => new Promise<void>((resolve, reject) => socket.send(data, target.port, target.address, (error) => (error ? reject(error) : resolve()))),
    close: () => socket.close(),
  };
}

export interface Received {
  contextId: number;
  userId: number;
  topic: string;
  messageData: Record<string, unknown>;
}

export interface TestUser { login: string; email: string; aliases?: string[] }

export interface MailNotifyKernel {
  kernel: TestKernel;
  manager: MailNotifyPushManager;
  users: UserService;
  context: Context;
  ids: Record<string, number>;
  received: Received[];
  forUser(login: string): Received[];
  listen(login: string): Promise<PushListener>;
}

/** The kernel with push-mailnotify listening on 127.0.0.1 (port 0) unless `properties` say otherwise. */
export async function startMailNotifyKernel(users: readonly TestUser[], properties: Record<string, string> = {}, options: { expectActive?: boolean } = {}): Promise<MailNotifyKernel> {
  const received: Received[] = [];
  const record = ({ contextId, userId, topic, messageData }: Received) => void received.push({ contextId, userId, topic, messageData });
  const kernel = await startTestKernel({
    bundles: {
      'storage-sql': await loadBundle('storage-sql'),
      auth: await loadBundle('auth'),
      'auth-database': await loadBundle('auth-database'),
      sessiond: await loadBundle('sessiond'),
      admin: await loadBundle('admin'),
      'pns-impl': await loadBundle('pns-impl'),
      'test-recorder': recordingTransport(record),
      'push-mailnotify': mailNotifyBundle,
    },
    properties: {
      'com.openexchange.push.mail.notify.udp_listen_host': '127.0.0.1',
      'com.openexchange.push.mail.notify.udp_listen_port': '0',
      'com.openexchange.pns.delayDuration': '0',
      'com.openexchange.pns.timerFrequency': '10',
      ...properties,
    },
    files: { mpasswd: `${MASTER.login}:{PLAIN}${MASTER.password}\n` },
    startTimeoutMs: 20_000,
  });
  try {
    const info = kernel.bundle('push-mailnotify');
    if (info?.state !== 'ACTIVE' && options.expectActive !== false) throw new Error(`push-mailnotify did not start: ${JSON.stringify(info?.error)}`);
    const userService = kernel.get(userServiceRef)!;
    const context = await kernel.get(contextServiceRef)!.create({ name: 'example', loginMappings: ['example.com'] });
    const ids: Record<string, number> = {};
    for (const user of users) {
      ids[user.login] = (await userService.create(context.id, {
        login: user.login, password: `${user.login}-secret`, displayName: user.login, email: user.email, aliases: user.aliases ?? [],
      })).id;
    }
    const manager = kernel.getAll(pushManagerRef).find((m) => m.name === 'mailnotify') as MailNotifyPushManager;
    return {
      kernel, manager, users: userService, context, ids, received,
      forUser: (login) => received.filter((r) => r.contextId === context.id && r.userId === ids[login]),
      async listen(login) {
        const listener = await manager.startListener({ contextId: context.id, userId: ids[login]!, permanent: true, client: 'open-xchange-mobile-api-facade' });
        if (listener === undefined) throw new Error(`no listener for ${login}`);
        return listener;
      },
    };
  } catch (error) {
    await kernel.stop();
    throw error;
  }
}
