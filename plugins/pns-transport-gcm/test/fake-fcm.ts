import { randomBytes, verify } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface SeenV1Push {
  token: string;
  headers: IncomingHttpHeaders;
  message: { token: string; data: Record<string, string>; android?: { priority?: string; ttl?: string } };
  answered: number;
}

export interface SeenLegacyRequest {
  headers: IncomingHttpHeaders;
  body: { registration_ids: string[]; data: Record<string, string>; priority?: string; time_to_live?: number };
  answered: number;
}

/** HTTP v1 answers by Google's documented error shape; `retryAfter` in seconds. */
export type V1Answer =
  | 'UNREGISTERED' | 'INVALID_TOKEN' | 'INVALID_PAYLOAD' | 'SENDER_ID_MISMATCH' | 'UNAUTHENTICATED'
  | { status: 429 | 500 | 503; retryAfter?: number };

/** Legacy answers per device (a result `error`), or for a whole request (`status`). */
export type LegacyDeviceAnswer = 'NotRegistered' | 'InvalidRegistration' | 'Unavailable' | 'MismatchSenderId';

export interface FakeFcmOptions {
  key: string;
  cert: string;
  /** The service account whose JWTs the token endpoint accepts. */
  account: { clientEmail: string; publicKey: string; projectId: string };
  /** The legacy server key. */
  serverKey: string;
}

export interface FakeFcm {
  readonly url: string;
  readonly tokenUrl: string;
  readonly v1: SeenV1Push[];
  readonly legacy: SeenLegacyRequest[];
  /** Token requests with their verified assertion claims. */
  readonly tokenRequests: Array<{ claims: Record<string, unknown>; kid: string | undefined; answered: number }>;
  /** Requests that failed a check (status and why). */
  readonly refused: Array<{ path: string; status: number; why: string }>;
  scriptV1(token: string, ...answers: V1Answer[]): void;
  scriptLegacyDevice(token: string, ...answers: LegacyDeviceAnswer[]): void;
  scriptLegacyRequest(...statuses: number[]): void;
  /** The token endpoint answers `invalid_grant` this many times. */
  failTokenRequests(times: number): void;
  /** Every access token issued so far stops working (as if expired). */
  revokeAccessTokens(): void;
  attemptsV1(token: string): number;
  close(): Promise<void>;
}

/**
 * A stand-in for oauth2.googleapis.com and fcm.googleapis.com on 127.0.0.1: the token endpoint
 * verifies the RS256 assertion (iss, scope, aud, iat/exp, signature) and issues access tokens; the
 * send endpoints check the bearer token or server key, the request line and the message, and answer
 * with FCM's documented errors.
 */
