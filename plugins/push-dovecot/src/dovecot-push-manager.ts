import { isKeelError } from '@keel/plugin-sdk';
import type { ConfigCascade, Logger, MailAccess, PushListener, PushListenerRequest, PushListenerStopReason, PushManager, Scheduler } from '@keel/plugin-sdk';
import { ENABLED_PROPERTY, METADATA_KEY, type DovecotSettings } from './dovecot-settings.js';

interface Registration {
  /** Listeners of this user running here (a session-bound and a permanent one may overlap while one replaces the other). */
  count: number;
  /** The newest password a listener brought, for the final NIL. Memory only, never logged. */
  password: string | undefined;
  cancelRetry: (() => void) | undefined;
}

/** Failures worth retrying: the server was unreachable or busy, not a refusal. */
const retriable = (error: unknown) => isKeelError(error) && (error.code === 'MSG-0003' || error.code === 'MSG-0004');

/**
 * The `dovecot` push manager. A listener holds no connection: starting the first one for a user
 * writes the METADATA entry Dovecot's OX driver looks for (`user=<uid>@<cid>`); when the last one
 * stops because the user needs no push any more (`finished`) the entry is set to NIL. Moves and
 * shutdowns keep it, so push goes on while another member or a restarted node takes over.
 */
export function createDovecotPushManager(options: { mail: MailAccess; cascade: ConfigCascade; scheduler: Scheduler; settings: () => DovecotSettings; logger: Logger }): PushManager & { registered(): number } {
  const { mail, logger } = options;
  const registrations = new Map<string, Registration>();
  const describe = (request: { contextId: number; userId: number }) => ({ context: request.contextId, user: request.userId });
  const failure = (error: unknown) => ({ code: isKeelError(error) ? error.code : undefined, message: (error as Error).message });

  const write = (request: PushListenerRequest, value: string | null, password: string | undefined) =>
    mail.setMetadata(request.contextId, request.userId, METADATA_KEY, value, password !== undefined ? { password } : {});

  function retryLater(key: string, request: PushListenerRequest, attempt: number): void {
    const entry = registrations.get(key);
    const { registerRetries, registerRetryDelayMs } = options.settings();
    if (entry === undefined || attempt > registerRetries) {
      if (entry !== undefined) logger.error(describe(request), `METADATA registration with Dovecot given up after ${registerRetries} retries; mail push for this user stays off until the listener starts again`);
      return;
    }
    entry.cancelRetry = options.scheduler.after(registerRetryDelayMs * 2 ** (attempt - 1), async () => {
      const current = registrations.get(key);
      if (current !== entry) return;
      entry.cancelRetry = undefined;
      try {
        await write(request, `user=${request.userId}@${request.contextId}`, entry.password);
        logger.info({ ...describe(request), attempt }, 'METADATA registration with Dovecot succeeded on retry');
      } catch (error) {
        logger.warn({ ...describe(request), attempt, err: failure(error) }, 'METADATA registration with Dovecot failed again');
        if (retriable(error)) retryLater(key, request, attempt + 1);
      }
    }, { name: 'dovecot-metadata-retry' });
  }

  async function release(key: string, request: PushListenerRequest, reason: PushListenerStopReason): Promise<void> {
    const entry = registrations.get(key);
    if (entry === undefined) return;
    entry.count--;
    if (entry.count > 0) return;
    registrations.delete(key);
    entry.cancelRetry?.();
    if (reason !== 'finished') return;
    try {
      await write(request, null, entry.password);
      logger.debug(describe(request), 'METADATA registration with Dovecot removed');
    } catch (error) {
      // Dovecot then keeps notifying; the endpoint drops what nobody listens to.
      logger.warn({ ...describe(request), err: failure(error) }, 'METADATA registration with Dovecot could not be removed');
    }
  }

  return {
    name: 'dovecot',
    holdsResources: false,
    supportsPermanentListeners: () => true,
    registered: () => registrations.size,

    async startListener(request): Promise<PushListener | undefined> {
      const view = await options.cascade.view({ contextId: request.contextId, userId: request.userId });
      if (!view.getBoolean(ENABLED_PROPERTY, true)) return undefined;
      const key = `${request.contextId}:${request.userId}`;
      let entry = registrations.get(key);
      const first = entry === undefined;
      if (entry === undefined) {
        entry = { count: 0, password: undefined, cancelRetry: undefined };
        registrations.set(key, entry);
      }
      entry.count++;
      if (request.password !== undefined) entry.password = request.password;
      if (first) {
        try {
          await write(request, `user=${request.userId}@${request.contextId}`, entry.password);
        } catch (error) {
          if (!retriable(error)) {
            // Refused login, no credentials, no METADATA: retrying cannot help.
            entry.count--;
            if (entry.count === 0) registrations.delete(key);
            throw error;
          }
          logger.warn({ ...describe(request), err: failure(error) }, 'METADATA registration with Dovecot failed; retrying');
          retryLater(key, request, 1);
        }
      }
      let stopped = false;
      return {
        async stop(reason = 'finished') {
          if (stopped) return;
          stopped = true;
          await release(key, request, reason);
        },
      };
    },
  };
}
