import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createUsers, eventually, probeManager, startPushKernel, testMembership, type ProbeEvent, type PushKernel } from './support.js';

const GLOBAL = { 'com.openexchange.mail.passwordSource': 'global', 'com.openexchange.mail.masterPassword': 'imap-master' };

describe('push: permanent listeners come back after a node restart', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keel-push-restart-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stop the node: listeners stop with reason shutdown; a new node on the same database starts them again', async () => {
    const properties = { ...GLOBAL, 'keel.database.url': `sqlite:${join(dir, 'keel.db')}` };
    const first: ProbeEvent[] = [];
    const one = await startPushKernel({ probe: probeManager(first) }, properties);
    const { users } = await createUsers(one, ['h1', 'h2', 'h3']);
    for (const user of users) await one.push.registerPermanent({ contextId: user.contextId, userId: user.userId, client: 'open-xchange-mobile-api-facade' });
    assert.equal(first.filter((e) => e.type === 'start').length, 3);
    await one.stop();
    assert.deepEqual(first.filter((e) => e.type === 'stop').map((e) => e.reason), ['shutdown', 'shutdown', 'shutdown']);

    const second: ProbeEvent[] = [];
    const two = await startPushKernel({ probe: probeManager(second) }, properties);
    try {
      await eventually(() => second.filter((e) => e.type === 'start').length === 3, 'three permanent listeners after the restart');
      assert.deepEqual(second.map((e) => [e.type, e.userId, e.permanent]).sort(), users.map((u) => ['start', u.userId, true]).sort());
      assert.deepEqual(two.push.runningListeners().map((l) => [l.userId, l.permanent]), users.map((u) => [u.userId, true]));
    } finally {
      await two.stop();
    }
  });
});

describe('push: re-plan against a changing member list', () => {
  const events: ProbeEvent[] = [];
  const cluster = testMembership('node-b', ['node-b']);
  let keel: PushKernel;
  let users: Array<{ contextId: number; userId: number; login: string }>;
  const runningHere = () => keel.push.runningListeners().filter((l) => l.permanent).map((l) => l.userId);

  before(async () => {
    keel = await startPushKernel({ probe: probeManager(events), membership: cluster.bundle }, { ...GLOBAL, 'keel.push.replanDelay': '50', 'keel.push.replanInterval': '10' });
    ({ users } = await createUsers(keel, ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']));
    for (const user of users) await keel.push.registerPermanent({ contextId: user.contextId, userId: user.userId, client: 'USM-EAS' });
  });

  after(async () => {
    await keel?.stop();
  });

  it('alone in the list: every registered user runs here', () => {
    assert.deepEqual(runningHere(), users.map((u) => u.userId));
  });

  it('a second member joins: users 1, 3, 5 (i mod 2 = 0) go to node-a and stop here as moved; 2, 4, 6 stay', async () => {
    events.length = 0;
    cluster.set(['node-a', 'node-b']);
    await eventually(() => events.length === 3, 'three moved away');
    assert.deepEqual(events.map((e) => [e.type, e.userId, e.reason]), [0, 2, 4].map((i) => ['stop', users[i]!.userId, 'moved']));
    assert.deepEqual(runningHere(), [1, 3, 5].map((i) => users[i]!.userId));
  });

  it('a burst (three changes at once) ends in one plan: node-b alone again, the others arrive and start', async () => {
    events.length = 0;
    cluster.set(['node-a', 'node-b', 'node-c']);
    cluster.set(['node-c', 'node-b']);
    cluster.set(['node-b']);
    await eventually(() => runningHere().length === 6, 'all six here again');
    // Only the final list counts: exactly the three that were elsewhere start, nothing stops.
    assert.deepEqual(events.map((e) => [e.type, e.userId]), [0, 2, 4].map((i) => ['start', users[i]!.userId]));
  });

  it('this node leaves the list: everything stops as moved; it comes back: everything starts', async () => {
    events.length = 0;
    cluster.set(['node-a']);
    await eventually(() => runningHere().length === 0, 'nothing here');
    assert.equal(events.filter((e) => e.type === 'stop' && e.reason === 'moved').length, 6);
    cluster.set(['node-a', 'node-b', 'node-c']);
    // users sorted by (context, user): index 1 and 4 map to node-b (i mod 3 = 1).
    await eventually(() => runningHere().length === 2, 'two here');
    assert.deepEqual(runningHere(), [1, 4].map((i) => users[i]!.userId));
  });
});
