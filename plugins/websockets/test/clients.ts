import { io as ioV4, type Socket as V4Socket } from 'socket.io-client';
import ioV2, { type V2Socket } from 'socket.io-client-v2';

/** What a logged-in browser holds: the session id and the `open-xchange-secret-…=…` cookie. */
export interface Credentials {
  session?: string;
  cookie?: string;
  connection?: string;
}

export interface ClientOptions {
  /** Engine.IO transports; the App Suite UI uses websocket only. */
  transports?: string[];
  reconnection?: boolean;
  path?: string;
}

/** A connected test client of either generation, recording every event it receives. */
export interface TestSocket {
  readonly version: 2 | 4;
  readonly events: Array<{ event: string; args: unknown[] }>;
  /** Resolves with the arguments of the next `event` not yet consumed (events received before count). */
  next(event: string): Promise<unknown[]>;
  /** Resolves when the socket was disconnected, with the reason. */
  readonly disconnected: Promise<string>;
  /** Resolves on the next (re)connect. */
  reconnected(): Promise<void>;
  readonly connected: boolean;
  close(): void;
}

/** A refused handshake as the client saw it. */
export class HandshakeRefused extends Error {
  constructor(readonly code: string | undefined, message: string) {
    super(message);
  }
}

export const SOCKET_PATH = '/socket.io/appsuite';

function query(credentials: Credentials): Record<string, string> {
  const q: Record<string, string> = {};
  if (credentials.session !== undefined) q['session'] = credentials.session;
  if (credentials.connection !== undefined) q['connection'] = credentials.connection;
  return q;
}

function headers(credentials: Credentials): Record<string, string> {
  return credentials.cookie === undefined ? {} : { cookie: credentials.cookie };
}

/** Socket.IO client v2 (Engine.IO 3), as the App Suite UI connects. */
export function connectV2(url: string, credentials: Credentials, options: ClientOptions = {}): Promise<TestSocket> {
  const socket = ioV2(url, {
    path: options.path ?? SOCKET_PATH,
    transports: options.transports ?? ['websocket'],
    query: query(credentials),
    extraHeaders: headers(credentials),
    forceNew: true,
    reconnection: options.reconnection ?? false,
    reconnectionDelay: 50,
    reconnectionDelayMax: 200,
  });
  return settle(2, socket, (fail) => {
    // CONNECT_ERROR reaches a v2 client as `error` with the packet's data.
    socket.on('error', (data: unknown) => fail(refusal(data)));
    socket.on('connect_error', (error: Error) => fail(new HandshakeRefused(undefined, `transport error: ${error.message}`)));
  });
}

/** Socket.IO client v4 (Engine.IO 4). */
export function connectV4(url: string, credentials: Credentials, options: ClientOptions = {}): Promise<TestSocket> {
  const socket = ioV4(url, {
    path: options.path ?? SOCKET_PATH,
    transports: options.transports ?? ['websocket'],
    query: query(credentials),
    extraHeaders: headers(credentials),
    forceNew: true,
    reconnection: options.reconnection ?? false,
    reconnectionDelay: 50,
    reconnectionDelayMax: 200,
  });
  return settle(4, socket, (fail) => {
    socket.on('connect_error', (error: Error & { data?: unknown }) =>
      fail(error.data === undefined ? new HandshakeRefused(undefined, error.message) : refusal({ ...(error.data as object), message: error.message })));
  });
}

function refusal(data: unknown): HandshakeRefused {
  if (typeof data === 'object' && data !== null) {
    const { code, message } = data as { code?: unknown; message?: unknown };
    return new HandshakeRefused(typeof code === 'string' ? code : undefined, String(message));
  }
  return new HandshakeRefused(undefined, String(data));
}

type AnySocket = V2Socket | V4Socket;

function settle(version: 2 | 4, socket: AnySocket, onFailure: (fail: (error: HandshakeRefused) => void) => void): Promise<TestSocket> {
  const events: Array<{ event: string; args: unknown[] }> = [];
  const consumed = new Map<string, number>();
  const waiters: Array<{ event: string; resolve: (args: unknown[]) => void }> = [];
  let onDisconnect: (reason: string) => void = () => undefined;
  const disconnected = new Promise<string>((resolve) => (onDisconnect = resolve));

  const record = (event: string, args: unknown[]) => {
    events.push({ event, args });
    const index = waiters.findIndex((waiter) => waiter.event === event);
    if (index !== -1) {
      consumed.set(event, (consumed.get(event) ?? 0) + 1);
      waiters.splice(index, 1)[0]!.resolve(args);
    }
  };
  if (version === 4) (socket as V4Socket).onAny((event: string, ...args: unknown[]) => record(event, args));
  else {
    // v2 has no onAny: catch every EVENT packet by wrapping the internal dispatcher.
    const v2 = socket as V2Socket & { onevent(packet: { data: unknown[] }): void };
    const original = v2.onevent.bind(v2);
    v2.onevent = (packet) => {
      const [event, ...args] = packet.data;
      record(String(event), args);
      original(packet);
    };
  }
  (socket as V2Socket).on('disconnect', (reason: string) => onDisconnect(reason));

  const client: TestSocket = {
    version,
    events,
    next(event) {
      const seen = events.filter((entry) => entry.event === event);
      const used = consumed.get(event) ?? 0;
      if (seen.length > used) {
        consumed.set(event, used + 1);
        return Promise.resolve(seen[used]!.args);
      }
      return new Promise((resolve) => waiters.push({ event, resolve }));
    },
    disconnected,
    reconnected: () => new Promise((resolve) => (socket as V2Socket).once('connect', () => resolve())),
    get connected() {
      return socket.connected;
    },
    close: () => void socket.close(),
  };

  return new Promise((resolve, reject) => {
    let done = false;
    onFailure((error) => {
      if (done) return;
      done = true;
      socket.close();
      reject(error);
    });
    (socket as V2Socket).once('connect', () => {
      if (done) return;
      done = true;
      resolve(client);
    });
  });
}

/** Expects a refused handshake; answers the error code the client saw. */
export async function refusedCode(attempt: Promise<TestSocket>): Promise<string | undefined> {
  try {
    const socket = await attempt;
    socket.close();
  } catch (error) {
    if (error instanceof HandshakeRefused) return error.code ?? `(no code) ${error.message}`;
    throw error;
  }
  throw new Error('the handshake was accepted');
}
