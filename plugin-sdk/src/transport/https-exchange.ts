/** HTTPS POSTs for push transports that talk to vendor APIs (FCM, WNS, …): keep-alive, configured trust, bounded answers. */
import { Agent, request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

export interface HttpsAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpsExchange {
  /** POSTs `body`; resolves with any HTTP answer, rejects on network errors and timeouts. */
  post(url: string, headers: Record<string, string>, body: string): Promise<HttpsAnswer>;
  close(): void;
}

/** Answers bigger than this are cut: vendors answer pushes with a few hundred bytes. */
const MAX_ANSWER_BYTES = 1 << 20;

/** HTTPS with keep-alive sockets (one agent per transport) and the configured trust. */
export function createHttpsExchange(options: { ca: string[] | undefined; timeoutMillis: number; maxSockets: number }): HttpsExchange {
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets, ...(options.ca ? { ca: options.ca } : {}) });
  return {
    post(url, headers, body) {
      return new Promise((resolve, reject) => {
        const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, timeout: options.timeoutMillis }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMillis} ms`)));
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function retryAfterMillis(headers: IncomingHttpHeaders): number | undefined {
  const value = headers['retry-after'];
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
