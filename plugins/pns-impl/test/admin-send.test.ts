import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CliError, pushNotificationServiceRef, subscriptionStoreRef, type AdminClient, type CommandInput } from '@keel/plugin-sdk';
import commands from '../src/cli.js';
import { basicAuth, createRecordingTransport, MASTER, startPnsKernel, type PnsKernel, type RecordingTransport } from './support.js';

const SWITCH = 'com.openexchange.pns.transport.test.enabled';

/** A plain fetch-based admin client, the way the keel CLI talks to a running server. */
function adminClient(baseUrl: string): AdminClient {
  return {
    baseUrl,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${baseUrl}/admin/v1${path}`, {
        method,
        headers: { authorization: basicAuth(MASTER.login, MASTER.password), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const parsed = (await response.json()) as T & { error?: string };
      if (!response.ok) throw new CliError(parsed.error ?? `HTTP ${response.status}`);
      return parsed;
    },
    fetch: (path, init) => fetch(`${baseUrl}${path}`, init),
  };
}

describe('admin pns send, the CLI, echo suppression and cascade switches', () => {
  let kit: PnsKernel;
  let transport: RecordingTransport;
  let alice: number;
  let bob: number;

  before(async () => {
    transport = createRecordingTransport('test', { implicitClient: 'test-client' });
    kit = await startPnsKernel({ bundles: { 'test-transport': transport.bundle }, properties: { 'com.openexchange.pns.delayDuration': '0' } });
    alice = kit.userIds.alice!;
    bob = kit.userIds.bob!;
  });
  after(() => kit?.stop());

  const send = async (body: unknown, authorization = basicAuth(MASTER.login, MASTER.password)) => {
    const response = await fetch(`${kit.kernel.url}/admin/v1/pns/send`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const matches = async (userId: number, topic: string, data: Record<string, unknown> = {}) => {
    const answer = await send({ contextId: kit.contextId, userId, topic, data });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.matches;
  };

  it('delivers at once and answers the number of matches', async () => {
    transport.deliveries.length = 0;
    assert.equal(await matches(alice, 'ox:mail:new', { folder: 'default0/INBOX', id: '113' }), 1);
    assert.equal(transport.deliveries.length, 1, 'delivered before the answer');
    assert.deepEqual(transport.deliveries[0]!.notification, { contextId: kit.contextId, userId: alice, topic: 'ox:mail:new', messageData: { folder: 'default0/INBOX', id: '113' } });
    assert.equal(await matches(alice, 'ox:calendar:updates'), 0, 'no subscription, no implicit interest');
  });

  it('requires the master admin and valid input', async () => {
    assert.equal((await send({ contextId: kit.contextId, userId: alice, topic: 'ox:mail:new' }, basicAuth(MASTER.login, 'wrong'))).status, 401);
    const cases: Array<[unknown, string, string]> = [
      [{ userId: alice, topic: 'ox:mail:new' }, 'PNS-0004', 'contextId'],
      [{ contextId: String(kit.contextId), userId: alice, topic: 'ox:mail:new' }, 'PNS-0004', 'contextId'],
      [{ contextId: kit.contextId, topic: 'ox:mail:new' }, 'PNS-0004', 'userId'],
      [{ contextId: kit.contextId, userId: alice }, 'PNS-0004', 'topic'],
      [{ contextId: kit.contextId, userId: alice, topic: 'ox:mail:*' }, 'PNS-0001', 'ox:mail:*'],
      [{ contextId: kit.contextId, userId: alice, topic: 'ox:mail:new', data: [1] }, 'PNS-0004', 'data'],
      [[1, 2], 'PNS-0004', 'body'],
    ];
    for (const [body, code, mention] of cases) {
      const answer = await send(body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.code, code, JSON.stringify(body));
      assert.ok(String(answer.body.error).includes(mention), String(answer.body.error));
    }
  });

  it('keel pns send -c -u -t -d goes through the admin API', async () => {
    const command = commands.commands.find((c) => c.name === 'pns send')!;
    for (const flag of ['context', 'user', 'topic', 'data']) assert.ok(command.options?.[flag]?.description, `--${flag} documented`);
    assert.deepEqual(Object.values(command.options!).map((o) => o.short), ['c', 'u', 't', 'd']);
    const lines: string[] = [];
    const input = (values: CommandInput['values']): CommandInput => ({
      values, positionals: ['pns', 'send'], admin: adminClient(kit.kernel.url), out: (line = '') => void lines.push(line), err: () => undefined, json: false, env: {},
    });
    transport.deliveries.length = 0;
    const code = await command.run(input({ context: String(kit.contextId), user: String(alice), topic: 'ox:mail:new', data: '{"subject":"from the CLI"}' }));
    assert.equal(code, 0);
    assert.deepEqual(lines, [`Notification 'ox:mail:new' sent to user ${alice} in context ${kit.contextId}: 1 match`]);
    assert.deepEqual(transport.deliveries[0]!.notification.messageData, { subject: 'from the CLI' });
    await assert.rejects(command.run(input({ context: String(kit.contextId), user: String(alice), topic: 'ox:mail:new', data: '{oops' })), /not valid JSON/);
    await assert.rejects(command.run(input({ user: String(alice), topic: 'ox:mail:new' })), /-c\/--context/);
    await assert.rejects(command.run(input({ context: String(kit.contextId), user: String(alice), topic: 'ox::bad' })), /PNS-0001|Invalid topic/);
  });

  it('does not echo a notification to the token that caused it', async () => {
    const store = kit.kernel.get(subscriptionStoreRef)!;
    await store.subscribe({ contextId: kit.contextId, userId: bob, token: 'bob-laptop', client: 'sync', transport: 'test', topics: ['ox:calendar:*'] });
    await store.subscribe({ contextId: kit.contextId, userId: bob, token: 'bob-phone', client: 'sync', transport: 'test', topics: ['ox:calendar:*'] });
    transport.deliveries.length = 0;
    const pns = kit.kernel.get(pushNotificationServiceRef)!;
    await pns.handle({ contextId: kit.contextId, userId: bob, topic: 'ox:calendar:updates', messageData: { folders: ['cal://0/1'] }, sourceToken: 'bob-laptop' });
    await transport.waitForDeliveries(1);
    assert.deepEqual(transport.deliveries[0]!.matches.map((m) => m.token), ['bob-phone']);
    assert.equal(transport.deliveries[0]!.notification.sourceToken, 'bob-laptop');
  });

  it('cascade switches per user and per client/topic turn the transport off and on', async () => {
    // Per client and topic (suffix fallback): calendar off for bob's "sync" client only.
    await kit.users.setConfig(kit.contextId, bob, { set: { [`${SWITCH}.sync.ox:calendar:updates`]: 'false' } });
    assert.equal(await matches(bob, 'ox:calendar:updates', { folders: [] }), 0);
    assert.equal(await matches(bob, 'ox:mail:new'), 1, 'mail (implicit client) still on');
    // Per client: everything of test-client off for bob.
    await kit.users.setConfig(kit.contextId, bob, { set: { [`${SWITCH}.test-client`]: 'false' } });
    assert.equal(await matches(bob, 'ox:mail:new'), 0);
    // Per user: the whole transport off for alice, bob's remaining switches unchanged.
    await kit.users.setConfig(kit.contextId, alice, { set: { [SWITCH]: 'false' } });
    assert.equal(await matches(alice, 'ox:mail:new'), 0);
    // And on again.
    await kit.users.setConfig(kit.contextId, alice, { remove: [SWITCH] });
    await kit.users.setConfig(kit.contextId, bob, { remove: [`${SWITCH}.sync.ox:calendar:updates`, `${SWITCH}.test-client`] });
    assert.equal(await matches(alice, 'ox:mail:new'), 1);
    assert.equal(await matches(bob, 'ox:mail:new'), 1);
    assert.equal(await matches(bob, 'ox:calendar:updates', { folders: [] }), 2);
    // A specific value wins over the general one: off in general, on for one client and topic.
    await kit.users.setConfig(kit.contextId, bob, { set: { [SWITCH]: 'false', [`${SWITCH}.sync.ox:calendar:updates`]: 'true' } });
    assert.equal(await matches(bob, 'ox:calendar:updates', { folders: [] }), 2);
    assert.equal(await matches(bob, 'ox:mail:new'), 0);
  });
});
