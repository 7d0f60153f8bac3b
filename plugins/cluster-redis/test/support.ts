// Shared test plumbing: sibling bundles from their compiled output, in-process nodes, Socket.IO clients.
import { loadBundle, startTestKernel, type TestKernel, type TestKernelOptions } from '@keel/plugin-sdk/testing';

/** Sibling bundles are loaded by name from plugins/<name>, as the kernel would find them. */
export { loadBundle };

/** Polls until `probe` gives a value (bounded; only the outcome is asserted, never the time). */
export async function eventually<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, limitMs = 15_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface NodeOptions {
  redisUrl: string;
  prefix: string;
  nodeId: string;
  properties?: Record<string, string>;
  bundles?: TestKernelOptions['bundles'];
  http?: boolean;
}

/** One in-process Keel node with the cluster bundle and fast heartbeats. */
export async function startNode(options: NodeOptions): Promise<TestKernel> {
  return startTestKernel({
    bundles: { 'cluster-redis': await loadBundle('cluster-redis'), ...options.bundles },
    http: options.http ?? false,
    properties: {
      'keel.cluster.redis.url': options.redisUrl,
      'keel.cluster.prefix': options.prefix,
      'keel.cluster.nodeId': options.nodeId,
      'keel.cluster.heartbeatMs': '200',
      'keel.cluster.memberTtlMs': '1000',
      ...options.properties,
    },
  });
}

export interface TestSocket {
  readonly socket: import('socket.io-client').Socket;
  readonly events: Array<{ event: string; args: unknown[] }>;
  /** Resolves with the reason once the server disconnected the socket. */
  readonly disconnected: Promise<string>;
}

/** A Socket.IO v4 client on `/socket.io/appsuite` with a session and its secret cookie (`name=value`). */
export async function connectSocket(url: string, session: string, cookie: string): Promise<TestSocket> {
  const { io } = await import('socket.io-client');
  const socket = io(url, {
    path: '/socket.io/appsuite', transports: ['websocket'], query: { session },
    extraHeaders: { cookie, 'user-agent': 'keel-cluster-test/1.0' }, forceNew: true, reconnection: false,
  });
  const events: TestSocket['events'] = [];
  socket.onAny((event: string, ...args: unknown[]) => events.push({ event, args }));
  const disconnected = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(new Error(`socket to ${url}: ${error.message}`)));
  });
  return { socket, events, disconnected };
}
