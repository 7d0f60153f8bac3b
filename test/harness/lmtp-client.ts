// A minimal LMTP client (RFC 2033) for putting test mail into Dovecot the way an MTA does: LMTP
// delivery is what triggers Dovecot's push_notification drivers (IMAP APPEND does not).
import { connect } from 'node:net';
import { LineReader } from './line-reader.js';

export interface LmtpDelivery {
  host: string;
  port: number;
  from: string;
  to: string;
  /** The raw RFC 5322 message; bare LF line ends become CRLF, dot-stuffing is done here. */
  message: string | Buffer;
  lhloName?: string;
  timeoutMs?: number;
}

/** CRLF line ends, dots doubled at line starts, and a final CRLF before the terminating ".". */
export function encodeDataSection(message: string | Buffer): string {
  const text = typeof message === 'string' ? message : message.toString('utf8');
  let body = text.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  if (!body.endsWith('\r\n')) body += '\r\n';
  return `${body}.\r\n`;
}

export async function deliverLmtp(delivery: LmtpDelivery): Promise<void> {
  const socket = connect({ host: delivery.host, port: delivery.port });
  socket.setTimeout(delivery.timeoutMs ?? 30_000, () =>
    socket.destroy(new Error(`LMTP ${delivery.host}:${delivery.port} timed out`)),
  );
  const reader = new LineReader(socket);

  // a reply is one or more lines "250-…" ending with "250 …"; returns the whole reply text
  async function expect(code: string, stage: string): Promise<string> {
    const lines: string[] = [];
    for (;;) {
      const line = await reader.next();
      lines.push(line);
      if (line.length < 4 || line[3] !== '-') break;
    }
    const reply = lines.join('\n');
    if (!reply.startsWith(code)) throw new Error(`LMTP ${stage}: expected ${code}, got: ${reply}`);
    return reply;
  }

  function send(line: string): void {
    socket.write(`${line}\r\n`);
  }

  try {
    await expect('220', 'greeting');
    send(`LHLO ${delivery.lhloName ?? 'keel-test.localhost'}`);
    await expect('250', 'LHLO');
    send(`MAIL FROM:<${delivery.from}>`);
    await expect('250', 'MAIL FROM');
    send(`RCPT TO:<${delivery.to}>`);
    await expect('250', `RCPT TO <${delivery.to}>`);
    send('DATA');
    await expect('354', 'DATA');
    socket.write(encodeDataSection(delivery.message));
    // LMTP answers once per accepted recipient; there is exactly one here
    await expect('250', `delivery to <${delivery.to}>`);
    send('QUIT');
    await expect('221', 'QUIT').catch(() => undefined);
  } finally {
    socket.destroy();
  }
}
