import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { contextServiceRef, userServiceRef, type Logger } from '@keel/plugin-sdk';
import { loadBundle, startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import { generatePeopleLdif, slapdSkipReason, startSlapd, type SlapdServer } from '@keel/test/harness';
import { createLdapAuthenticator } from '../src/ldap-authenticator.js';
import { createLdapConnector } from '../src/ldap-connector.js';
import { createLdapDirectory } from '../src/ldap-directory.js';
import type { LdapSettings } from '../src/ldap-settings.js';
import { createOutageLog } from '../src/outage-log.js';
import { startLdapTap, type LdapTap } from './support.js';

const skip = slapdSkipReason() ?? false;

interface LogRecord { level: string; obj: unknown; msg: string | undefined }

/** A logger that keeps what it is told, to count warnings and look for passwords. */
function recordingLogger(records: LogRecord[]): Logger {
  const at = (level: string) => (obj: object | string, msg?: string) => {
    records.push({ level, obj, msg });
  };
  const logger: Logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal'), child: () => logger };
  return logger;
}

/** A server that accepts connections and never answers: a hung LDAP server. */
async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `ldap://127.0.0.1:${(server.address() as { port: number }).port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('auth-ldap when LDAP servers fail: failover, timeouts, StartTLS, one log line per outage', { skip }, () => {
  let slapd: SlapdServer;
  let tap: LdapTap;
  let kernel: TestKernel;
  let deadUrl: string;
  const password = 'secret1';

  function settings(overrides: Partial<LdapSettings> = {}): LdapSettings {
    return {
      urls: [slapd.url],
      tls: { startTls: false, rejectUnauthorized: true },
      connectTimeoutMs: 2000,
      operationTimeoutMs: 2000,
      mode: 'search',
      bindDn: slapd.rootDn,
      bindPassword: slapd.rootPassword,
      search: { baseDn: 'ou=people,dc=example,dc=com', filter: '(&(objectClass=inetOrgPerson)(uid={login}))', scope: 'sub' },
      attributes: { login: 'uid', mail: 'mail', displayName: ['displayName', 'cn'], aliases: [] },
      ...overrides,
    };
  }

  /** An authenticator over the given settings (swappable), the real directory, and a recording logger. */
  function authenticatorFor(initial: LdapSettings) {
    const records: LogRecord[] = [];
    const logger = recordingLogger(records);
    let current = { settings: initial, directory: createLdapDirectory(initial, createLdapConnector(initial)) };
    const authenticator = createLdapAuthenticator({
      current: () => current,
      contexts: kernel.get(contextServiceRef)!,
      users: kernel.get(userServiceRef)!,
      logger,
      outage: createOutageLog(logger),
    });
    return {
      records,
      ask: (login: string, secret = password) => authenticator.authenticate({ login, password: secret, ip: '127.0.0.1' }),
      swap(next: LdapSettings) {
        current = { settings: next, directory: createLdapDirectory(next, createLdapConnector(next)) };
      },
    };
  }

  before(async () => {
    slapd = await startSlapd({ ldif: generatePeopleLdif(3) });
    tap = await startLdapTap(slapd);
    // a port nothing listens on
    const closed = await startLdapTap(slapd);
    deadUrl = closed.url;
    await closed.close();
    kernel = await startTestKernel({ bundles: { 'storage-sql': await loadBundle('storage-sql') }, http: false });
    await kernel.get(contextServiceRef)!.create({ name: 'default', loginMappings: ['defaultcontext'] });
  });

  after(async () => {
    await kernel?.stop();
    await tap?.close();
    await slapd?.stop();
  });

  it('logs an outage once, answers not-mine meanwhile, and logs the recovery once', async () => {
    const { records, ask, swap } = authenticatorFor(settings({ urls: [deadUrl] }));
    for (let attempt = 0; attempt < 3; attempt++) {
      const result = await ask('user1');
      assert.equal(result.outcome, 'not-mine');
      assert.match((result as { reason: string }).reason, /^LDAP unavailable: .*ECONNREFUSED/);
    }
    assert.equal(records.filter((record) => record.level === 'warn').length, 1, JSON.stringify(records));
    swap(settings());
    assert.equal((await ask('user1')).outcome, 'success');
    assert.equal((await ask('user2', 'secret2')).outcome, 'success');
    const recovered = records.filter((record) => record.level === 'info' && /available again/.test(record.msg ?? ''));
    assert.equal(recovered.length, 1);
    assert.doesNotMatch(JSON.stringify(records), /secret1|secret2/, 'a password reached the log');
  });

  it('fails over to the next URL and keeps using the one that answered', async () => {
    const { ask } = authenticatorFor(settings({ urls: [deadUrl, tap.url] }));
    const connections = tap.connections;
    assert.equal((await ask('user1')).outcome, 'success');
    assert.equal((await ask('user2', 'secret2')).outcome, 'success');
    assert.equal(tap.connections, connections + 2);
  });

  it('gives up on a server that never answers after the operation timeout', async () => {
    const silent = await startSilentServer();
    try {
      const { ask } = authenticatorFor(settings({ urls: [silent.url], operationTimeoutMs: 300 }));
      const result = await ask('user1');
      assert.equal(result.outcome, 'not-mine');
      assert.match((result as { reason: string }).reason, /timed out/i);
    } finally {
      await silent.close();
    }
  });

  it('never falls back to plain text when StartTLS fails', async () => {
    // this slapd has no certificate, so it refuses StartTLS
    const { ask } = authenticatorFor(settings({ urls: [tap.url], tls: { startTls: true, rejectUnauthorized: true } }));
    const before = tap.sent().length;
    const result = await ask('user1');
    assert.equal(result.outcome, 'not-mine');
    assert.match((result as { reason: string }).reason, /StartTLS failed/);
    const sent = tap.sent().subarray(before);
    assert.ok(sent.length > 0, 'StartTLS was not even attempted');
    assert.equal(sent.includes(slapd.rootPassword), false, 'the service account password went out in plain text');
    assert.equal(sent.includes(password), false, 'the user password went out in plain text');
  });

  it('treats a refused service account as LDAP being unusable, not as a wrong user password', async () => {
    const { ask, records } = authenticatorFor(settings({ bindPassword: 'not-the-root-password' }));
    const result = await ask('user1');
    assert.equal(result.outcome, 'not-mine');
    assert.match((result as { reason: string }).reason, /service account cn=admin,dc=example,dc=com cannot bind: LDAP result 49/);
    assert.doesNotMatch(JSON.stringify(records), /not-the-root-password/);
  });

  it('answers not-mine for a search base that does not exist', async () => {
    const { ask } = authenticatorFor(settings({ search: { baseDn: 'ou=nowhere,dc=example,dc=com', filter: '(uid={login})', scope: 'sub' } }));
    const result = await ask('user1');
    assert.equal(result.outcome, 'not-mine');
    assert.match((result as { reason: string }).reason, /LDAP result 32/);
  });

  it('uses one connection per login: service bind, search and user bind share it', async () => {
    const { ask } = authenticatorFor(settings({ urls: [tap.url] }));
    const connections = tap.connections;
    assert.equal((await ask('user3', 'secret3')).outcome, 'success');
    assert.equal(tap.connections, connections + 1);
  });
});
