// Signed webhook deliveries per second next to plain POSTs through the same HTTP client, against a
// local receiver: what the signing and header work costs on top of the HTTP round trip.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PushMatch, PushNotification } from '@keel/plugin-sdk';
import type { TransportSettings } from './transport-settings.js';
import type { WebhookConfig } from './webhook-config.js';
import { createWebhookHttpClient } from './webhook-http-client.js';
import { buildWebhookRequest, type WebhookRequest } from './webhook-request.js';

export interface WebhookBenchmarkResult {
  count: number;
  concurrency: number;
  signedPerSecond: number;
  plainPerSecond: number;
  /** signed / plain: 1.0 means signing costs nothing measurable. */
  ratio: number;
}

const SETTINGS: TransportSettings = {
  httpsOnly: false, allowLocalWebhooks: true, allowTrustAll: false, connectTimeoutMs: 5000, readTimeoutMs: 10_000,
  maxConnections: 100, maxConnectionsPerHost: 100, maxRedirects: 0, maxRetries: 0, retryBaseDelayMs: 0, retryMaxDelayMs: 0,
  userAgent: 'Open-Xchange Webhook Client',
};

/**
 * Runs `count` signed deliveries (body built and signed per request: X-OX-Signature and the
 * Standard Webhooks headers) and `count` plain JSON POSTs of the same size, `concurrency` at a time,
 * through one keep-alive client to a receiver on 127.0.0.1. Both runs follow a warm-up.
 */
export async function measureWebhookDeliveries(options: { count?: number; concurrency?: number } = {}): Promise<WebhookBenchmarkResult> {
  const count = options.count ?? 5000;
  const concurrency = options.concurrency ?? 32;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-length': '0' }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
  const client = createWebhookHttpClient(SETTINGS);
  const webhook: WebhookConfig = {
    id: 'bench', uri: url, uriValidationMode: 'prefix', webhookSecret: 'Bearer bench', signatureSecret: 'bench-secret', version: 1,
    signatureHeaderName: 'X-OX-Signature', allowSharedUri: true, standardWebhooks: true, standardWebhooksSecret: Buffer.from('bench-standard-secret'),
  };
  const notification: PushNotification = {
    contextId: 1, userId: 14, topic: 'ox:mail:new',
    messageData: { folder: 'default0/INBOX', id: '113', email: 'jane.doe@foobar.com', displayname: 'Jane Doe', subject: "Let's meet", unread: 83, teaser: 'Hello' },
  };
  const match: PushMatch = { contextId: 1, userId: 14, token: url.href, client: 'bench', transport: 'webhook', topic: 'ox:mail:new' };
  const signed = (): WebhookRequest => buildWebhookRequest({ webhook, notification, match, email1: 'john@example.com', userAgent: SETTINGS.userAgent, now: Date.now() });
  const plain = (): WebhookRequest => {
    const body = Buffer.from(JSON.stringify({ event: notification.topic, payload: { ...notification.messageData, user: 14, context: 1, email1: 'john@example.com' }, timestamp: Date.now() }));
    return { body, headers: { 'Content-Type': 'application/json; charset=UTF-8', 'User-Agent': SETTINGS.userAgent }, timestamp: 0 };
  };

  /** Seconds for `total` requests. */
  async function run(make: () => WebhookRequest, total: number): Promise<number> {
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) {
        next++;
        const outcome = await client.post(url, make());
        if (outcome.status !== 200) throw new Error(`benchmark receiver answered ${outcome.status ?? outcome.reason}`);
      }
    }));
    return Number(process.hrtime.bigint() - started) / 1e9;
  }

  try {
    await run(plain, Math.min(500, count));
    await run(signed, Math.min(500, count));
    // Alternating rounds, each kind first in turn, so drift on a shared machine hits both alike.
    const rounds = 4;
    const perRound = Math.max(1, Math.floor(count / rounds));
    let plainSeconds = 0;
    let signedSeconds = 0;
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        plainSeconds += await run(plain, perRound);
        signedSeconds += await run(signed, perRound);
      } else {
        signedSeconds += await run(signed, perRound);
        plainSeconds += await run(plain, perRound);
      }
    }
    const done = perRound * rounds;
    const signedPerSecond = done / signedSeconds;
    const plainPerSecond = done / plainSeconds;
    return { count: done, concurrency, signedPerSecond, plainPerSecond, ratio: signedPerSecond / plainPerSecond };
  } finally {
    client.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
