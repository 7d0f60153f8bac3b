import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import type { PushListener } from '@keel/plugin-sdk';
import type { MailNotifyStats } from '../src/index.js';
import { eventually, notifydPacket, startMailNotifyKernel, udpSender, type MailNotifyKernel, type Sender } from './support.js';

const INBOX = { folder: 'default0/INBOX' };

describe('push-mailnotify: local parts, login delimiter, coalescing, garbage', () => {
  let keel: MailNotifyKernel;
  let sender: Sender;
  const listeners: PushListener[] = [];

  const countOf = (login: string) => keel.forUser(login).length;
  const notified = (login: string, count: number) =>
    eventually(() => (countOf(login) >= count ? keel.forUser(login) : undefined), `${count} notification(s) for ${login}`);
  const processed = (before: MailNotifyStats, packets: number) =>
    eventually(() => {
      const now = keel.manager.stats();
      return now.received - before.received >= packets ? now : undefined;
    }, `${packets} packets processed`);
  /** A packet for bob, waited for: everything sent before it has been handled by then. */
  const sentinel = async () => {
    const bobs = countOf('bob');
    await sender.send(notifydPacket({ user: 'bob' }));
    await notified('bob', bobs + 1);
  };

  before(async () => {
    keel = await startMailNotifyKernel(
      [
        { login: 'alice', email: 'alice@example.com', aliases: ['ally@example.org'] },
        { login: 'bob', email: 'bob@example.com' },
        { login: 'carol', email: 'carol@example.com' },
        { login: 'erin', email: 'erin@example.com' },
      ],
      { 'com.openexchange.push.mail.notify.imap_login_delimiter': '@', 'com.openexchange.push.mail.notify.delay_millis': '1000' },
    );
    for (const login of ['alice', 'bob', 'carol']) listeners.push(await keel.listen(login));
    sender = await udpSender(keel.manager.address()!);
  });

  after(async () => {
    sender?.close();
    for (const listener of listeners) await listener.stop();
    await keel?.kernel.stop();
  });

  it('turns a packet built like Cyrus notifyd\'s into ox:mail:new for the listening user', async (t) => {
    await sender.send(notifydPacket({ method: 'log', class: 'MAIL', priority: '', user: 'alice', mailbox: 'INBOX', message: 'From: root@example.org (root)\nSubject: asdf' }));
    const [first] = await notified('alice', 1);
    assert.equal(first!.topic, 'ox:mail:new');
    assert.deepEqual(first!.messageData, INBOX);
  });

  it('cuts the user at imap_login_delimiter and matches aliases by local part', async () => {
    await sender.send(notifydPacket({ user: 'carol@imap.example.com', options: ['carol@example.com'] }));
    assert.deepEqual((await notified('carol', 1)).at(-1)!.messageData, INBOX);
    const alices = countOf('alice');
    await sender.send(notifydPacket({ user: 'ALLY@whatever.example' }));
    await notified('alice', alices + 1);
  });

  it('coalesces packets for one user within delay_millis into one notification', async () => {
    const carols = countOf('carol');
    const before = keel.manager.stats();
    for (let i = 0; i < 5; i++) await sender.send(notifydPacket({ user: 'carol', message: `Subject: mail ${i}` }));
    const after = await processed(before, 5);
    assert.equal(after.coalesced - before.coalesced, 4, 'four packets absorbed by the open window');
    await notified('carol', carols + 1);
    await sentinel();
    assert.equal(countOf('carol'), carols + 1, 'exactly one notification for the five packets');
  });

  it('ignores garbage without crashing and without notifying anyone', async () => {
    const alices = countOf('alice');
    const before = keel.manager.stats();
    const garbage = [
      Buffer.alloc(0),
      Buffer.from('log\0MAIL\0\0alice\0INBOX\0'), // too few fields
      Buffer.from('log\0MAIL\0\0alice\0INBOX\x002\0only-one-option\0message\0'), // nopt does not match
      Buffer.from('log\0MAIL\0\0alice\0INBOX\0many\0message\0'), // nopt not a number
      Buffer.from('log\0MAIL\0\0alice\0INBOX\x000\0message'), // not NUL-terminated
      Buffer.concat([Buffer.from('log\0MAIL\0\0alice'), Buffer.from([0xff, 0xfe]), Buffer.from('\0INBOX\x000\0m\0')]), // not UTF-8
      Buffer.concat([notifydPacket({ user: 'alice', message: 'x'.repeat(9000) })]), // oversize
      Buffer.from('log\0MAIL\0\0\0INBOX\x000\0m\0'), // empty user
    ];
    for (const packet of garbage) await sender.send(packet);
    const after = await processed(before, garbage.length);
    const rejected = Object.fromEntries(Object.entries(after.rejected).map(([reason, n]) => [reason, n! - (before.rejected[reason as keyof typeof before.rejected] ?? 0)]));
    assert.deepEqual(rejected, { empty: 1, 'field-count': 2, nopt: 1, unterminated: 1, 'not-utf8': 1, oversize: 1, user: 1 });
    await sentinel();
    assert.equal(countOf('alice'), alices, 'no notification from garbage');
    assert.equal(keel.kernel.bundle('push-mailnotify')?.state, 'ACTIVE');
  });

  it('notifies only users with a running listener', async () => {
    const before = keel.manager.stats();
    await sender.send(notifydPacket({ user: 'erin' }));
    const erins = await keel.listen('erin');
    await erins.stop();
    await sender.send(notifydPacket({ user: 'erin' }));
    await sender.send(notifydPacket({ user: 'nobody' }));
    const after = await processed(before, 3);
    assert.equal(after.unmatched - before.unmatched, 3);
    await sentinel();
    assert.equal(countOf('erin'), 0);
  });

  it('picks up a new alias after the directory changed', async () => {
    const alices = countOf('alice');
    await keel.users.update(keel.context.id, keel.ids['alice']!, { aliases: ['ally@example.org', 'alicia@example.net'] });
    await sender.send(notifydPacket({ user: 'alicia' }));
    await notified('alice', alices + 1);
  });

  it('closes the UDP socket when the bundle stops', async () => {
    const { port } = keel.manager.address()!;
    await keel.kernel.kernel.stopBundle('push-mailnotify');
    const probe = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.bind({ port, address: '127.0.0.1', exclusive: true }, resolve);
    });
    probe.close();
  });
});

