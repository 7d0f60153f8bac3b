import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HttpService } from '@keel/plugin-sdk';

/** The two entry points of an Engine.IO server (engine.io's `Server`). */
export interface EngineEntry {
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export interface HttpAttachment {
  /** Whether long-polling requests reach the engine (the core server offers raw request listeners). */
  readonly polling: boolean;
  /** Removes every listener this attachment added; the HTTP server itself keeps running. */
  detach(): void;
}

/** Whether a request URL is the Socket.IO endpoint: exactly `path` or `path/`, with any query. */
export function isEndpoint(url: string | undefined, path: string): boolean {
  if (url === undefined) return false;
  const query = url.indexOf('?');
  const pathname = query === -1 ? url : url.slice(0, query);
  return pathname === path || pathname === `${path}/`;
}

/**
 * Routes the endpoint's requests to the engine without `engine.attach(server)`: engine.io's attach
 * takes over the server's `request` listeners and `io.close()` would close the shared server, so a
 * bundle could never stop cleanly. Upgrades come from our own `upgrade` listener; polling requests
 * from the core server's raw request hook (before fastify parses bodies).
 */
export function attachToHttp(http: HttpService, path: string, engine: EngineEntry): HttpAttachment {
  const server = http.server;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (isEndpoint(req.url, path)) {
      engine.handleUpgrade(req, socket, head);
      return;
    }
    // Node destroys upgrades nobody listens to; being a listener, we must do it when nobody else is.
    if (server.listenerCount('upgrade') === 1) {
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  };
  server.on('upgrade', onUpgrade);

  const removeRaw = http.onRawRequest?.((req, res) => {
    if (!isEndpoint(req.url, path)) return false;
    engine.handleRequest(req, res);
    return true;
  });

  return {
    polling: removeRaw !== undefined,
    detach() {
      server.off('upgrade', onUpgrade);
      removeRaw?.();
    },
  };
}
