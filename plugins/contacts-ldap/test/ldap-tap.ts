// A transparent TCP relay in front of the real slapd that records the LDAP messages passing
// through (BER framing only). slapd 2.5 writes its stats log to syslog, which these machines do
// not have, so the wire is where a test sees pages, binds and filters.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** LDAP protocolOp tags (RFC 4511 §4.2 ff.). */
export const OP = { bindRequest: 0x60, searchRequest: 0x63, searchResultEntry: 0x64, searchResultDone: 0x65 } as const;

export interface LdapMessage {
  /** Which relayed connection (message ids are per connection). */
  connection: number;
  direction: 'request' | 'response';
  messageId: number;
  op: number;
  /** The whole LDAPMessage element. */
  bytes: Buffer;
}

export interface LdapTap {
  /** ldap://127.0.0.1:<port> of the relay. */
  url: string;
  messages: LdapMessage[];
  clear(): void;
  close(): Promise<void>;
}

/** Tag, length and header size of the BER element at `offset`, or undefined when incomplete. */
function element(buffer: Buffer, offset: number): { tag: number; length: number; header: number } | undefined {
  if (buffer.length < offset + 2) return undefined;
  const first = buffer[offset + 1]!;
  if (first < 0x80) return { tag: buffer[offset]!, length: first, header: 2 };
  const count = first & 0x7f;
  if (buffer.length < offset + 2 + count) return undefined;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + buffer[offset + 2 + i]!;
  return { tag: buffer[offset]!, length, header: 2 + count };
}

function parser(connection: number, direction: LdapMessage['direction'], sink: LdapMessage[]): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      const message = element(pending, 0);
      if (!message || pending.length < message.header + message.length) return;
      const bytes = pending.subarray(0, message.header + message.length);
      pending = pending.subarray(bytes.length);
      const id = element(bytes, message.header);
      if (!id) continue;
      let messageId = 0;
      for (let i = 0; i < id.length; i++) messageId = messageId * 256 + bytes[message.header + id.header + i]!;
      const op = bytes[message.header + id.header + id.length]!;
      sink.push({ connection, direction, messageId, op, bytes: Buffer.from(bytes) });
    }
  };
}

/** The name of a simple BindRequest: [APPLICATION 0] { version INTEGER, name OCTET STRING, … }. */
export function bindName(message: LdapMessage): string {
  const outer = element(message.bytes, 0)!;
  const id = element(message.bytes, outer.header)!;
  const opStart = outer.header + id.header + id.length;
  const op = element(message.bytes, opStart)!;
  const version = element(message.bytes, opStart + op.header)!;
  const nameStart = opStart + op.header + version.header + version.length;
  const name = element(message.bytes, nameStart)!;
  return message.bytes.subarray(nameStart + name.header, nameStart + name.header + name.length).toString('utf8');
}

export async function startLdapTap(target: { host: string; port: number }): Promise<LdapTap> {
  const messages: LdapMessage[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((client) => {
    const connection = ++connections;
    const upstream = createConnection(target.port, target.host);
    sockets.add(client).add(upstream);
    const request = parser(connection, 'request', messages);
    const response = parser(connection, 'response', messages);
    client.on('data', (chunk) => {
      request(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      response(chunk);
      client.write(chunk);
    });
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', closeBoth).on('error', closeBoth);
    upstream.on('close', closeBoth).on('error', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `ldap://127.0.0.1:${port}`,
    messages,
    clear: () => {
      messages.length = 0;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Entries per search response (by message id), for the search requests recorded. */
export function entriesPerSearch(messages: readonly LdapMessage[]): number[] {
  const searches = messages.filter((m) => m.direction === 'request' && m.op === OP.searchRequest);
  return searches.map((search) => messages.filter((m) => m.direction === 'response' && m.connection === search.connection && m.messageId === search.messageId && m.op === OP.searchResultEntry).length);
}
