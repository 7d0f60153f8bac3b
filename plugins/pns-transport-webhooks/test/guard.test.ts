import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pushTransportRef } from '@keel/plugin-sdk';
import { readMetrics } from '@keel/plugin-sdk/testing';
import { adminSend, startReceiver, startWebhookKernel, subscribe, type Receiver, type WebhookKernel } from './support.js';

describe('webhook targets on the local network are refused by default', () => {
  let receiver: Receiver;
  let kit: WebhookKernel;

  before(async () => {
    receiver = await startReceiver();
    kit = await startWebhookKernel({
      properties: {
        // allowLocalWebhooks keeps its default (false); plain http is allowed so that only the address guard stands in the way.
        'com.openexchange.pns.transport.webhooks.httpsOnly': 'false',
        'com.openexchange.webhooks.enabledIds': 'local, free',
      },
      webhooksYml: [
        'local:',
        `  uri: ${receiver.url}/hooks`,
        'free:',
        '  uriValidationMode: none',
      ].join('\n'),
    });
  });
  after(async () => {
    await kit?.stop();
    await receiver?.close();
  });

  it('refuses loopback, private and link-local addresses, also behind a host name', async () => {
    const cases = [
      'https://127.0.0.1/hook', 'https://[::1]/hook', 'https://10.1.2.3/hook', 'https://192.168.0.10/hook', 'https://172.16.5.4/hook',
      'https://169.254.169.254/latest/meta-data', 'https://[fe80::1]/hook', 'https://[fd00::1]/hook', 'https://[::ffff:127.0.0.1]/hook',
      'https://0.0.0.0/hook', 'https://localhost/hook', `${receiver.url}/hooks`, `http://localhost:${receiver.port}/hooks`,
    ];
    for (const token of cases) {
      const answer = await subscribe(kit, 'alice', { client: 'free', token });
      assert.equal(answer.status, 400, token);
      assert.equal(answer.body.code, 'WHK-0003', token);
      assert.match(String(answer.body.error), /loopback, private or link-local/, token);
    }
    const configured = await subscribe(kit, 'alice', { client: 'local', token: '' });
    assert.equal(configured.body.code, 'WHK-0003', 'the configured URI is checked like any other');
    assert.deepEqual(await kit.store.list(kit.contextId, kit.userIds.alice!), []);
  });

  it('refuses at delivery time too: a stored local URI is never called', async () => {
    // Stored directly, as if it had been accepted under another configuration.
    await kit.store.subscribe({ contextId: kit.contextId, userId: kit.userIds.bob!, token: `${receiver.url}/hooks`, client: 'local', transport: 'webhook', topics: ['*'] });
    await kit.store.subscribe({ contextId: kit.contextId, userId: kit.userIds.bob!, token: `http://localhost:${receiver.port}/hooks`, client: 'free', transport: 'webhook', topics: ['*'] });
    assert.equal(await adminSend(kit, kit.userIds.bob!, 'ox:mail:new', { id: 'x' }), 2, 'both matched and handed to the transport');
    assert.equal(receiver.requests.length, 0, 'the receiver on 127.0.0.1 was never called');
    assert.equal((await kit.store.list(kit.contextId, kit.userIds.bob!)).length, 2, 'a refusal is not a reason to remove the subscription');
    const metrics = await readMetrics(kit.kernel, 'pns-transport-webhooks');
    assert.deepEqual(['delivered', 'failed', 'refused'].map((outcome) => metrics.value('keel_webhook_deliveries_total', { outcome })), [0, 0, 2], 'counted as refused');
    assert.equal(metrics.value('keel_webhook_retries_total'), 0, 'a refusal is not retried');
    // The transport reports the refusals to the PNS as not delivered.
    const pns = await readMetrics(kit.kernel, 'pns-impl');
    assert.deepEqual([pns.value('keel_pns_delivered_total', { transport: 'webhook' }), pns.value('keel_pns_failed_total', { transport: 'webhook' })], [0, 2]);
    const transport = kit.kernel.getAll(pushTransportRef).find((candidate) => candidate.id === 'webhook')!;
    const matches = (await kit.store.list(kit.contextId, kit.userIds.bob!)).map((s) => ({ contextId: s.contextId, userId: s.userId, token: s.token, client: s.client, transport: s.transport, topic: 'ox:mail:new' }));
    assert.deepEqual(await transport.deliver({ contextId: kit.contextId, userId: kit.userIds.bob!, topic: 'ox:mail:new', messageData: { id: 'y' } }, matches), { failed: 2 });
    assert.equal(receiver.requests.length, 0);
  });
});

describe('httpsOnly (default true)', () => {
  it('refuses http URIs when subscribing and when delivering', async () => {
    const receiver = await startReceiver();
    const kit = await startWebhookKernel({
      properties: { 'com.openexchange.pns.transport.webhooks.allowLocalWebhooks': 'true', 'com.openexchange.webhooks.enabledIds': 'local' },
      webhooksYml: `local:\n  uri: ${receiver.url}/hooks\n`,
    });
    try {
      const answer = await subscribe(kit, 'alice', { client: 'local', token: '' });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.code, 'WHK-0003');
      assert.match(String(answer.body.error), /only https/);
      await kit.store.subscribe({ contextId: kit.contextId, userId: kit.userIds.alice!, token: `${receiver.url}/hooks`, client: 'local', transport: 'webhook', topics: ['*'] });
      assert.equal(await adminSend(kit, kit.userIds.alice!, 'ox:mail:new', { id: 'x' }), 1);
      assert.equal(receiver.requests.length, 0);
    } finally {
      await kit.stop();
      await receiver.close();
    }
  });
});
