import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { contextServiceRef, userServiceRef, type DefinedBundle } from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import sessiond from '../src/index.js';
import { createRecorder } from './recorder.js';
import { eventually, loadBundle, loginClient, whoami } from './support.js';

async function bootWith(properties: Record<string, string>, recorder: ReturnType<typeof createRecorder>): Promise<TestKernel> {
  const bundles: Record<string, DefinedBundle<any, any>> = {
    'storage-sql': await loadBundle('storage-sql'),
    auth: await loadBundle('auth'),
    'auth-database': await loadBundle('auth-database'),
    sessiond,
    recorder: recorder.bundle,
  };
  const kernel = await startTestKernel({ bundles, properties });
  const context = await kernel.get(contextServiceRef)!.create({ name: 'lifetime', loginMappings: ['example.com'] });
  await kernel.get(userServiceRef)!.create(context.id, { login: 'alice', password: 'alice-secret', displayName: 'Alice', email: 'alice@example.com' });
  return kernel;
}

describe('sessiond: idle timeout', () => {
  let kernel: TestKernel;
  const recorder = createRecorder();
  before(async () => {
    // A tiny idle timeout: the sweep (a quarter of it) removes the session soon after login.
    kernel = await bootWith({ 'com.openexchange.sessiond.sessionDefaultLifeTime': '200' }, recorder);
  });
  after(async () => {
    await kernel?.stop();
  });

  it('removes an idle session with reason idle and fires sessions.removed', async () => {
    const client = await loginClient(kernel.url, 'alice@example.com', 'alice-secret');
    const removal = await eventually(() => recorder.removalOf(client.session), 'the idle session to be swept');
    assert.equal(removal.reason, 'idle');
    assert.equal(removal.session.userId, client.userId);
    const answer = await whoami(kernel.url, client.session, client.cookie);
    assert.equal(answer.status, 401);
    assert.equal(answer.body['code'], 'SES-0203');
  });
});

describe('sessiond: maximum sessions per user', () => {
  let kernel: TestKernel;
  const recorder = createRecorder();
  before(async () => {
    kernel = await bootWith({ 'com.openexchange.sessiond.maxSessionPerUser': '2' }, recorder);
  });
  after(async () => {
    await kernel?.stop();
  });

  it('evicts the oldest session when a user opens one too many', async () => {
    const first = await loginClient(kernel.url, 'alice@example.com', 'alice-secret');
    const second = await loginClient(kernel.url, 'alice@example.com', 'alice-secret');
    assert.equal(recorder.removalOf(first.session), undefined);
    const third = await loginClient(kernel.url, 'alice@example.com', 'alice-secret');
    assert.equal(recorder.removalOf(first.session)?.reason, 'evicted');
    assert.equal((await whoami(kernel.url, first.session, first.cookie)).body['code'], 'SES-0203');
    assert.equal((await whoami(kernel.url, second.session, second.cookie)).status, 200);
    assert.equal((await whoami(kernel.url, third.session, third.cookie)).status, 200);
    assert.equal((await recorder.sessions.listByUser(third.contextId, third.userId)).length, 2);
  });
});
