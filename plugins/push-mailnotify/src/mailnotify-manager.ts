// The `mailnotify` PushManager: listeners only register interest; packets from the UDP socket are
// parsed, matched against that interest and coalesced per user into ox:mail:new notifications.
import type { RemoteInfo } from 'node:dgram';
import type { ContextService, Logger, PushManager, PushNotificationService, PushUser, UserService } from '@keel/plugin-sdk';
import { createCoalescer } from './coalescer.js';
import { InterestRegistry } from './interest-registry.js';
import { mailboxNamesOf } from './mailbox-names.js';
import type { MailNotifySettings } from './mailnotify-settings.js';
import { mailboxNameOf, parseNotifydPacket, type RejectReason } from './notifyd-packet.js';

export const MAIL_NEW_TOPIC = 'ox:mail:new';
const FOLDER = 'default0/INBOX';

export interface MailNotifyStats {
  received: number;
  rejected: Partial<Record<RejectReason, number>>;
  /** Well-formed packets for a name no running listener has. */
  unmatched: number;
  /** Packets absorbed by an open coalescing window. */
  coalesced: number;
  emitted: number;
}

export interface MailNotifyPushManager extends PushManager {
  /** Handles one datagram (the UDP socket calls this). */
  receive(data: Buffer, from?: RemoteInfo): void;
  stats(): MailNotifyStats;
  /** Where the UDP socket listens (the port matters when 0 was configured). */
  address(): { address: string; port: number } | undefined;
  /** Users with a running listener. */
  interested(): number;
  /** Re-reads the names of registered users after a directory change. */
  refresh(contextId: number, userId?: number): Promise<void>;
  forget(user: PushUser): void;
  close(): void;
}

export interface MailNotifyManagerDeps {
  settings: MailNotifySettings;
  logger: Logger;
  pns: PushNotificationService;
  users: UserService;
  contexts: ContextService;
  address: () => { address: string; port: number } | undefined;
}

export function createMailNotifyManager(deps: MailNotifyManagerDeps): MailNotifyPushManager {
  const { settings, logger } = deps;
  const registry = new InterestRegistry();
  const counters: MailNotifyStats = { received: 0, rejected: {}, unmatched: 0, coalesced: 0, emitted: 0 };
  const options = { useFullEmailAddress: settings.useFullEmailAddress, useOxLogin: settings.useOxLogin };

  const coalescer = createCoalescer(settings.delayMs, (user) => {
    if (!registry.has(user)) return; // the listener stopped while the window was open
    counters.emitted++;
    deps.pns.handle({ ...user, topic: MAIL_NEW_TOPIC, messageData: { folder: FOLDER } }).catch((error: unknown) => {
      logger.error({ context: user.contextId, user: user.userId, err: { message: (error as Error).message } }, 'the push notification service did not take an ox:mail:new notification');
    });
  });

  async function namesOf(user: PushUser): Promise<string[] | undefined> {
    const found = await deps.users.get(user.contextId, user.userId);
    if (found === undefined) return undefined;
    return mailboxNamesOf(found, await deps.contexts.get(user.contextId), options);
  }

  return {
    name: 'mailnotify',
    holdsResources: false,
    supportsPermanentListeners: () => true,
    async startListener(request) {
      const user = { contextId: request.contextId, userId: request.userId };
      const names = await namesOf(user);
      if (names === undefined) {
        logger.warn({ context: user.contextId, user: user.userId }, 'no mailnotify listener: unknown user');
        return undefined;
      }
      const release = registry.add(user, names);
      logger.debug({ context: user.contextId, user: user.userId, names: names.length }, 'mailnotify listener started');
      return { stop: async () => release() };
    },
    receive(data, from) {
      counters.received++;
      const parsed = parseNotifydPacket(data);
      if (!parsed.ok) {
        const count = (counters.rejected[parsed.reason] ?? 0) + 1;
        counters.rejected[parsed.reason] = count;
        logger.debug({ reason: parsed.reason, bytes: data.length, from: from?.address, rejected: count }, 'ignored a malformed notifyd packet');
        return;
      }
      const name = mailboxNameOf(parsed.packet.user, settings.loginDelimiter);
      const users = name === '' ? [] : registry.match(name);
      if (users.length === 0) {
        counters.unmatched++;
        return;
      }
      for (const user of users) if (!coalescer.schedule(user)) counters.coalesced++;
    },
    stats: () => ({ ...counters, rejected: { ...counters.rejected } }),
    address: deps.address,
    interested: () => registry.size,
    async refresh(contextId, userId) {
      for (const user of registry.inContext(contextId, userId)) {
        const names = await namesOf(user);
        if (names === undefined) registry.remove(user);
        else registry.update(user, names);
      }
    },
    forget: (user) => registry.remove(user),
    close: () => coalescer.close(),
  };
}
