// A small Application Integration server of the kind operators write (PHP, Python): real HTTP on
// 127.0.0.1, answering in whatever style a test asks for.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  form: Record<string, string>;
}

export interface Answer {
  status?: number;
  contentType?: string;
  body: string;
  /** Wait this long before answering (a slow server). */
  delayMs?: number;
  /** Send the body in pieces of this many bytes without Content-Length (chunked). */
  chunkBytes?: number;
  /** Send this many bytes, then cut the connection. */
  cutAfterBytes?: number;
}

export interface RemoteListUser {
  userName: string;
  distinguishedName?: string;
  fullName?: string;
  emailAddresses?: string[];
}

export interface FakeIntegrationServer {
  readonly url: string;
  readonly requests: SeenRequest[];
  /** Credentials the server accepts (HTTP Basic). */
  credentials: { login: string; password: string };
  /** Passwords per userName for cmd=auth in the default style. */
  passwords: Map<string, string>;
  users: RemoteListUser[];
  /** Overrides the answer to cmd=auth; the default is strict JSON from `passwords`. */
  authAnswer: ((form: Record<string, string>) => Answer) | undefined;
  /** Overrides the answer to cmd=list; the default is `users` as JSON with Content-Length, like PHP. */
  listAnswer: (() => Answer) | undefined;
  close(): Promise<void>;
}

function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(body))));
    req.on('error', reject);
  });
}

async function send(res: ServerResponse, answer: Answer): Promise<void> {
  if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
  if (res.destroyed) return;
  const body = Buffer.from(answer.body, 'utf8');
  const headers: Record<string, string | number> = { 'content-type': answer.contentType ?? 'application/json' };
  if (answer.cutAfterBytes !== undefined) {
    res.writeHead(answer.status ?? 200, { ...headers, 'content-length': body.length });
    res.write(body.subarray(0, answer.cutAfterBytes), () => res.destroy());
    return;
  }
  if (answer.chunkBytes === undefined) {
    res.writeHead(answer.status ?? 200, { ...headers, 'content-length': body.length });
    res.end(body);
    return;
  }
  res.writeHead(answer.status ?? 200, headers);
  for (let at = 0; at < body.length; at += answer.chunkBytes) {
    if (!res.write(body.subarray(at, at + answer.chunkBytes))) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}

export async function startFakeIntegrationServer(): Promise<FakeIntegrationServer> {
  const fake: Omit<FakeIntegrationServer, 'url' | 'close'> = {
    requests: [],
    credentials: { login: 'keel', password: 'ais-secret' },
    passwords: new Map(),
    users: [],
    authAnswer: undefined,
    listAnswer: undefined,
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const form = await readForm(req);
      fake.requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, contentType: req.headers['content-type'], form });
      const expected = `Basic ${Buffer.from(`${fake.credentials.login}:${fake.credentials.password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"', 'content-type': 'text/plain' }).end('unauthorized');
        return;
      }
      if (form['cmd'] === 'auth') {
        const answer = fake.authAnswer?.(form) ?? { body: JSON.stringify({ succeeded: fake.passwords.get(form['user'] ?? '') === form['pass'] }) };
        await send(res, answer);
      } else if (form['cmd'] === 'list') {
        await send(res, fake.listAnswer?.() ?? { body: JSON.stringify(fake.users, null, 2), contentType: 'text/json; charset=utf8' });
      } else {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('unknown cmd');
      }
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}/mailstore-integration/index.php`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  });
}

/** A URL on which nothing listens: a port that was free a moment ago. */
export async function downUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/mailstore-integration/`;
}
