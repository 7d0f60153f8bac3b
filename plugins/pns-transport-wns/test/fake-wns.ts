import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface SeenNotification {
  channel: string;
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

export interface FakeWnsOptions {
  key: string;
  cert: string;
  /** The app's package SID and client secret the token endpoint accepts. */
  sid: string;
  secret: string;
}

export interface FakeWns {
  readonly url: string;
  readonly tokenUrl: string;
  readonly notifications: SeenNotification[];
  readonly tokenRequests: Array<{ form: Record<string, string>; answered: number }>;
  /** A new channel URI on this server (the token in the query identifies the device). */
  channel(): string;
  /** Statuses for the next notifications to a channel, in order; afterwards 200. */
  script(channel: string, ...statuses: number[]): void;
  attempts(channel: string): number;
  /** Every access token issued so far stops working (401 "Token has expired"). */
  revokeAccessTokens(): void;
  close(): Promise<void>;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'One or more headers were specified incorrectly',
  403: 'The cloud service is not authorized to send a notification to this URI',
  404: 'The channel URI is not valid or is not recognized by WNS',
  406: 'The cloud service exceeded its throttle limit',
  410: 'The channel expired',
  413: 'The notification payload exceeds the 5000 byte size limit',
  500: 'An internal failure caused notification delivery to fail',
  503: 'The server is currently unavailable',
};

/**
 * A stand-in for login.live.com and *.notify.windows.com on 127.0.0.1: the token endpoint checks
 * the client-credentials form; the channel endpoint checks the bearer token, X-WNS-Type and
 * Content-Type, and the toast XML, and answers with WNS's documented statuses and headers.
 */
export async function startFakeWns(options: FakeWnsOptions): Promise<FakeWns> {
  const notifications: SeenNotification[] = [];
  const tokenRequests: FakeWns['tokenRequests'] = [];
  const scripts = new Map<string, number[]>();
  const attempts = new Map<string, number>();
  const accessTokens = new Set<string>();
  let url = '';

  const server: Server = createServer({ key: options.key, cert: options.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => route(req, res, Buffer.concat(chunks).toString('utf8')));
  });

  function answer(res: ServerResponse, status: number, headers: Record<string, string> = {}): number {
    const description = DESCRIPTIONS[status];
    res.writeHead(status, { 'x-wns-msg-id': randomBytes(8).toString('hex'), ...(description ? { 'x-wns-error-description': description } : {}), ...headers });
    res.end();
    return status;
  }

  function route(req: IncomingMessage, res: ServerResponse, body: string): void {
    if (req.method !== 'POST') return void answer(res, 405);
    if (req.url === '/accesstoken.srf') return token(req, res, body);
    if (req.url?.startsWith('/w/?token=')) return notify(req, res, body);
    answer(res, 404);
  }

  function token(req: IncomingMessage, res: ServerResponse, body: string): void {
    const form = Object.fromEntries(new URLSearchParams(body));
    const ok = String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')
      && form['grant_type'] === 'client_credentials' && form['scope'] === 'notify.windows.com'
      && form['client_id'] === options.sid && form['client_secret'] === options.secret;
    if (!ok) {
      tokenRequests.push({ form, answered: 400 });
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_client', error_description: 'Invalid client id or client secret' }));
      return;
    }
    const accessToken = `EgAcAQMAAAAALYAAY/c+Huwi3Fv4Ck10UrKNmtxRO6Njk2MgA=${randomBytes(12).toString('hex')}`;
    accessTokens.add(accessToken);
    tokenRequests.push({ form, answered: 200 });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token_type: 'bearer', access_token: accessToken, expires_in: 86400 }));
  }

  function notify(req: IncomingMessage, res: ServerResponse, body: string): void {
    const channel = `${url}${req.url}`;
    attempts.set(channel, (attempts.get(channel) ?? 0) + 1);
    const bearer = /^Bearer (.+)$/.exec(String(req.headers['authorization']))?.[1];
    if (bearer === undefined || !accessTokens.has(bearer)) {
      return void answer(res, 401, { 'www-authenticate': 'Bearer error="invalid_token",error_description="Token has expired"' });
    }
    const type = req.headers['x-wns-type'];
    const contentType = String(req.headers['content-type']);
    const valid = (type === 'wns/toast' && contentType === 'text/xml' && /^<toast[ >].*<binding template="ToastGeneric">.*<\/toast>$/s.test(body))
      || (type === 'wns/raw' && contentType === 'application/octet-stream' && body.length > 0);
    if (!valid) return void answer(res, 400);
    if (Buffer.byteLength(body) > 5120) return void answer(res, 413);
    const seen: SeenNotification = { channel, headers: req.headers, body, answered: 0 };
    notifications.push(seen);
    seen.answered = answer(res, scripts.get(channel)?.shift() ?? 200, { 'x-wns-status': 'received' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    tokenUrl: `${url}/accesstoken.srf`,
    notifications,
    tokenRequests,
    channel: () => `${url}/w/?token=${randomBytes(24).toString('base64url')}`,
    script: (channel, ...statuses) => void scripts.set(channel, [...(scripts.get(channel) ?? []), ...statuses]),
    attempts: (channel) => attempts.get(channel) ?? 0,
    revokeAccessTokens: () => accessTokens.clear(),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
