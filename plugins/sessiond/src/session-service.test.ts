import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Logger, Session, SessionRemoval } from '@keel/plugin-sdk';
import { isKeelError } from '@keel/plugin-sdk';
import { cookieHash, secretCookieName } from './cookie-name.js';
import { createMemorySessionStorage } from './memory-session-storage.js';
import { createSessionService, type SessionServiceImpl } from './session-service.js';
import type { SessionSettings } from './session-settings.js';

const silent: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {}, child: () => silent };

describe('session service (manual clock)', () => {
  let clock: number;
  let settings: SessionSettings;
  let added: Session[];
  let removed: SessionRemoval[];
  let service: SessionServiceImpl;

  const create = (userId = 1) => service.create({ contextId: 1, userId, loginName: 'alice', client: 'open-xchange-appsuite', ip: '127.0.0.1', userAgent: 'ua', password: 'pw' });
  const cookiesOf = (session: Session) => ({ [service.cookieName(session)]: session.secret });
  const codeOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
      return 'ok';
    } catch (error) {
      return isKeelError(error) ? error.code : String(error);
    }
  };

  beforeEach(() => {
    clock = 1_000_000;
    settings = { idleTimeoutMs: 1000, maxLifetimeMs: 10_000, maxSessionsPerUser: 3, sweepIntervalMs: 100, secureCookie: false, defaultClient: 'open-xchange-appsuite' };
    added = [];
    removed = [];
    const storage = createMemorySessionStorage();
    service = createSessionService({
      storage: () => storage,
      settings: () => settings,
      onAdded: async (session) => void added.push(session),
      onRemoved: async (removal) => void removed.push(removal),
      logger: silent,
      now: () => clock,
    });
  });

  it('creates sessions with 128-bit hex ids and secrets and a cookie named after client and user agent', async () => {
    const session = await create();
    assert.match(session.sessionId, /^[0-9a-f]{32}$/);
    assert.match(session.secret, /^[0-9a-f]{32}$/);
    assert.notEqual(session.sessionId, session.secret);
    assert.equal(service.cookieName(session), secretCookieName(cookieHash('open-xchange-appsuite', 'ua')));
    assert.equal(session.password, undefined, 'no password kept unless asked for');
    assert.deepEqual(added, [session]);
  });

  it('validates id and secret and touches the session', async () => {
    const session = await create();
    clock += 900;
    assert.equal((await service.validate(session.sessionId, cookiesOf(session))).lastActiveAt, clock);
    clock += 900; // idle 900 ms since the touch: still alive
    assert.equal(await codeOf(service.validate(session.sessionId, cookiesOf(session))), 'ok');
    assert.equal(await codeOf(service.validate(session.sessionId, {})), 'SES-0205');
    assert.equal(await codeOf(service.validate(session.sessionId, { [service.cookieName(session)]: 'x' })), 'SES-0205');
    assert.equal(await codeOf(service.validate('nope', cookiesOf(session))), 'SES-0203');
    assert.equal(await codeOf(service.validate(undefined, cookiesOf(session))), 'SES-0203');
  });

  it('expires idle sessions on use and in the sweep', async () => {
    const used = await create();
    const swept = await create(2);
    clock += 1001;
    assert.equal(await codeOf(service.validate(used.sessionId, cookiesOf(used))), 'SES-0203');
    assert.equal(await service.sweep(), 1);
    assert.deepEqual(removed.map((r) => [r.session.sessionId, r.reason]), [[used.sessionId, 'idle'], [swept.sessionId, 'idle']]);
  });

  it('ends sessions at their maximum lifetime however active they are', async () => {
    const session = await create();
    for (let step = 0; step < 10; step++) {
      clock += 999;
      await service.validate(session.sessionId, cookiesOf(session));
    }
    clock += 20;
    assert.equal(await codeOf(service.validate(session.sessionId, cookiesOf(session))), 'SES-0203');
    assert.equal(removed[0]?.reason, 'expired');
  });

  it('evicts the oldest sessions beyond the per-user maximum', async () => {
    const sessions: Session[] = [];
    for (let i = 0; i < 4; i++) {
      clock += 1;
      sessions.push(await create());
    }
    assert.deepEqual(removed.map((r) => [r.session.sessionId, r.reason]), [[sessions[0]!.sessionId, 'evicted']]);
    assert.equal((await service.listByUser(1, 1)).length, 3);
    settings = { ...settings, maxSessionsPerUser: 0 };
    for (let i = 0; i < 5; i++) await create();
    assert.equal((await service.listByUser(1, 1)).length, 8, '0 means unlimited');
  });

  it('keeps passwords only while retained', async () => {
    const releaseA = service.retainPasswords('a');
    const releaseB = service.retainPasswords('b');
    const session = await create();
    assert.equal(session.password, 'pw');
    releaseA();
    releaseA();
    assert.equal((await create()).password, 'pw', 'b still retains');
    releaseB();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(session.password, undefined);
    assert.equal((await create()).password, undefined);
  });

  it('removes every session of a user', async () => {
    await create();
    await create();
    await create(2);
    assert.equal(await service.removeUser(1, 1, 'admin'), 2);
    assert.equal((await service.listByUser(1, 1)).length, 0);
    assert.equal((await service.listByUser(1, 2)).length, 1);
    assert.ok(removed.every((r) => r.reason === 'admin'));
  });
});
