// Shared test plumbing: HTTP login helpers, directory edits and a tap that records what reaches slapd.
import { createConnection, createServer, type Socket } from 'node:net';
import type { SlapdServer } from '@keel/test/harness';
import { BerReader, Client, PresenceFilter, SearchRequest, type Filter } from 'ldapts';

export interface LoginAnswer {
  status: number;
  body: Record<string, unknown>;
  /** `name=value` of the secret cookie, when one was set. */
  secretCookie?: string;
}

export async function login(url: string, name: string, password: string): Promise<LoginAnswer> {
  const response = await fetch(`${url}/appsuite/api/login?action=login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'keel-test/1.0' },
    body: new URLSearchParams({ name, password }),
  });
  const secret = response.headers.getSetCookie().find((line) => line.startsWith('open-xchange-secret-'));
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    ...(secret !== undefined ? { secretCookie: secret.split(';', 1)[0]! } : {}),
  };
}

/** `session?action=whoami` with the session and its cookie: proves the login produced a usable session. */
export async function whoami(url: string, answer: LoginAnswer): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/appsuite/api/session?action=whoami&session=${encodeURIComponent(String(answer.body['session']))}`, {
    headers: { 'user-agent': 'keel-test/1.0', ...(answer.secretCookie !== undefined ? { cookie: answer.secretCookie } : {}) },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Replaces attribute values of an entry, as the directory's root DN. */
export async function modifyEntry(slapd: SlapdServer, dn: string, values: Record<string, string[]>): Promise<void> {
  const { Change, Attribute } = await import('ldapts');
  const client = new Client({ url: slapd.url, timeout: 10_000, connectTimeout: 5_000 });
  try {
    await client.bind(slapd.rootDn, slapd.rootPassword);
    await client.modify(
      dn,
      Object.entries(values).map(([type, list]) => new Change({ operation: 'replace', modification: new Attribute({ type, values: list }) })),
    );
  } finally {
    await client.unbind();
  }
}

/**
 * A TCP pass-through in front of a real slapd that keeps every byte clients sent. slapd 2.5 writes its
 * stats log to syslog only, so this is how a test sees what reached the server (and what never did).
 */
export interface LdapTap {
  /** ldap://127.0.0.1:<tap port> */
  url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Everything clients sent, concatenated. */
  sent(): Buffer;
  /** Stops listening and drops open connections (the server looks down). */
  close(): Promise<void>;
}

export async function startLdapTap(target: { host: string; port: number }): Promise<LdapTap> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((client) => {
    connections++;
    const upstream = createConnection(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => chunks.push(chunk));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    url: `ldap://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    sent: () => Buffer.concat(chunks),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const SEARCH_REQUEST = 0x63;

/** The filters of every search request in the bytes a tap recorded, decoded as slapd decodes them. */
export function sentSearchFilters(bytes: Buffer): Filter[] {
  const filters: Filter[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const reader = new BerReader(bytes.subarray(offset));
    reader.readSequence();
    const end = reader.offset + reader.length;
    const messageId = reader.readInt() ?? 0;
    if (reader.readSequence() === SEARCH_REQUEST) {
      // parseMessage replaces the placeholder filter with the one on the wire
      const request = new SearchRequest({ messageId, filter: new PresenceFilter({ attribute: 'objectClass' }) });
      request.parseMessage(reader);
      filters.push(request.filter);
    }
    offset += end;
  }
  return filters;
}

/** Every kernel here: quick brute-force delays and room for the many failures the tests make on purpose. */
export const AUTH_PROPERTIES: Record<string, string> = {
  'keel.auth.baseDelayMs': '1',
  'keel.auth.maxDelayMs': '5',
  'keel.auth.maxFailures': '1000',
  'keel.auth.maxFailuresPerAddress': '1000',
};
