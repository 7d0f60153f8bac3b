import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { KeelError, type HttpService, type Logger } from '@keel/plugin-sdk';
import { createSocketServer, SOCKET_PATH } from './socket-server.js';

const silent = { debug() {}, info() {}, warn() {}, error() {}, trace() {}, fatal() {}, child() { return silent; } } as unknown as Logger;

/** Just what createSocketServer uses of the HttpService: the node server and raw request listeners. */
function plainHttp() {
  const server = createServer();
  const listeners = new Set<(req: IncomingMessage, res: ServerResponse) => boolean>();
  server.on('request', (req, res) => {
    for (const listener of listeners) if (listener(req, res)) return;
    res.statusCode = 404;
    res.end();
  });
  const http = {
    server,
    onRawRequest(listener: (req: IncomingMessage, res: ServerResponse) => boolean) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as HttpService;
  return { server, http };
}

/** A socket server on a plain node server that refuses every handshake; stopped after `body`. */
async function withSocketServer(body: (url: string, engine: { clients: Record<string, { close(): void }>; clientsCount: number }, sockets: ReturnType<typeof createSocketServer>) => Promise<void>): Promise<void> {
  const { server, http } = plainHttp();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const sockets = createSocketServer({ http, logger: silent, authenticate: () => Promise.reject(new KeelError('SES-0203', 'no session', { status: 401 })) });
  try {
    await body(`http://127.0.0.1:${port}${SOCKET_PATH}/?EIO=4&transport=polling`, sockets.io.engine as unknown as { clients: Record<string, { close(): void }>; clientsCount: number }, sockets);
  } finally {
    await sockets.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function handshake(url: string): Promise<string> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  return (JSON.parse((await response.text()).slice(1)) as { sid: string }).sid;
}

// Found by the Socket.IO fuzz suite (test/fuzz/socketio.test.ts): polling clients that handshook and
// went away left engine.io's 30 s close timers behind, and `keel start` took 30 s to exit on SIGTERM.
test('close() leaves no engine client behind, not even a polling transport that was mid-close', async () => {
  await withSocketServer(async (url, engine, sockets) => {
    // An Engine.IO handshake and nothing after it: no GET is waiting when the server closes the socket.
    const sid = await handshake(url);
    // What Socket.IO's connect timeout and a refused handshake do: close the connection.
    engine.clients[sid]!.close();
    assert.equal(engine.clientsCount, 1, 'the close waits for the next poll (engine.io buffers it for 30 s)');
    await sockets.close();
    assert.equal(engine.clientsCount, 0, 'close() finished the pending close');
  });
});

const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

test('a polling socket that closes while its close packet waits for a poll leaves no timer behind', async () => {
  await withSocketServer(async (url, engine) => {
    const before = timers();
    const sid = await handshake(url);
    engine.clients[sid]!.close();
    // The client says goodbye itself (a close packet): the socket is gone, engine.io's close timer was not.
    const goodbye = await fetch(`${url}&sid=${sid}`, { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: '1' });
    await goodbye.arrayBuffer();
    assert.equal(engine.clientsCount, 0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(timers() <= before, `timers before the handshake: ${before}, after the socket closed: ${timers()}`);
  });
});