export async function startFakeFcm(options: FakeFcmOptions): Promise<FakeFcm> {
  const v1: SeenV1Push[] = [];
  const legacy: SeenLegacyRequest[] = [];
  const tokenRequests: FakeFcm['tokenRequests'] = [];
  const refused: FakeFcm['refused'] = [];
  const v1Scripts = new Map<string, V1Answer[]>();
  const legacyDevices = new Map<string, LegacyDeviceAnswer[]>();
  const legacyRequests: number[] = [];
  const v1Attempts = new Map<string, number>();
  const accessTokens = new Set<string>();
  let tokenFailures = 0;
  let url = '';

  const server: Server = createServer({ key: options.key, cert: options.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => route(req, res, Buffer.concat(chunks).toString('utf8')));
  });

  function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
    res.end(JSON.stringify(body));
    return status;
  }

  function refuse(req: IncomingMessage, res: ServerResponse, status: number, why: string, body: unknown): void {
    refused.push({ path: req.url ?? '', status, why });
    json(res, status, body);
  }

  function route(req: IncomingMessage, res: ServerResponse, body: string): void {
    if (req.method !== 'POST') return refuse(req, res, 405, 'method', { error: 'method not allowed' });
    if (req.url === '/token') return token(req, res, body);
    if (req.url === `/v1/projects/${options.account.projectId}/messages:send`) return sendV1(req, res, body);
    if (req.url === '/fcm/send') return sendLegacy(req, res, body);
    refuse(req, res, 404, `no route ${req.url}`, { error: { code: 404, status: 'NOT_FOUND', message: 'not found' } });
  }

  function token(req: IncomingMessage, res: ServerResponse, body: string): void {
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return refuse(req, res, 400, 'content-type', { error: 'invalid_request' });
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return refuse(req, res, 400, 'grant_type', { error: 'unsupported_grant_type' });
    const [header, claims, signature] = (form.get('assertion') ?? '').split('.');
    if (header === undefined || claims === undefined || signature === undefined) return refuse(req, res, 400, 'assertion', { error: 'invalid_grant' });
    const parsedHeader = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string; kid?: string; typ?: string };
    const parsedClaims = JSON.parse(Buffer.from(claims, 'base64url').toString()) as Record<string, unknown>;
    const now = Date.now() / 1000;
    const problems = [
      parsedHeader.alg === 'RS256' ? '' : 'alg',
      parsedClaims['iss'] === options.account.clientEmail ? '' : 'iss',
      parsedClaims['scope'] === 'https://www.googleapis.com/auth/firebase.messaging' ? '' : 'scope',
      parsedClaims['aud'] === `${url}/token` ? '' : 'aud',
      typeof parsedClaims['iat'] === 'number' && Math.abs((parsedClaims['iat'] as number) - now) < 300 ? '' : 'iat',
      typeof parsedClaims['exp'] === 'number' && (parsedClaims['exp'] as number) - (parsedClaims['iat'] as number) <= 3600 && (parsedClaims['exp'] as number) > now ? '' : 'exp',
      verify('sha256', Buffer.from(`${header}.${claims}`), options.account.publicKey, Buffer.from(signature, 'base64url')) ? '' : 'signature',
    ].filter(Boolean);
    if (problems.length > 0) return refuse(req, res, 400, `assertion ${problems.join(',')}`, { error: 'invalid_grant', error_description: `bad ${problems.join(', ')}` });
    if (tokenFailures > 0) {
      tokenFailures--;
      tokenRequests.push({ claims: parsedClaims, kid: parsedHeader.kid, answered: 400 });
      json(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
      return;
    }
    const accessToken = `ya29.${randomBytes(24).toString('base64url')}`;
    accessTokens.add(accessToken);
    tokenRequests.push({ claims: parsedClaims, kid: parsedHeader.kid, answered: 200 });
    json(res, 200, { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' });
  }

  function fcmError(res: ServerResponse, code: number, status: string, details: unknown[] = [], headers: Record<string, string> = {}): number {
    return json(res, code, { error: { code, message: `${status} (stand-in)`, status, details } }, headers);
  }

  function sendV1(req: IncomingMessage, res: ServerResponse, body: string): void {
    const bearer = /^Bearer (.+)$/.exec(String(req.headers['authorization']))?.[1];
    let message: SeenV1Push['message'];
    try {
      message = (JSON.parse(body) as { message: SeenV1Push['message'] }).message;
    } catch {
      return refuse(req, res, 400, 'json', { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'Invalid JSON payload' } });
    }
    const token = message?.token ?? '';
    v1Attempts.set(token, (v1Attempts.get(token) ?? 0) + 1);
    if (bearer === undefined || !accessTokens.has(bearer)) return void fcmError(res, 401, 'UNAUTHENTICATED');
    if (!String(req.headers['content-type']).startsWith('application/json')) return refuse(req, res, 400, 'content-type', { error: { code: 400, status: 'INVALID_ARGUMENT' } });
    if (typeof message.data !== 'object' || Object.values(message.data).some((v) => typeof v !== 'string')) {
      return refuse(req, res, 400, 'data values must be strings', { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'Invalid value at message.data' } });
    }
    const seen: SeenV1Push = { token, headers: req.headers, message, answered: 0 };
    v1.push(seen);
    const next = v1Scripts.get(token)?.shift();
    const fcm = (errorCode: string) => ({ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode });
    if (next === undefined) seen.answered = json(res, 200, { name: `projects/${options.account.projectId}/messages/${v1.length}` });
    else if (next === 'UNREGISTERED') seen.answered = fcmError(res, 404, 'NOT_FOUND', [fcm('UNREGISTERED')]);
    else if (next === 'INVALID_TOKEN') {
      seen.answered = fcmError(res, 400, 'INVALID_ARGUMENT', [fcm('INVALID_ARGUMENT'), { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'message.token', description: 'Invalid registration token' }] }]);
    } else if (next === 'INVALID_PAYLOAD') {
      seen.answered = fcmError(res, 400, 'INVALID_ARGUMENT', [fcm('INVALID_ARGUMENT'), { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'message.android.ttl', description: 'Invalid duration' }] }]);
    } else if (next === 'SENDER_ID_MISMATCH') seen.answered = fcmError(res, 403, 'PERMISSION_DENIED', [fcm('SENDER_ID_MISMATCH')]);
    else if (next === 'UNAUTHENTICATED') seen.answered = fcmError(res, 401, 'UNAUTHENTICATED', [fcm('THIRD_PARTY_AUTH_ERROR')]);
    else {
      const errorCode = next.status === 429 ? 'QUOTA_EXCEEDED' : next.status === 503 ? 'UNAVAILABLE' : 'INTERNAL';
      seen.answered = fcmError(res, next.status, next.status === 429 ? 'RESOURCE_EXHAUSTED' : next.status === 503 ? 'UNAVAILABLE' : 'INTERNAL', [fcm(errorCode)], next.retryAfter === undefined ? {} : { 'retry-after': String(next.retryAfter) });
    }
  }

  function sendLegacy(req: IncomingMessage, res: ServerResponse, body: string): void {
    if (req.headers['authorization'] !== `key=${options.serverKey}`) {
      refused.push({ path: req.url ?? '', status: 401, why: 'server key' });
      res.writeHead(401, { 'content-type': 'text/html' });
      res.end('<HTML><HEAD><TITLE>Unauthorized</TITLE></HEAD><BODY>Error 401</BODY></HTML>');
      return;
    }
    let parsed: SeenLegacyRequest['body'];
    try {
      parsed = JSON.parse(body) as SeenLegacyRequest['body'];
    } catch {
      res.writeHead(400);
      res.end('JSON_PARSING_ERROR: Unexpected token');
      return;
    }
    if (!Array.isArray(parsed.registration_ids) || parsed.registration_ids.length === 0 || parsed.registration_ids.length > 1000) {
      res.writeHead(400);
      res.end('"registration_ids" field must be a JSON array of 1 to 1000 ids');
      return;
    }
    const seen: SeenLegacyRequest = { headers: req.headers, body: parsed, answered: 0 };
    legacy.push(seen);
    const whole = legacyRequests.shift();
    if (whole !== undefined) {
      seen.answered = whole;
      res.writeHead(whole, { 'retry-after': '0' });
      res.end();
      return;
    }
    const results = parsed.registration_ids.map((id, index) => {
      const error = legacyDevices.get(id)?.shift();
      return error === undefined ? { message_id: `0:${Date.now()}%${index}` } : { error };
    });
    const failure = results.filter((r) => 'error' in r).length;
    seen.answered = json(res, 200, { multicast_id: 1, success: results.length - failure, failure, canonical_ids: 0, results });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    tokenUrl: `${url}/token`,
    v1,
    legacy,
    tokenRequests,
    refused,
    scriptV1: (token, ...answers) => void v1Scripts.set(token, [...(v1Scripts.get(token) ?? []), ...answers]),
    scriptLegacyDevice: (token, ...answers) => void legacyDevices.set(token, [...(legacyDevices.get(token) ?? []), ...answers]),
    scriptLegacyRequest: (...statuses) => void legacyRequests.push(...statuses),
    failTokenRequests: (times) => void (tokenFailures = times),
    revokeAccessTokens: () => accessTokens.clear(),
    attemptsV1: (token) => v1Attempts.get(token) ?? 0,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
