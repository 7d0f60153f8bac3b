// A small pool of ldapts clients per connection: host failover, StartTLS, binding as the
// identity a request needs, and bounded waits everywhere so a dead server fails fast.
import { createHash } from 'node:crypto';
import { Client, ResultCodeError } from 'ldapts';
import type { ConnectionConfig } from './config/client-config.js';
import { poolExhausted, serviceBindFailed, timedOut, unreachable, userBindFailed } from './errors.js';

/** Who a connection is bound as for one request. `service` identities are the operator's credentials. */
export type BindIdentity = { kind: 'anonymous' } | { kind: 'simple'; dn: string; password: string; service: boolean };

export interface LdapPool {
  readonly config: ConnectionConfig;
  /** Runs `work` on a connection bound as `identity`; read operations may be retried on another host. */
  run<T>(identity: BindIdentity, work: (client: Client) => Promise<T>): Promise<T>;
  stats(): { size: number; busy: number; waiting: number };
  /** ldapts clients the pool holds now (busy or idle); a slot whose connection was discarded has none. */
  openConnections(): number;
  close(): Promise<void>;
}

interface Slot {
  client: Client | undefined;
  hostIndex: number;
  /** Identity the connection is bound as (dn + password hash), undefined when anonymous. */
  boundKey: string | undefined;
  busy: boolean;
}

type ErrorKind = 'connect' | 'connect-timeout' | 'timeout' | 'other';

/** LDAP result codes that mean "these credentials are not accepted". */
const CREDENTIAL_CODES = new Set([48, 49, 50, 53]);

/** The LDAP result code of an error the server answered (49 invalid credentials, 32 no such object …). */
export function ldapResultCode(error: unknown): number | undefined {
  return error instanceof ResultCodeError ? error.code : undefined;
}

function classify(error: unknown): ErrorKind {
  if (ldapResultCode(error) !== undefined) return 'other';
  const message = (error as Error | null)?.message ?? '';
  const code = (error as { code?: unknown } | null)?.code;
  if (message === 'Connection timeout') return 'connect-timeout';
  if (message.includes('Operation timed out')) return 'timeout';
  if ((typeof code === 'string' && code.startsWith('E')) || message.startsWith('Socket error') || message.includes('Socket connection not established')) return 'connect';
  return 'other';
}

function identityKey(identity: BindIdentity): string | undefined {
  return identity.kind === 'anonymous' ? undefined : `${identity.dn}\0${createHash('sha256').update(identity.password).digest('hex')}`;
}

export function createLdapPool(config: ConnectionConfig): LdapPool {
  const slots: Slot[] = [];
  const waiting: Array<{ resolve: (slot: Slot) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }> = [];
  let closed = false;
  const tlsOptions = { rejectUnauthorized: config.tls.rejectUnauthorized, ...(config.tls.ca !== undefined ? { ca: config.tls.ca } : {}) };

  function discard(slot: Slot): void {
    const client = slot.client;
    slot.client = undefined;
    slot.boundKey = undefined;
    void client?.unbind().catch(() => undefined);
  }

  function acquire(): Promise<Slot> {
    if (closed) return Promise.reject(unreachable(config.name, config.hosts, 'the connection pool is closed'));
    const idle = slots.find((slot) => !slot.busy);
    if (idle) {
      idle.busy = true;
      return Promise.resolve(idle);
    }
    if (slots.length < config.pool.size) {
      const slot: Slot = { client: undefined, hostIndex: 0, boundKey: undefined, busy: true };
      slots.push(slot);
      return Promise.resolve(slot);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          waiting.splice(waiting.indexOf(waiter), 1);
          reject(poolExhausted(config.name, config.pool.size, config.pool.acquireTimeoutMs));
        }, config.pool.acquireTimeoutMs),
      };
      waiting.push(waiter);
    });
  }

  function release(slot: Slot): void {
    if (closed) {
      discard(slot);
      slot.busy = false;
      return;
    }
    const next = waiting.shift();
    if (next) {
      clearTimeout(next.timer);
      next.resolve(slot);
    } else {
      slot.busy = false;
    }
  }

  async function ready(slot: Slot, identity: BindIdentity): Promise<Client> {
    // ldapts reconnects transparently, but without StartTLS: such a connection must be rebuilt.
    if (slot.client && config.tls.startTls && !slot.client.isConnected) discard(slot);
    // Never run an anonymous request on a connection still bound as somebody.
    if (identity.kind === 'anonymous' && slot.boundKey !== undefined) discard(slot);
    if (!slot.client) {
      const url = config.hosts[slot.hostIndex]!;
      slot.client = new Client({
        url,
        timeout: config.timeouts.operationMs,
        connectTimeout: config.timeouts.connectMs,
        // ldapts speaks TLS from the first byte whenever tlsOptions are given, even for ldap:// URLs.
        ...(/^ldaps:/i.test(url) ? { tlsOptions } : {}),
      });
      if (config.tls.startTls) await slot.client.startTLS(tlsOptions);
    }
    if (identity.kind === 'simple') {
      const key = identityKey(identity);
      if (slot.boundKey !== key || !slot.client.isBound) {
        slot.boundKey = undefined;
        try {
          await slot.client.bind(identity.dn, identity.password);
        } catch (error) {
          const code = ldapResultCode(error);
          if (code !== undefined && CREDENTIAL_CODES.has(code)) {
            const detail = (error as Error).message;
            throw identity.service ? serviceBindFailed(config.name, identity.dn, detail) : userBindFailed(config.name, detail);
          }
          throw error;
        }
        slot.boundKey = key;
      }
    }
    return slot.client;
  }

  async function runOn<T>(slot: Slot, identity: BindIdentity, work: (client: Client) => Promise<T>): Promise<T> {
    let lastError: unknown;
    let connectTimeouts = 0;
    // Each host once, plus one retry for a connection the server dropped since its last use.
    for (let attempt = 0; attempt <= config.hosts.length; attempt++) {
      try {
        return await work(await ready(slot, identity));
      } catch (error) {
        const kind = classify(error);
        if (kind === 'timeout') {
          discard(slot);
          throw timedOut(config.name, 'answer', config.timeouts.operationMs);
        }
        if (kind !== 'connect' && kind !== 'connect-timeout') throw error;
        if (kind === 'connect-timeout') connectTimeouts++;
        lastError = error;
        discard(slot);
        slot.hostIndex = (slot.hostIndex + 1) % config.hosts.length;
      }
    }
    if (connectTimeouts > 0 && connectTimeouts === config.hosts.length + 1) throw timedOut(config.name, 'accept a connection', config.timeouts.connectMs);
    const detail = (lastError as { code?: string; message?: string } | undefined);
    throw unreachable(config.name, config.hosts, detail?.code ?? detail?.message ?? 'no answer');
  }

  return {
    config,
    async run(identity, work) {
      const slot = await acquire();
      try {
        return await runOn(slot, identity, work);
      } finally {
        release(slot);
      }
    },
    stats: () => ({ size: slots.length, busy: slots.filter((slot) => slot.busy).length, waiting: waiting.length }),
    openConnections: () => slots.reduce((open, slot) => open + (slot.client === undefined ? 0 : 1), 0),
    async close() {
      closed = true;
      for (const waiter of waiting.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.reject(unreachable(config.name, config.hosts, 'the connection pool was closed'));
      }
      await Promise.all(slots.filter((slot) => !slot.busy).map(async (slot) => {
        const client = slot.client;
        slot.client = undefined;
        await client?.unbind().catch(() => undefined);
      }));
    },
  };
}
