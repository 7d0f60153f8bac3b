import { connect, constants, type ClientHttp2Session, type SecureClientSessionOptions, type OutgoingHttpHeaders } from 'node:http2';

/** What APNs answered for one push. */
export interface ApnsResponse {
  status: number;
  /** The `reason` of an error body (`BadDeviceToken`, `Unregistered` …). */
  reason: string | undefined;
  apnsId: string | undefined;
}

export interface ApnsConnectionOptions {
  /** `https://api.push.apple.com` or a stand-in. */
  origin: string;
  /** TLS: `pfx`/`passphrase` for certificate auth, `ca` when a trusted CA file is configured. */
  tls: SecureClientSessionOptions;
  requestTimeoutMillis: number;
  maxConcurrentStreams: number;
  idleTimeoutMillis: number;
  /** After a failed connect, pushes fail fast with that error for this long instead of each opening a connection. */
  reconnectCooldownMillis: number;
  /** Called once per session that ends with an error (TLS refused, reset …); no secrets in it. */
  onSessionError(error: Error): void;
}

export interface ApnsConnection {
  /** POSTs one notification on the shared session; rejects on connection or stream failure (the caller retries). */
  send(token: string, headers: OutgoingHttpHeaders, body: string): Promise<ApnsResponse>;
  /** How many sessions were opened so far (1 while the first is healthy). */
  readonly sessionsOpened: number;
  /** Closes the session, letting streams in flight finish. */
  close(): Promise<void>;
}

/**
 * One HTTP/2 session per APNs client, shared by every push with concurrent streams as Apple asks.
 * A session that receives GOAWAY, errors or closes is dropped and the next push opens a new one;
 * streams refused by a GOAWAY fail and are retried by the caller on the new session.
 */
export function createApnsConnection(options: ApnsConnectionOptions): ApnsConnection {
  let session: ClientHttp2Session | undefined;
  let opened = 0;
  let closed = false;
  // The last connect that failed: while it is recent, a burst of retries does not become a burst of handshakes.
  let connectFailure: { error: Error; at: number } | undefined;
  // Streams are bounded by us as well as by the server's SETTINGS_MAX_CONCURRENT_STREAMS, so a burst
  // of thousands of devices waits here instead of piling up inside nghttp2.
  let active = 0;
  const waiting: Array<() => void> = [];

  function current(): ClientHttp2Session {
    if (session !== undefined && !session.closed && !session.destroyed) return session;
    if (connectFailure !== undefined && Date.now() - connectFailure.at < options.reconnectCooldownMillis) throw connectFailure.error;
    const created = connect(options.origin, { ...options.tls, settings: { enablePush: false } });
    opened++;
    session = created;
    let connected = false;
    const drop = (): void => {
      if (session === created) session = undefined;
    };
    created.once('connect', () => {
      connected = true;
      connectFailure = undefined;
    });
    created.on('error', (error) => {
      drop();
      if (!connected) connectFailure = { error, at: Date.now() };
      options.onSessionError(error);
    });
    created.on('goaway', drop);
    created.on('close', drop);
    created.setTimeout(options.idleTimeoutMillis, () => {
      drop();
      created.close();
    });
    return created;
  }

  function limit(): number {
    const remote = session?.remoteSettings.maxConcurrentStreams;
    return remote === undefined || remote <= 0 ? options.maxConcurrentStreams : Math.min(remote, options.maxConcurrentStreams);
  }

  async function acquire(): Promise<void> {
    while (active >= limit() && !closed) await new Promise<void>((resolve) => waiting.push(resolve));
    if (closed) throw new Error('the APNs connection is closed');
    active++;
  }

  function release(): void {
    active--;
    waiting.shift()?.();
  }

  function exchange(token: string, headers: OutgoingHttpHeaders, body: string): Promise<ApnsResponse> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | undefined, response?: ApnsResponse): void => {
        if (settled) return;
        settled = true;
        if (error !== undefined) reject(error);
        else resolve(response!);
      };
      let stream;
      try {
        stream = current().request({ ...headers, [constants.HTTP2_HEADER_METHOD]: 'POST', [constants.HTTP2_HEADER_PATH]: `/3/device/${token}` });
      } catch (error) {
        finish(error as Error);
        return;
      }
      let status = 0;
      let apnsId: string | undefined;
      let text = '';
      stream.setEncoding('utf8');
      stream.on('response', (responseHeaders) => {
        status = Number(responseHeaders[constants.HTTP2_HEADER_STATUS]);
        const id = responseHeaders['apns-id'];
        apnsId = typeof id === 'string' ? id : undefined;
      });
      stream.on('data', (chunk: string) => {
        text += chunk;
      });
      stream.on('end', () => finish(undefined, { status, reason: reasonOf(text), apnsId }));
      stream.on('error', (error) => finish(error));
      stream.on('close', () => finish(new Error(`stream closed before an answer (HTTP/2 code ${stream.rstCode})`)));
      stream.setTimeout(options.requestTimeoutMillis, () => {
        finish(new Error(`no answer within ${options.requestTimeoutMillis} ms`));
        stream.close(constants.NGHTTP2_CANCEL);
      });
      stream.end(body);
    });
  }

  return {
    async send(token, headers, body) {
      await acquire();
      try {
        return await exchange(token, headers, body);
      } finally {
        release();
      }
    },
    get sessionsOpened() {
      return opened;
    },
    async close() {
      closed = true;
      const last = session;
      session = undefined;
      for (const wake of waiting.splice(0)) wake();
      if (last === undefined || last.closed || last.destroyed) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => last.destroy(), options.requestTimeoutMillis);
        last.close(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

function reasonOf(text: string): string | undefined {
  if (text === '') return undefined;
  try {
    const parsed = JSON.parse(text) as { reason?: unknown };
    return typeof parsed.reason === 'string' ? parsed.reason : undefined;
  } catch {
    return undefined;
  }
}
