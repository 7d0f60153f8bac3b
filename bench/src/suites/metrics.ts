import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defineBundle, metricFamily, metricsSourceRef, type MetricFamily } from '@keel/plugin-sdk';
import { loadBundles, startTestKernel } from '@keel/plugin-sdk/testing';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { asyncOpsPerSecond, median, percentile, result, type BenchResult } from '../measure.js';

/** Families and series per family a probe source reports: about what pns-impl, push and the transports report together. */
const FAMILIES = 8;
const SERIES = 5;
const ROUNDS = 3;
const REQUEST_ROUNDS = 6;

function probeFamilies(tick: number): MetricFamily[] {
  return Array.from({ length: FAMILIES }, (_, f) => metricFamily(
    { name: `keel_bench_family_${f}`, help: `bench family ${f}`, type: 'gauge', labelNames: ['transport'] },
    Object.fromEntries(Array.from({ length: SERIES }, (_, s) => [`t${s}`, tick + s])),
  ));
}

/**
 * What observing requests costs: requests per second on a small JSON route while the metrics bundle
 * records every request (requestCompleted hook tapped) against the same kernel with the bundle
 * stopped (hook without taps), in alternating rounds. And a `/metrics` scrape of the default process
 * metrics plus a source of 8 × 5 series, against a bare node server answering prom-client's
 * `registry.metrics()` for the same series.
 */
export async function run(): Promise<BenchResult[]> {
  let tick = 0;
  const probe = defineBundle({
    provides: [metricsSourceRef],
    start({ http, register }) {
      http.route({ method: 'GET', path: '/bench/ping/:id', handler: (request) => ({ pong: request.params['id'] }) });
      register(metricsSourceRef, { name: 'bench', collect: () => probeFamilies(tick++) });
    },
  });
  const keel = await startTestKernel({ bundles: { ...(await loadBundles('metrics')), probe } });
  const bare = await startBarePromServer();
  try {
    const ping = async (i: number) => {
      const response = await fetch(`${keel.url}/bench/ping/${i % 100}`);
      if (!response.ok) throw new Error(`ping answered ${response.status}`);
      await response.arrayBuffer();
    };
    await asyncOpsPerSecond(ping, { durationMs: 500, concurrency: 8 });
    const observed: number[] = [];
    const plain: number[] = [];
    const observedLatencies: number[] = [];
    const plainLatencies: number[] = [];
    const measure = async (active: boolean) => {
      await (active ? keel.kernel.startBundle('metrics') : keel.kernel.stopBundle('metrics'));
      const { rate, latencies } = await asyncOpsPerSecond(ping, { durationMs: 1500, concurrency: 8 });
      (active ? observed : plain).push(rate);
      (active ? observedLatencies : plainLatencies).push(...latencies);
    };
    // The order flips every round so drift on a shared machine does not favour one side.
    for (let round = 0; round < REQUEST_ROUNDS; round++) {
      await measure(round % 2 === 0);
      await measure(round % 2 !== 0);
    }
    await keel.kernel.startBundle('metrics');

    const scrape = (url: string) => async () => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      await response.arrayBuffer();
    };
    const keelScrape = scrape(`${keel.url}/metrics`);
    const bareScrape = scrape(bare.url);
    await keelScrape();
    await bareScrape();
    const keelTimes: number[] = [];
    const bareTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      keelTimes.push(...(await asyncOpsPerSecond(keelScrape, { durationMs: 1000, concurrency: 1 })).latencies);
      bareTimes.push(...(await asyncOpsPerSecond(bareScrape, { durationMs: 1000, concurrency: 1 })).latencies);
    }
    return [
      result('metrics', 'requests/s with every request observed (metrics bundle active)', median(observed), 'ops/s', 'higher',
        { name: 'same kernel, metrics bundle stopped', value: median(plain) },
        `p99 ${percentile(observedLatencies, 99).toFixed(2)} vs ${percentile(plainLatencies, 99).toFixed(2)} ms`),
      result('metrics', `/metrics scrape, process metrics + ${FAMILIES}×${SERIES} source series, median`, median(keelTimes), 'ms', 'lower',
        { name: 'bare node server with prom-client, same series', value: median(bareTimes) },
        `p99 ${percentile(keelTimes, 99).toFixed(2)} vs ${percentile(bareTimes, 99).toFixed(2)} ms`),
    ];
  } finally {
    await bare.close();
    await keel.stop();
  }
}

/** prom-client used directly: default metrics and the same gauges, answered by node:http. */
async function startBarePromServer(): Promise<{ url: string; close(): Promise<void> }> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let tick = 0;
  for (let f = 0; f < FAMILIES; f++) {
    new Gauge({
      name: `bench_family_${f}`, help: `bench family ${f}`, labelNames: ['transport'], registers: [registry],
      collect() {
        for (let s = 0; s < SERIES; s++) this.set({ transport: `t${s}` }, tick + s);
      },
    });
  }
  const server: Server = createServer((_request, response) => {
    tick++;
    registry.metrics().then((text) => {
      response.writeHead(200, { 'content-type': registry.contentType });
      response.end(text);
    }, (error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
