import { existsSync } from 'node:fs';
import { defineBundle, isKeelError, metricsSourceRef, type MetricsSource } from '@keel/plugin-sdk';

/** Sibling bundles are loaded by name from plugins/<name>, as the kernel would find them. */
import { loadBundle } from '@keel/plugin-sdk/testing';
export { loadBundle };

/** The KeelError code a promise rejects with, or 'ok'. */
export async function outcomeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (isKeelError(error)) return error.code;
    throw error;
  }
}

export function basic(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
}

export async function call(url: string, method: string, path: string, authorization?: string): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, { method, headers: authorization !== undefined ? { authorization } : {} });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** Debian's Chromium, driven by playwright-core (which never downloads a browser of its own here). */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Undefined when Chromium is installed; otherwise a loud skip reason, or a failure under CI=true so a
 * broken CI machine cannot pass by skipping the browser tests (as test/harness/availability.ts does).
 */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `${CHROMIUM} not installed — run: apt-get install chromium; the admin console browser tests are SKIPPED`;
  if (['true', '1'].includes((process.env['CI'] ?? '').toLowerCase())) throw new Error(`${reason} (CI=true)`);
  process.stderr.write(`\n${'!'.repeat(reason.length + 6)}\n!! ${reason}\n${'!'.repeat(reason.length + 6)}\n\n`);
  return reason;
}

/**
 * A bundle registering one metrics source with a counter the test moves (`counter.ticks`), plus
 * any extra sources given (e.g. a failing one).
 */
export function figuresBundle(counter: { ticks: number }, source: string, family: string, extra: MetricsSource[] = []) {
  return defineBundle({
    provides: [metricsSourceRef],
    start({ register }) {
      register(metricsSourceRef, {
        name: source,
        collect: () => [{ name: family, help: 'Moved by the test', type: 'counter', labelNames: ['kind'], samples: [{ labels: { kind: 'tick' }, value: counter.ticks }] }],
      });
      for (const more of extra) register(metricsSourceRef, more);
    },
  });
}
