import { result, type BenchResult } from '../measure.js';

interface WebhookBenchmarkResult { count: number; concurrency: number; signedPerSecond: number; plainPerSecond: number }

/** Signed webhook deliveries/s to a local receiver, next to plain POSTs through the same HTTP client. */
export async function run(): Promise<BenchResult[]> {
  const module = (await import(new URL('../../../../plugins/pns-transport-webhooks/dist/src/index.js', import.meta.url).href)) as {
    measureWebhookDeliveries(options: { count?: number; concurrency?: number }): Promise<WebhookBenchmarkResult>;
  };
  const figures = await module.measureWebhookDeliveries({ count: 5000, concurrency: 32 });
  return [
    result('pns', `signed webhook deliveries/s (X-OX-Signature, ${figures.count} requests, ${figures.concurrency} at once)`, figures.signedPerSecond, 'ops/s', 'higher', { name: 'plain POSTs, same client', value: figures.plainPerSecond }),
  ];
}
