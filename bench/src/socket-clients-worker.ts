import { io, type Socket } from 'socket.io-client';

/**
 * A child process holding many Socket.IO clients, so the server under test does not share its
 * event loop with them. Commands arrive over IPC: connect, reset, report, close.
 */
interface Target { url: string; path: string; sessions: Array<{ session: string; cookie: string; room: string }> }

const sockets: Socket[] = [];
let received = 0;
const latencies: number[] = [];

function connectAll(target: Target, concurrency = 50): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < target.sessions.length) {
      const entry = target.sessions[next++]!;
      await new Promise<void>((resolve, reject) => {
        const socket = io(target.url, {
          path: target.path,
          transports: ['websocket'],
          query: { session: entry.session, room: entry.room },
          extraHeaders: { cookie: entry.cookie },
          reconnection: false,
          forceNew: true,
          timeout: 60_000,
        });
        socket.on('connect', () => resolve());
        socket.on('connect_error', (error) => reject(error));
        socket.on('ox:mail:new', (payload: { sentAt?: number }) => {
          received++;
          if (typeof payload?.sentAt === 'number') latencies.push(performance.timeOrigin + performance.now() - payload.sentAt);
        });
        sockets.push(socket);
      });
    }
  };
  return Promise.all(Array.from({ length: concurrency }, worker)).then(() => undefined);
}

process.on('message', async (message: { type: string; target?: Target }) => {
  try {
    if (message.type === 'connect') {
      await connectAll(message.target!);
      process.send!({ type: 'connected', sockets: sockets.length });
    } else if (message.type === 'reset') {
      received = 0;
      latencies.length = 0;
      process.send!({ type: 'reset' });
    } else if (message.type === 'report') {
      process.send!({ type: 'report', received, latencies });
    } else if (message.type === 'disconnect') {
      for (const socket of sockets.splice(0)) socket.close();
      process.send!({ type: 'disconnected' });
    } else if (message.type === 'close') {
      for (const socket of sockets) socket.close();
      process.send!({ type: 'closed' });
      process.exit(0);
    }
  } catch (error) {
    process.send!({ type: 'error', message: (error as Error).message });
  }
});
