// One user's IMAP IDLE listener: connect (through the start queue), EXAMINE the folder, IDLE, and on
// new messages fetch them and hand one ox:mail:new per message to the PNS. Drops, refused logins
// and stalls end the connection; it comes back after an exponential, jittered, bounded delay.
import { ImapFlow, type FetchMessageObject } from 'imapflow';
import { isKeelError, type ImapEndpoint, type Logger, type PushUser } from '@keel/plugin-sdk';
import { backoffDelay } from './backoff.js';
import { folderUnavailable, loginRefused, timedOut } from './errors.js';
import type { ImapIdleSettings } from './imap-idle-settings.js';
import type { ListenerLock } from './listener-lock.js';
import { folderChangedPayload, mailNewPayload } from './mail-event.js';
import type { StartQueue } from './start-queue.js';
import { TEASER_FETCH_BYTES, findTextPart, teaserFrom, type StructureNode } from './teaser.js';
import { createWakeSignal } from './wake-signal.js';

export type ListenerState = 'waiting-for-lock' | 'queued' | 'connecting' | 'idle' | 'backoff' | 'stopped';

export interface ListenerStatus {
  contextId: number;
  userId: number;
  state: ListenerState;
  /** Connection attempts (each resolves the endpoint and logs in). */
  attempts: number;
  /** Attempts that reached IDLE. */
  connects: number;
  /** Consecutive failures; reset once a connection stayed up for a minute. */
  failures: number;
  /** The delays chosen before the most recent reconnects (last 20), for operators and tests. */
  retryDelaysMs: number[];
  lastError?: { code?: string; message: string };
  /** Notifications handed to the PNS. */
  notifications: number;
}

export interface IdleConnectionDeps {
  user: PushUser;
  settings: ImapIdleSettings;
  logger: Logger;
  /** The endpoint and credentials (MailAccess.resolveEndpoint with the listener's password). */
  endpoint: () => Promise<ImapEndpoint>;
  /** Hands one ox:mail:new payload to the PNS. */
  emit: (messageData: Record<string, unknown>) => Promise<void>;
  queue: StartQueue;
  lock: ListenerLock;
  random?: () => number;
  /** Told when an IMAP client is created and when its connection closes (once each), for the metrics gauge. */
  connections?: { opened(): void; closed(): void };
}

/** A connection that stayed up this long was healthy: the next drop starts the backoff from the beginning. */
const STABLE_MS = 60_000;
/** A flood (a folder moved into INBOX) must not become thousands of notifications at once. */
const MAX_NOTIFICATIONS_PER_CYCLE = 100;
/** Teasers cost one FETCH each: only for the first few messages of a cycle. */
const MAX_TEASERS_PER_CYCLE = 10;
const LOGOUT_GRACE_MS = 1000;

/** What one open connection has seen since the last cycle. */
interface Session {
  client: ImapFlow;
  closed: boolean;
  newMail: boolean;
  otherChange: boolean;
  error?: Error;
}

function bounded<T>(promise: Promise<T>, what: string, ms: number, client: ImapFlow): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      client.close(); // a stalled server: give the socket up, the listener reconnects later
      reject(timedOut(what, ms));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function shutdown(client: ImapFlow): Promise<void> {
  if (client.usable) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([client.logout().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, LOGOUT_GRACE_MS)))]);
    clearTimeout(timer);
  }
  client.close();
}

function errorInfo(error: unknown): { code?: string; message: string } {
  if (isKeelError(error)) return { code: error.code, message: error.message };
  const err = error as { code?: unknown; message?: unknown; responseText?: unknown };
  const message = typeof err?.responseText === 'string' && err.responseText !== '' ? `${String(err.message)} (${err.responseText})` : String(err?.message ?? error);
  return typeof err?.code === 'string' ? { code: err.code, message } : { message };
}

export class IdleConnection {
  readonly status: ListenerStatus;
  private stopped = false;
  private session: Session | undefined;
  private loop: Promise<void> | undefined;
  /** UIDNEXT seen last, kept across reconnects so mail delivered while disconnected is reported. */
  private lastUidNext: number | undefined;
  private uidValidity: bigint | undefined;
  private readonly signal = createWakeSignal();
  private readonly log: Logger;

  constructor(private readonly deps: IdleConnectionDeps) {
    this.status = {
      contextId: deps.user.contextId, userId: deps.user.userId, state: 'queued',
      attempts: 0, connects: 0, failures: 0, retryDelaysMs: [], notifications: 0,
    };
    this.log = deps.logger.child({ context: deps.user.contextId, user: deps.user.userId });
    deps.lock.onLost(() => this.session?.client.close());
  }