describe('push-mailnotify: multicast, full addresses and Keel logins', () => {
  const group = `239.255.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  let keel: MailNotifyKernel;
  let sender: Sender;
  let listener: PushListener;

  before(async () => {
    keel = await startMailNotifyKernel([{ login: 'fjones', email: 'frank@example.com', aliases: ['f.jones@example.net'] }], {
      'com.openexchange.push.mail.notify.udp_listen_multicast': 'true',
      'com.openexchange.push.mail.notify.udp_listen_host': group,
      'com.openexchange.push.mail.notify.udp_listen_multicast_interface': '127.0.0.1',
      'com.openexchange.push.mail.notify.use_full_email_address': 'true',
      'com.openexchange.push.mail.notify.use_ox_login': 'true',
      'com.openexchange.push.mail.notify.delay_millis': '50',
    });
    listener = await keel.listen('fjones');
    sender = await udpSender({ address: group, port: keel.manager.address()!.port }, '127.0.0.1');
  });

  after(async () => {
    sender?.close();
    await listener?.stop();
    await keel?.kernel.stop();
  });

  it('receives packets sent to the multicast group and matches full addresses, the login and login@mapping', async () => {
    let expected = 0;
    for (const user of ['f.jones@example.net', 'FRANK@example.com', 'fjones', 'fjones@example.com']) {
      await sender.send(notifydPacket({ user }));
      expected++;
      await eventually(() => (keel.forUser('fjones').length >= expected ? true : undefined), `notification for ${user}`);
    }
    const before = keel.manager.stats();
    await sender.send(notifydPacket({ user: 'frank' }));
    await sender.send(notifydPacket({ user: 'f.jones' }));
    const after = await eventually(() => (keel.manager.stats().received - before.received >= 2 ? keel.manager.stats() : undefined), 'two packets');
    assert.equal(after.unmatched - before.unmatched, 2, 'local parts alone do not match with use_full_email_address');
    for (const received of keel.forUser('fjones')) assert.deepEqual(received.messageData, INBOX);
  });
});

describe('push-mailnotify: a UDP port already in use', () => {
  it('fails the bundle start naming the address and the cause, the rest of the kernel runs', async () => {
    const taken = createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind({ port: 0, address: '127.0.0.1', exclusive: true }, resolve));
    const port = taken.address().port;
    const keel = await startMailNotifyKernel([], { 'com.openexchange.push.mail.notify.udp_listen_port': String(port) }, { expectActive: false });
    try {
      const info = keel.kernel.bundle('push-mailnotify');
      assert.notEqual(info?.state, 'ACTIVE');
      assert.match(info?.error?.message ?? '', new RegExp(`UDP 127\\.0\\.0\\.1:${port} .*EADDRINUSE`));
      assert.equal(keel.kernel.bundle('storage-sql')?.state, 'ACTIVE');
    } finally {
      await keel.kernel.stop();
      taken.close();
    }
  });
});
