import { connect } from 'node:net';
import { sleep } from './process-cleanup.js';

/** Polls check() until it returns true; throws with `what` and the last error after the deadline. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await sleep(25);
  }
}

/** Connects, optionally sends a line, and resolves with the first chunk the server sends. */
export function readGreeting(port: number, host = '127.0.0.1', send?: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer from ${host}:${port}`)));
    socket.once('error', reject);
    if (send !== undefined) socket.once('connect', () => socket.write(send));
    socket.once('data', (chunk: string) => {
      socket.destroy();
      resolve(chunk);
    });
  });
}

/** True once something accepts TCP connections on host:port. */
export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