  start(): void {
    this.loop ??= this.run().catch((error: unknown) => {
      this.log.error({ err: errorInfo(error) }, 'IMAP IDLE listener ended unexpectedly');
    });
  }

  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.status.state = 'stopped';
      this.signal.notify();
      const session = this.session;
      if (session !== undefined) await shutdown(session.client);
    }
    await this.loop;
  }

  private async run(): Promise<void> {
    const { settings } = this.deps;
    try {
      while (!this.stopped) {
        this.status.state = 'waiting-for-lock';
        if (!(await this.deps.lock.acquire())) {
          // Another member runs this user; take over if its lock expires.
          if (!this.stopped) await this.signal.wait(Math.max(1000, Math.floor(settings.lockTtlMs / 2)));
          continue;
        }
        if (this.stopped) break;
        this.status.state = 'queued';
        let session: Session;
        try {
          session = await this.deps.queue.run(() => this.open(), { cancelled: () => this.stopped });
        } catch (error) {
          if (this.stopped) break;
          await this.retryAfter(error);
          continue;
        }
        if (this.stopped) {
          await shutdown(session.client);
          break;
        }
        const openedAt = Date.now();
        let cause: unknown;
        try {
          await this.watch(session);
        } catch (error) {
          cause = error;
        } finally {
          this.session = undefined;
          await shutdown(session.client);
        }
        if (this.stopped) break;
        if (Date.now() - openedAt >= STABLE_MS) this.status.failures = 0;
        await this.retryAfter(cause ?? session.error ?? new Error('the IMAP server closed the connection'));
      }
    } finally {
      this.status.state = 'stopped';
      await this.deps.lock.release();
    }
  }

  private async retryAfter(error: unknown): Promise<void> {
    const { settings } = this.deps;
    this.status.failures++;
    const delay = backoffDelay(this.status.failures, settings.reconnectDelayMs, settings.maxReconnectDelayMs, this.deps.random);
    const info = errorInfo(error);
    this.status.lastError = info;
    this.status.retryDelaysMs.push(delay);
    if (this.status.retryDelaysMs.length > 20) this.status.retryDelaysMs.shift();
    const refused = info.code === 'IMI-0002';
    this.log.warn(
      { err: info, failures: this.status.failures, retryInMs: delay },
      refused ? 'IMAP login refused; retrying later' : 'IMAP IDLE connection failed or was lost; reconnecting later',
    );
    this.status.state = 'backoff';
    await this.signal.wait(delay);
  }

  /** Resolves the endpoint, logs in and EXAMINEs the folder; runs inside a start-queue slot. */
  private async open(): Promise<Session> {
    const { settings, user } = this.deps;
    this.status.state = 'connecting';
    this.status.attempts++;
    const endpoint = await this.deps.endpoint();
    if (this.stopped) throw new Error('stopped');
    const client = new ImapFlow({
      host: endpoint.host,
      port: endpoint.port,
      secure: endpoint.secure,
      auth: { user: endpoint.login, pass: endpoint.password },
      tls: { rejectUnauthorized: endpoint.rejectUnauthorized },
      logger: false,
      // IDLE is started by this listener, never behind its back (imapflow does not IDLE while a lock is held).
      disableAutoIdle: true,
      maxIdleTime: settings.idleRefreshMs,
      connectionTimeout: settings.timeoutMs,
      greetingTimeout: settings.timeoutMs,
      socketTimeout: settings.socketTimeoutMs,
      clientInfo: { name: 'Keel push-imapidle' },
    });
    const session: Session = { client, closed: false, newMail: false, otherChange: false };
    // Every path ends in client.close(), and imapflow emits 'close' once, on the first close.
    this.deps.connections?.opened();
    client.on('error', (error: Error) => {
      session.error = error;
    });
    client.on('close', () => {
      this.deps.connections?.closed();
      session.closed = true;
      this.signal.notify();
    });
    client.on('exists', (event: { count: number; prevCount: number }) => {
      if (event.count > event.prevCount) {
        session.newMail = true;
        this.signal.notify();
      }
    });
    const changed = () => {
      if (settings.pushMode === 'always') {
        session.otherChange = true;
        this.signal.notify();
      }
    };
    client.on('expunge', changed);
    client.on('flags', changed);
    this.session = session;
    try {
      await bounded(client.connect(), 'IMAP connect and login', settings.timeoutMs, client);
    } catch (error) {
      this.session = undefined;
      client.close();
      if ((error as { authenticationFailed?: boolean }).authenticationFailed) {
        throw loginRefused(user.contextId, user.userId, errorInfo(error).message);
      }
      throw error;
    }
    try {
      await bounded(client.mailboxOpen(settings.folder, { readOnly: true }), `EXAMINE ${settings.folder}`, settings.timeoutMs, client);
    } catch (error) {
      this.session = undefined;
      client.close();
      throw isKeelError(error) ? error : folderUnavailable(settings.folder, errorInfo(error).message);
    }
    return session;
  }

  /** The IDLE loop of one connection; returns when it closes or the listener stops. */
  private async watch(session: Session): Promise<void> {
    const { settings } = this.deps;
    const { client } = session;
    const mailbox = client.mailbox;
    if (mailbox === false) throw new Error('no folder selected');
    if (this.uidValidity === mailbox.uidValidity && this.lastUidNext !== undefined) {
      // Mail delivered while disconnected is reported now.
      session.newMail = mailbox.uidNext > this.lastUidNext;
    } else {
      this.uidValidity = mailbox.uidValidity;
      this.lastUidNext = mailbox.uidNext;
    }
    this.status.connects++;
    this.log.debug({ folder: settings.folder, uidNext: mailbox.uidNext }, 'IMAP IDLE listener connected');
    const live = () => !session.closed && !this.stopped;
    const changes = () => session.newMail || session.otherChange;
    let idling: Promise<void> | undefined;
    let idleEnded = false;
    const startIdle = () => {
      idleEnded = false;
      const current: Promise<void> = client.idle().then(
        () => undefined,
        () => undefined,
      ).then(() => {
        if (idling === current) {
          idleEnded = true;
          this.signal.notify();
        }
      });
      idling = current;
    };
    while (live()) {
      if (session.newMail) {
        session.newMail = false;
        session.otherChange = false;
        // The FETCH ends the running IDLE (imapflow sends DONE first); it is started again below.
        await this.reportNewMessages(client);
        const ended = idling;
        idling = undefined;
        await ended;
      } else if (session.otherChange) {
        session.otherChange = false;
        await this.emit(folderChangedPayload(settings.folder)); // no command: IDLE keeps running
      }
      if (!live()) break;
      if (idling === undefined) startIdle();
      this.status.state = 'idle';
      const cycleStart = Date.now();
      while (live() && !changes() && !idleEnded) await this.signal.wait();
      if (!live()) break;
      if (idleEnded && !changes()) {
        // IDLE ended without being asked (refused by the server): imapflow polls on the next call.
        idling = undefined;
        await this.signal.wait(1000);
        continue;
      }
      // `delay`: a cycle lasts at least this long, so a burst of deliveries is fetched together.
      for (let rest = cycleStart + settings.delayMs - Date.now(); rest > 0 && live(); rest = cycleStart + settings.delayMs - Date.now()) {
        await this.signal.wait(rest);
      }
    }
  }

  private async reportNewMessages(client: ImapFlow): Promise<void> {
    const { settings } = this.deps;
    const from = this.lastUidNext ?? 1;
    const fetched = await bounded(
      client.fetchAll(`${from}:*`, { uid: true, envelope: true, bodyStructure: settings.teaser }, { uid: true }),
      'FETCH of new messages',
      settings.timeoutMs,
      client,
    );
    // `n:*` returns the last message even when its UID is below n (RFC 3501): keep only new UIDs.
    const fresh = fetched.filter((message) => message.uid >= from).sort((a, b) => a.uid - b.uid);
    if (fresh.length === 0) return;
    this.lastUidNext = fresh[fresh.length - 1]!.uid + 1;
    const status = await bounded(client.status(settings.folder, { unseen: true }), `STATUS ${settings.folder}`, settings.timeoutMs, client);
    const unread = status === false ? undefined : status.unseen;
    const reported = fresh.slice(-MAX_NOTIFICATIONS_PER_CYCLE);
    if (reported.length < fresh.length) {
      this.log.info({ newMessages: fresh.length, reported: reported.length }, 'many new messages at once; notifying only the newest');
    }
    for (const [index, message] of reported.entries()) {
      const teaser = settings.teaser && index < MAX_TEASERS_PER_CYCLE ? await this.teaser(client, message) : undefined;
      await this.emit(
        mailNewPayload(settings.folder, {
          uid: message.uid,
          from: message.envelope?.from?.[0],
          subject: message.envelope?.subject,
          teaser,
        }, unread),
      );
    }
  }

  private async teaser(client: ImapFlow, message: FetchMessageObject): Promise<string | undefined> {
    const part = findTextPart(message.bodyStructure as StructureNode | undefined);
    if (part === undefined) return undefined;
    try {
      const fetched = await bounded(
        client.fetchOne(String(message.uid), { uid: true, bodyParts: [{ key: part.section, maxLength: TEASER_FETCH_BYTES }] }, { uid: true }),
        'FETCH of the teaser',
        this.deps.settings.timeoutMs,
        client,
      );
      if (fetched === false) return undefined;
      const raw = fetched.bodyParts?.get(part.section);
      if (raw === undefined) return undefined;
      return teaserFrom(raw, part, fetched.binaryParts?.has(part.section) ?? false) || undefined;
    } catch (error) {
      if (client.usable) {
        this.log.debug({ err: errorInfo(error), uid: message.uid }, 'no teaser for a new message');
        return undefined;
      }
      throw error;
    }
  }

  private async emit(messageData: Record<string, unknown>): Promise<void> {
    try {
      await this.deps.emit(messageData);
      this.status.notifications++;
    } catch (error) {
      // The PNS does not drop work when busy; an error here is its own and must not end the connection.
      this.log.error({ err: errorInfo(error) }, 'the push notification service did not take an ox:mail:new notification');
    }
  }
}
