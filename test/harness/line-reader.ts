// Reads CRLF-terminated reply lines from a socket for the tiny LMTP/IMAP test clients.
import type { Socket } from 'node:net';

export class LineReader {
  private buffer = '';
  private readonly lines: string[] = [];
  private waiting: { resolve: (line: string) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf('\n')) >= 0) {
        this.lines.push(this.buffer.slice(0, end).replace(/\r$/, ''));
        this.buffer = this.buffer.slice(end + 1);
      }
      this.deliver();
    });
    const fail = (error: Error): void => {
      this.failure ??= error;
      this.deliver();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed by the server')));
  }

  /** The next line; rejects when the connection failed or closed before one arrived. */
  next(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.deliver();
    });
  }

  private deliver(): void {
    if (!this.waiting) return;
    const line = this.lines.shift();
    if (line !== undefined) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve(line);
    } else if (this.failure) {
      const { reject } = this.waiting;
      this.waiting = undefined;
      reject(this.failure);
    }
  }
}
