import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  API, anyText, assemble, body, contentType, cookieHeader, extraHeaders, fuzzSeed, fuzzWithMemoryCheck, method, queryPart, queryString,
  startFuzzServer, startReceiver, stopAndScanLog, type FuzzRequest, type FuzzServer,
} from './support.js';

// PNS subscriptions (`pns?action=subscribe|unsubscribe`, pns-impl) with a webhook client configured
// (its receiver runs on 127.0.0.1, local webhooks allowed) so `transport=webhook` gets past the
// registry into the transport's URI validation. Answers: {"data":{"success":true}} or 400
// PNS-0001/0002/0004, WHK-0001…0003, 401/403 SES-…, 409 PNS-0003, 413. No 5xx is intended.
const SEED = fuzzSeed(1_414_213);
const WEBHOOK_SECRET = 'webhook-authorization-secret-4e8f';
const SIGNATURE_SECRET = 'webhook-signature-secret-a71d';

describe('fuzz: PNS subscribe', () => {
  let server: FuzzServer | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  let hookUri = '';

  before(async () => {
    receiver = await startReceiver();
    hookUri = `http://127.0.0.1:${receiver.port}/hooks/fuzz`;
    server = await startFuzzServer({
      properties: {
        'com.openexchange.webhooks.enabledIds': 'fuzzhook',
        'com.openexchange.pns.transport.webhooks.httpsOnly': 'false',
        'com.openexchange.pns.transport.webhooks.allowLocalWebhooks': 'true',
        'com.openexchange.pns.maxSubscriptionsPerClient': '50',
      },
      files: {
        'webhooks.yml': [
          'fuzzhook:', `  uri: ${hookUri}`, `  webhookSecret: ${WEBHOOK_SECRET}`, `  signatureSecret: ${SIGNATURE_SECRET}`, '  maxNumberOfSubscriptionsPerUser: 20',
          'exacthook:', `  uri: ${hookUri}`, '  uriValidationMode: exact',
        ].join('\n') + '\n',
      },
      secrets: [
        { name: 'webhook secret', value: WEBHOOK_SECRET },
        { name: 'webhook signature secret', value: SIGNATURE_SECRET },
      ],
    });
  });

  after(async () => {
    await stopAndScanLog(server);
    await receiver?.close();
  });

  test('malformed subscribe and unsubscribe calls answer client errors with stable codes', async (t) => {
    const fuzz = server!;
    const topics = fc.oneof(
      { weight: 3, arbitrary: fc.array(fc.constantFrom('ox:mail:new', 'ox:calendar:updates', '*', 'ox:*', 'ox:mail:*'), { minLength: 1, maxLength: 3 }) },
      { weight: 2, arbitrary: fc.array(fc.oneof(fc.constantFrom(':', 'a::b', ':a', 'a:', 'a b', 'ox:mail:new:', '**', 'ox:*:new', ''), anyText), { maxLength: 4 }) },
      { weight: 1, arbitrary: fc.oneof(fc.constant([]), fc.constant(Array.from({ length: 150 }, (_, i) => `t${i}`)), anyText, fc.integer(), fc.constant(null)) },
    );
    const token = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('', hookUri, `${hookUri}/sub`, `${hookUri}?x=1`, 'http://127.0.0.1:1/hooks/fuzz', 'https://127.0.0.1/hooks/fuzz', 'http://[::1]/x', 'http://localhost/hooks', 'ftp://127.0.0.1/', 'http://user:pw@127.0.0.1/hooks/fuzz', 'http://0x7f.1/', 'http://127.0.0.1:99999/', 'javascript:alert(1)') },
      { weight: 2, arbitrary: anyText },
      { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.constant('t'.repeat(5_000))) },
    );
    const subscription = fc.record({
      client: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('fuzzhook', 'exacthook', 'open-xchange-appsuite', 'unknownhook') }, { weight: 1, arbitrary: fc.oneof(anyText, fc.integer()) }),
      token,
      transport: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('webhook', 'websocket', 'apn', 'gcm', 'wns') }, { weight: 1, arbitrary: fc.oneof(anyText, fc.integer(), fc.constant(null)) }),
      topics,
      meta: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), fc.constant({ big: 'm'.repeat(5_000) }), anyText, fc.constant(null)),
      expires: fc.oneof(fc.constant(Date.now() + 3_600_000), fc.integer(), fc.double(), fc.constant(0), anyText),
    }, { requiredKeys: [] });

    const target = fc.tuple(
      fc.oneof({ weight: 6, arbitrary: fc.constant('pns') }, { weight: 1, arbitrary: fc.constantFrom('PNS', 'pns/', 'push') }),
      queryString(fc.constantFrom('session', 'action', 'client', 'transport', 'token'), fc.tuple(
        fc.oneof({ weight: 5, arbitrary: fc.constantFrom('subscribe', 'subscribe', 'unsubscribe') }, { weight: 1, arbitrary: queryPart }),
        fc.oneof({ weight: 4, arbitrary: fc.constant(fuzz.session.id) }, { weight: 1, arbitrary: queryPart }),
      ).map(([action, session]): Array<[string, string]> => [['action', action], ['session', session]])),
    ).map(([module, query]) => `${API}/${module}${query}`);

    const requests: fc.Arbitrary<FuzzRequest> = fc.record({
      method: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('PUT', 'POST') }, { weight: 1, arbitrary: method }),
      target,
      contentType: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('application/json', 'text/javascript; charset=UTF-8') }, { weight: 2, arbitrary: contentType }),
      cookie: fc.oneof({ weight: 4, arbitrary: fc.constant(fuzz.session.cookie) }, { weight: 1, arbitrary: cookieHeader(() => fuzz.session.cookie) }),
      body: fc.oneof({ weight: 4, arbitrary: subscription.map((s) => JSON.stringify(s)) }, { weight: 2, arbitrary: body(subscription) }),
      chunked: fc.boolean(),
      extra: extraHeaders,
    }).map((r) => assemble({ method: r.method, target: r.target, headers: { ...r.extra, 'content-type': r.contentType, cookie: r.cookie }, body: r.body, chunked: r.chunked }));

    await fuzzWithMemoryCheck(t, {
      name: 'pns subscribe',
      server: fuzz,
      requests,
      rules: { style: 'action', bodyLimit: 64 * 1024 },
      seed: SEED,
      runs: 250,
      check(request, response) {
        if (response.status === 200 && request.method !== 'HEAD') assert.deepEqual(JSON.parse(response.body.toString('utf8')), { data: { success: true } });
      },
    });
  });
});
