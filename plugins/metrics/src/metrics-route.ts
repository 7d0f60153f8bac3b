import type { HttpRequest, HttpService } from '@keel/plugin-sdk';

export const METRICS_PATH = '/metrics';

/** `GET /metrics` (and HEAD): the guard decides who may read, then one scrape answers. */
export function registerMetricsRoute(options: {
  http: HttpService;
  guard: { verify(request: HttpRequest): void };
  scrape: () => Promise<string>;
  contentType: string;
}): void {
  const { http, guard, scrape, contentType } = options;
  http.route({
    method: 'GET',
    path: METRICS_PATH,
    async handler(request, reply) {
      guard.verify(request);
      const body = await scrape();
      reply.header('content-type', contentType);
      return body;
    },
  });
}
