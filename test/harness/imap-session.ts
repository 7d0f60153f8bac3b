// A deliberately tiny IMAP client for harness checks (LOGIN, SELECT, GETMETADATA with short values).
// It does not parse literals ({n}); tests needing real IMAP should use a proper client library.
import { connect } from 'node:net';
import { LineReader } from './line-reader.js';

export interface ImapReply {
  status: 'OK' | 'NO' | 'BAD';
  /** The tagged line's text after the status. */
  text: string;
  /** Untagged lines ("* …") received before the tagged reply. */
  untagged: string[];
}

export interface ImapSession {
  greeting: string;
  /** Sends one command (without tag) and waits for its tagged reply. */
  command(command: string): Promise<ImapReply>;
  close(): Promise<void>;
}

/** Quotes a string for IMAP (no literals: refuses CR/LF). */
export function imapQuote(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error('imapQuote: CR/LF need a literal, not supported');
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

export async function openImapSession(port: number, host = '127.0.0.1', timeoutMs = 15_000): Promise<ImapSession> {
  const socket = connect({ host, port });
  socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`IMAP ${host}:${port} timed out`)));
  const reader = new LineReader(socket);
  const greeting = await reader.next();
  if (!greeting.startsWith('* OK')) {
    socket.destroy();
    throw new Error(`IMAP ${host}:${port}: unexpected greeting: ${greeting}`);
  }
  let counter = 0;
  return {
    greeting,
    async command(command) {
      const tag = `k${++counter}`;
      socket.write(`${tag} ${command}\r\n`);
      const untagged: string[] = [];
      for (;;) {
        const line = await reader.next();
        if (line.startsWith(`${tag} `)) {
          const match = /^\S+ (OK|NO|BAD)\s?(.*)$/.exec(line);
          if (!match) throw new Error(`IMAP: malformed tagged reply: ${line}`);
          return { status: match[1] as ImapReply['status'], text: match[2] ?? '', untagged };
        }
        untagged.push(line);
      }
    },
    async close() {
      if (!socket.destroyed) {
        socket.write('zz LOGOUT\r\n');
        socket.end();
        socket.destroy();
      }
    },
  };
}
