import { verify } from 'node:crypto';
import { constants, createSecureServer, type Http2Server, type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** One request as the stand-in saw it, after its checks. */
export interface SeenPush {
  session: number;
  streamId: number;
  token: string;
  headers: IncomingHttpHeaders;
  payload: Record<string, unknown>;
  /** Subject CN of the verified client certificate (certificate auth). */
  clientCn: string | undefined;
  /** The provider token (token auth), verified against the team's public key. */
  jwt: string | undefined;
  jwtClaims: { iss: string; iat: number } | undefined;
  answered: number;
}

/** A scripted answer for a device token; `goaway` answers 200 and then sends GOAWAY on that session. */
export type Answer = { status: number; reason?: string } | 'goaway';

export interface FakeApnsOptions {
  key: string;
  cert: string;
  /** CA that signed valid client certificates. */
  ca: string;
  /** Public key (PEM) of the .p8 used for token auth, with its key id and team. */
  jwt?: { publicKey: string; keyId: string; teamId: string };
}

export interface FakeApns {
  readonly url: string;
  readonly pushes: SeenPush[];
  /** Requests that failed a check, with Apple's reason. */
  readonly refused: Array<{ token: string; status: number; reason: string }>;
  readonly sessionsOpened: number;
  /** Answers for the next requests to a token, in order; afterwards 200. */
  script(token: string, ...answers: Answer[]): void;
  /** Requests seen for a token, answered or not. */
  attempts(token: string): number;
  /** Sends GOAWAY on every open session (Apple does this on maintenance). */
  goawayAll(): void;
  close(): Promise<void>;
}

/**
 * A stand-in for api.push.apple.com: TLS HTTP/2 on 127.0.0.1 that checks what Apple checks — the
 * request line, the apns-* headers, the client certificate or the ES256 provider token, the JSON
 * payload — and answers with Apple's documented status codes and reasons.
 */
export async function startFakeApns(options: FakeApnsOptions): Promise<FakeApns> {
  const pushes: SeenPush[] = [];
  const refused: FakeApns['refused'] = [];
  const scripts = new Map<string, Answer[]>();
  const attempts = new Map<string, number>();
  const sessions: Http2Session[] = [];
  const sessionIds = new WeakMap<Http2Session, number>();
  const server: Http2Server = createSecureServer({
    key: options.key,
    cert: options.cert,
    ca: options.ca,
    requestCert: true,
    // Token-auth clients connect without a certificate; certificate-auth requests are checked below.
    rejectUnauthorized: false,
    allowHTTP1: false,
  });
  server.on('session', (session) => {
    sessions.push(session);
    sessionIds.set(session, sessions.length);
  });
  server.on('stream', (stream, headers) => {
    // Streams above a GOAWAY's last stream id are refused: the client retries them, nothing to do here.
    stream.on('error', () => {});
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => answer(stream, headers, body));
  });

  function reply(stream: ServerHttp2Stream, status: number, reason?: string): void {
    const extra: Record<string, string> = { 'apns-id': '8b7e1c3d-0000-4000-8000-000000000000' };
    if (reason === undefined) {
      stream.respond({ ':status': status, ...extra });
      stream.end();
      return;
    }
    stream.respond({ ':status': status, 'content-type': 'application/json', ...extra });
    stream.end(JSON.stringify(status === 410 ? { reason, timestamp: Date.now() } : { reason }));
  }

  function refuse(stream: ServerHttp2Stream, token: string, status: number, reason: string): void {
    refused.push({ token, status, reason });
    reply(stream, status, reason);
  }

  function answer(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, body: string): void {
    const path = String(headers[':path']);
    const token = /^\/3\/device\/([0-9a-fA-F]+)$/.exec(path)?.[1] ?? '';
    attempts.set(token, (attempts.get(token) ?? 0) + 1);
    if (headers[':method'] !== 'POST') return refuse(stream, token, 405, 'MethodNotAllowed');
    if (token === '') return refuse(stream, token, 404, 'BadPath');
    if (!['alert', 'background'].includes(String(headers['apns-push-type']))) return refuse(stream, token, 400, 'InvalidPushType');
    if (!['10', '5'].includes(String(headers['apns-priority']))) return refuse(stream, token, 400, 'BadPriority');
    if (headers['apns-push-type'] === 'background' && headers['apns-priority'] !== '5') return refuse(stream, token, 400, 'BadPriority');
    if (!/^\d+$/.test(String(headers['apns-expiration']))) return refuse(stream, token, 400, 'BadExpirationDate');
    if (headers['apns-collapse-id'] !== undefined && Buffer.byteLength(String(headers['apns-collapse-id'])) > 64) return refuse(stream, token, 400, 'BadCollapseId');
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return refuse(stream, token, 400, 'PayloadEmpty');
    }
    if (Buffer.byteLength(body) > 4096) return refuse(stream, token, 413, 'PayloadTooLarge');
    if (typeof payload['aps'] !== 'object') return refuse(stream, token, 400, 'BadPayload');

    const socket = stream.session!.socket as TLSSocket;
    let clientCn: string | undefined;
    let jwt: string | undefined;
    let jwtClaims: SeenPush['jwtClaims'];
    const authorization = headers['authorization'];
    if (authorization !== undefined) {
      if (options.jwt === undefined) return refuse(stream, token, 403, 'InvalidProviderToken');
      if (headers['apns-topic'] === undefined) return refuse(stream, token, 400, 'MissingTopic');
      const match = /^bearer (.+)$/.exec(String(authorization));
      const checked = match ? checkJwt(match[1]!, options.jwt) : undefined;
      if (checked === undefined) return refuse(stream, token, 403, 'InvalidProviderToken');
      // iat is in seconds: a millisecond value would lie far in the future.
      if (checked.iat > Date.now() / 1000 + 60) return refuse(stream, token, 403, 'InvalidProviderToken');
      if (Date.now() / 1000 - checked.iat > 3600) return refuse(stream, token, 403, 'ExpiredProviderToken');
      jwt = match![1]!;
      jwtClaims = checked;
    } else {
      if (!socket.authorized) return refuse(stream, token, 403, 'MissingProviderToken');
      clientCn = String(socket.getPeerCertificate().subject.CN);
    }
    const seen: SeenPush = { session: sessionIds.get(stream.session!)!, streamId: stream.id!, token, headers, payload, clientCn, jwt, jwtClaims, answered: 0 };
    pushes.push(seen);
    const next = scripts.get(token)?.shift() ?? { status: 200 };
    if (next === 'goaway') {
      seen.answered = 200;
      reply(stream, 200);
      stream.session!.goaway(constants.NGHTTP2_NO_ERROR, stream.id);
      return;
    }
    seen.answered = next.status;
    reply(stream, next.status, next.reason);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    pushes,
    refused,
    get sessionsOpened() {
      return sessions.length;
    },
    script(token, ...answers) {
      scripts.set(token, [...(scripts.get(token) ?? []), ...answers]);
    },
    attempts: (token) => attempts.get(token) ?? 0,
    goawayAll() {
      for (const session of sessions) if (!session.closed && !session.destroyed) session.goaway(constants.NGHTTP2_NO_ERROR);
    },
    async close() {
      for (const session of sessions) if (!session.destroyed) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Verifies an ES256 JWT the way APNs does: header alg/kid, iss = team, signature with the team's key. */
function checkJwt(jwt: string, expected: { publicKey: string; keyId: string; teamId: string }): { iss: string; iat: number } | undefined {
  const [header, claims, signature] = jwt.split('.');
  if (header === undefined || claims === undefined || signature === undefined) return undefined;
  const parsedHeader = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: string; kid?: string };
  const parsedClaims = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { iss?: string; iat?: number };
  if (parsedHeader.alg !== 'ES256' || parsedHeader.kid !== expected.keyId || parsedClaims.iss !== expected.teamId) return undefined;
  if (typeof parsedClaims.iat !== 'number' || !Number.isInteger(parsedClaims.iat)) return undefined;
  const valid = verify('sha256', Buffer.from(`${header}.${claims}`), { key: expected.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  return valid ? { iss: parsedClaims.iss, iat: parsedClaims.iat } : undefined;
}
