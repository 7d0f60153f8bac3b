import { defineBundle, metricsSourceRef, type DefinedBundle, type MetricFamily } from '@keel/plugin-sdk';

/**
 * A real bundle that registers one MetricsSource answering `collect` (at `ranking`: sources are merged
 * in ranking order) and, with `routes`, a REST route and a module action.
 */
export function sourceBundle(
  name: string,
  collect: () => readonly MetricFamily[] | Promise<readonly MetricFamily[]>,
  options: { ranking?: number; routes?: boolean } = {},
): DefinedBundle<any, any> {
  const { ranking = 0, routes = false } = options;
  return defineBundle({
    provides: [metricsSourceRef],
    start({ register, http }) {
      register(metricsSourceRef, { name, collect }, { ranking });
      if (routes) {
        http.route({ method: 'GET', path: '/things/:id', handler: (request) => ({ id: request.params['id'] }) });
        http.action({ module: 'things', action: 'get', handler: () => ({ ok: true }) });
      }
    },
  });
}

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The samples of a Prometheus text exposition. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, label, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[label!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The values of the samples named `name` whose labels include `labels`. */
export function valuesOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number[] {
  return samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .map((sample) => sample.value);
}

export async function scrape(url: string, authorization?: string): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${url}/metrics`, { headers: authorization === undefined ? {} : { authorization } });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

export function basic(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
}
