import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { databaseRef, subscriptionStoreRef, type PushSubscription, type SubscriptionStore } from '@keel/plugin-sdk';
import { createManualClock, createMariaDb, createRecordingTransport, mariaDbSkip, startPnsKernel, type ManualClock, type PnsKernel } from './support.js';

const dialects = [
  { name: 'sqlite', skip: false as string | false, create: async () => ({ url: undefined as string | undefined, drop: async () => undefined }) },
  { name: 'mariadb', skip: await mariaDbSkip(), create: createMariaDb },
];

for (const dialect of dialects) {
  describe(`subscription store on ${dialect.name}`, { skip: dialect.skip }, () => {
    let kit: PnsKernel;
    let store: SubscriptionStore;
    let clock: ManualClock;
    let database: { url: string | undefined; drop(): Promise<void> };
    let cid: number;
    let alice: number;
    let bob: number;
    const sub = (userId: number, token: string, topics: string[], extra: Partial<PushSubscription> = {}): PushSubscription =>
      ({ contextId: cid, userId, token, client: 'mobile', transport: 'test', topics, ...extra });
    const tokens = async (topic: string, users = [alice, bob]) => (await store.interested(cid, users, topic)).map((m) => m.token).sort();

    before(async () => {
      database = await dialect.create();
      clock = createManualClock();
      kit = await startPnsKernel({
        clock,
        bundles: { 'test-transport': createRecordingTransport('test').bundle },
        properties: { 'com.openexchange.pns.maxSubscriptionsPerClient': '3', 'com.openexchange.pns.subscriptionCleanupInterval': '60000' },
        ...(database.url === undefined ? {} : { databaseUrl: database.url }),
      });
      assert.equal(kit.kernel.get(databaseRef)!.dialect, dialect.name === 'sqlite' ? 'sqlite' : 'mysql');
      store = kit.kernel.get(subscriptionStoreRef)!;
      cid = kit.contextId;
      alice = kit.userIds.alice!;
      bob = kit.userIds.bob!;
    });
    after(async () => {
      await kit?.stop();
      await database?.drop();
    });

    it('matches exact topics, prefix wildcards and *', async () => {
      await store.subscribe(sub(alice, 'exact', ['ox:mail:new']));
      await store.subscribe(sub(alice, 'prefix', ['ox:calendar:*']));
      await store.subscribe(sub(bob, 'all', ['*']));
      await store.subscribe(sub(bob, 'both', ['ox:*', 'ox:mail:new'], { client: 'other', meta: { model: 'x1' } }));
      assert.deepEqual(await tokens('ox:mail:new'), ['all', 'both', 'exact']);
      assert.deepEqual(await tokens('ox:calendar:updates'), ['all', 'both', 'prefix']);
      assert.deepEqual(await tokens('ox:mail:newer'), ['all', 'both'], 'exact topics are exact');
      assert.deepEqual(await tokens('ox:calendar'), ['all', 'both'], "ox:calendar:* needs something after 'ox:calendar:'");
      assert.deepEqual(await tokens('chat:message'), ['all']);
      assert.deepEqual(await tokens('ox:mail:new', [alice]), ['exact'], 'only the users asked for');
      const both = (await store.interested(cid, [bob], 'ox:mail:new')).find((m) => m.token === 'both')!;
      assert.deepEqual(both, { contextId: cid, userId: bob, token: 'both', client: 'other', transport: 'test', topic: 'ox:mail:new', meta: { model: 'x1' } });
      assert.deepEqual(await store.interested(cid + 1, [alice, bob], 'ox:mail:new'), [], 'other contexts see nothing');
    });

    it('lists a user\'s subscriptions; the key (context, user, token, client) replaces', async () => {
      await store.subscribe(sub(alice, 'exact', ['ox:mail:new', 'ox:calendar:updates'], { meta: { v: 2 } }));
      const listed = (await store.list(cid, alice)).map((s) => [s.token, s.client, s.topics.join(','), JSON.stringify(s.meta ?? null)]).sort();
      assert.deepEqual(listed, [
        ['exact', 'mobile', 'ox:calendar:updates,ox:mail:new', '{"v":2}'],
        ['prefix', 'mobile', 'ox:calendar:*', 'null'],
      ]);
      // Same token under another client is another subscription.
      await store.subscribe(sub(alice, 'exact', ['ox:mail:new'], { client: 'second-client' }));
      assert.equal((await store.list(cid, alice)).length, 3);
      assert.equal(await store.unsubscribe({ contextId: cid, userId: alice, client: 'second-client', transport: 'test', token: 'exact' }), 1);
      assert.equal((await store.list(cid, alice)).length, 2);
    });

    it('moves a token to its newest subscriber', async () => {
      await store.subscribe(sub(alice, 'shared-device', ['ox:mail:new']));
      assert.deepEqual(await tokens('ox:mail:new', [alice]), ['exact', 'shared-device']);
      await store.subscribe(sub(bob, 'shared-device', ['ox:mail:new']));
      assert.deepEqual(await tokens('ox:mail:new', [alice]), ['exact'], 'alice lost the token');
      assert.ok((await tokens('ox:mail:new', [bob])).includes('shared-device'));
      assert.equal((await store.list(cid, alice)).some((s) => s.token === 'shared-device'), false);
    });

    it('limits subscriptions per user, transport and client (PNS-0003); replacing one does not count', async () => {
      await store.unsubscribe({ contextId: cid, userId: alice, client: 'limited', transport: 'test' });
      for (const token of ['l1', 'l2', 'l3']) await store.subscribe(sub(alice, token, ['ox:mail:new'], { client: 'limited' }));
      await assert.rejects(store.subscribe(sub(alice, 'l4', ['ox:mail:new'], { client: 'limited' })), { code: 'PNS-0003', status: 409 });
      await store.subscribe(sub(alice, 'l2', ['ox:calendar:updates'], { client: 'limited' }));
      await store.subscribe(sub(alice, 'l4', ['ox:mail:new'], { client: 'another' }));
      assert.equal(await store.unsubscribe({ contextId: cid, userId: alice, client: 'limited', transport: 'test' }), 3, 'without a token every token of the client goes');
      assert.equal(await store.unsubscribe({ contextId: cid, userId: alice, client: 'another', transport: 'test' }), 1);
    });

    it('honours expires in lookups and deletes expired rows in the scheduled cleanup', async () => {
      const now = clock.now();
      await store.subscribe(sub(alice, 'short-lived', ['ox:mail:new'], { client: 'timed', expires: now + 30_000 }));
      await store.subscribe(sub(alice, 'long-lived', ['ox:mail:new'], { client: 'timed', expires: now + 3_600_000 }));
      assert.deepEqual(await tokens('ox:mail:new', [alice]), ['exact', 'long-lived', 'short-lived']);
      assert.equal((await store.list(cid, alice)).find((s) => s.token === 'short-lived')?.expires, now + 30_000);
      await clock.advance(30_000);
      assert.deepEqual(await tokens('ox:mail:new', [alice]), ['exact', 'long-lived'], 'expired at its expires time');
      assert.equal((await store.list(cid, alice)).some((s) => s.token === 'short-lived'), false);
      const db = kit.kernel.get(databaseRef)!.db;
      const count = async () => Number(((await db.selectFrom('pns_subscription').select((eb) => eb.fn.countAll().as('n')).where('token', '=', 'short-lived').executeTakeFirst()) as { n: number | string }).n);
      assert.equal(await count(), 1, 'still stored until the cleanup runs');
      await clock.advance(30_000);
      assert.equal(await count(), 0, 'the cleanup deleted it');
      assert.deepEqual(await tokens('ox:mail:new', [alice]), ['exact', 'long-lived']);
      const topicRows = await db.selectFrom('pns_subscription_topic as t').leftJoin('pns_subscription as s', 's.id', 't.subscription_id').select('t.topic').where('s.id', 'is', null).execute();
      assert.deepEqual(topicRows, [], 'no orphaned topic rows');
    });

    it('removes a dead token wherever it is', async () => {
      await store.subscribe(sub(alice, 'dead', ['*'], { client: 'c1' }));
      await store.subscribe(sub(alice, 'dead', ['*'], { client: 'c2' }));
      assert.equal(await store.removeToken('test', 'dead'), 2);
      assert.equal(await store.removeToken('test', 'dead'), 0);
    });

    it('keeps long tokens (webhook URIs) and answers for many users at once', async () => {
      const long = `https://hooks.example.com/${'x'.repeat(1900)}`;
      await store.subscribe(sub(bob, long, ['ox:mail:new']));
      const many = [...Array.from({ length: 1200 }, (_, i) => 100_000 + i), bob];
      assert.ok((await store.interested(cid, many, 'ox:mail:new')).some((m) => m.token === long));
      assert.equal(await store.removeToken('test', long), 1);
    });
  });
}
