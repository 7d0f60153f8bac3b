// One POST to a webhook over a keep-alive pool, with connect/read timeouts, checked redirects and
// the local-address guard on every connection.
import http from 'node:http';
import https from 'node:https';
import { checkTarget, guardedLookup } from './address-guard.js';
import { TargetRefusedError } from './errors.js';
import type { TransportSettings } from './transport-settings.js';
import type { WebhookRequest } from './webhook-request.js';

export interface SendOutcome {
  /** The final answer's status, when there was one. */
  status?: number;
  timeout?: 'connect' | 'read';
  /** A connection failure (refused, reset, DNS). */
  network?: boolean;
  /** The target was refused before any byte was sent (scheme, local address). */
  refused?: boolean;
  /** The receiver's TLS certificate was not accepted (not retried: it will not fix itself). */
  tls?: boolean;
  /** What went wrong, for the log (never contains secrets). */
  reason?: string;
}

export interface WebhookHttpClient {
  post(url: URL, request: WebhookRequest): Promise<SendOutcome>;
  /** Closes pooled connections. */
  close(): void;
}

const CERTIFICATE_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'CERT_REVOKED', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function isCertificateError(code: string | undefined): boolean {
  return code !== undefined && CERTIFICATE_ERRORS.has(code);
}

class RequestTimeout extends Error {
  constructor(readonly phase: 'connect' | 'read', ms: number) {
    super(`${phase} timeout after ${ms} ms`);
  }
}

export function createWebhookHttpClient(settings: TransportSettings): WebhookHttpClient {
  const pool = { keepAlive: true, maxSockets: settings.maxConnectionsPerHost, maxTotalSockets: settings.maxConnections, scheduling: 'lifo' as const };
  const httpAgent = new http.Agent(pool);
  const httpsAgent = new https.Agent({ ...pool, rejectUnauthorized: !settings.allowTrustAll });
  const guard = { httpsOnly: settings.httpsOnly, allowLocal: settings.allowLocalWebhooks };

  function once(target: URL, headers: Readonly<Record<string, string>>, body: Buffer): Promise<SendOutcome & { location?: string }> {
    return new Promise((resolve) => {
      let settled = false;
      let connectTimer: NodeJS.Timeout | undefined;
      const finish = (outcome: SendOutcome & { location?: string }) => {
        if (settled) return;
        settled = true;
        if (connectTimer !== undefined) clearTimeout(connectTimer);
        resolve(outcome);
      };
      let request: http.ClientRequest;
      try {
        const options: https.RequestOptions = {
          method: 'POST',
          agent: target.protocol === 'https:' ? httpsAgent : httpAgent,
          headers: { ...headers, 'Content-Length': String(body.length) },
        };
        if (!settings.allowLocalWebhooks) options.lookup = guardedLookup;
        request = (target.protocol === 'https:' ? https : http).request(target, options);
      } catch (error) {
        finish({ reason: (error as Error).message });
        return;
      }
      request.on('socket', (socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(() => request.destroy(new RequestTimeout('connect', settings.connectTimeoutMs)), settings.connectTimeoutMs);
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      request.setTimeout(settings.readTimeoutMs, () => request.destroy(new RequestTimeout('read', settings.readTimeoutMs)));
      request.on('response', (response) => {
        // The status decides; the answer's body is drained so the connection returns to the pool.
        response.resume();
        response.on('error', () => undefined);
        const location = response.headers.location;
        finish({ status: response.statusCode ?? 0, ...(location === undefined ? {} : { location }) });
      });
      request.on('error', (error: Error & { code?: string }) => {
        if (error instanceof RequestTimeout) finish({ timeout: error.phase, reason: error.message });
        else if (error instanceof TargetRefusedError || error.name === 'TargetRefusedError') finish({ refused: true, reason: error.message });
        else if (isCertificateError(error.code)) finish({ tls: true, reason: error.code ?? error.message });
        else finish({ network: true, reason: error.code ?? error.message });
      });
      request.end(body);
    });
  }

  return {
    async post(url, webhookRequest) {
      let target = url;
      let headers: Record<string, string> = { ...webhookRequest.headers };
      for (let hop = 0; ; hop++) {
        try {
          checkTarget(target, guard);
        } catch (error) {
          return { refused: true, reason: (error as Error).message };
        }
        const outcome = await once(target, headers, webhookRequest.body);
        const { location, ...result } = outcome;
        // Only 307/308 keep the method and body; a webhook turned into a GET would be lost anyway.
        if ((outcome.status === 307 || outcome.status === 308) && location !== undefined) {
          if (hop >= settings.maxRedirects) return { ...result, reason: `more than ${settings.maxRedirects} redirects` };
          let next: URL;
          try {
            next = new URL(location, target);
          } catch {
            return { ...result, reason: 'redirect to an invalid URI' };
          }
          // Credentials are for the configured receiver only, not for whatever it redirects to.
          if (next.origin !== target.origin) delete headers.Authorization;
          target = next;
          continue;
        }
        if (outcome.status !== undefined && outcome.status >= 300 && outcome.status < 400) {
          return { ...result, reason: `redirect ${outcome.status} not followed (only 307 and 308 keep the POST)` };
        }
        return result;
      }
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
