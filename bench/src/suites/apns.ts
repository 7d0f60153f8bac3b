import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, constants, createSecureServer, type ClientHttp2Session, type OutgoingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pushTransportRef, type DefinedBundle, type PushMatch, type PushNotification, type PushTransport } from '@keel/plugin-sdk';
import { startTestKernel } from '@keel/plugin-sdk/testing';
import { median, result, type BenchResult } from '../measure.js';

// The bundle is loaded from its build output (`npm run bench` builds everything first), so the
// bench package needs no compile-time dependency on it.
const BUNDLE = new URL('../../../../plugins/pns-transport-apns/dist/src/index.js', import.meta.url);
const P = 'com.openexchange.pns.transport.apn.ios.';
const DEVICES_PER_NOTIFICATION = 100;
const ROUNDS = 3;
const ROUND_MILLIS = 1000;
const MAX_PUSHES_PER_ROUND = 50_000;

/**
 * APNs pushes per second through the `apn` transport (cascade switch, payload mapping, stream
 * bookkeeping, response handling) over one HTTP/2 connection with client-certificate TLS to a local
 * stand-in, next to raw `node:http2` requests with the same headers and payloads on one session
 * with the same certificate. Rounds alternate between the two; medians are reported.
 */
export async function run(): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'keel-bench-apns-'));
  let server: ReturnType<typeof createSecureServer> | undefined;
  let raw: ClientHttp2Session | undefined;
  let stopKernel: (() => Promise<void>) | undefined;
  try {
    const pki = await makePki(dir);
    server = createSecureServer({ key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: true, settings: { maxConcurrentStreams: 1000 } });
    server.on('stream', (stream) => {
      stream.on('error', () => {});
      stream.resume();
      stream.on('end', () => {
        stream.respond({ ':status': 200, 'apns-id': '00000000-0000-4000-8000-000000000000' });
        stream.end();
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const bundle = (await import(BUNDLE.href) as { default: DefinedBundle<any, any> }).default;
    const keel = await startTestKernel({
      bundles: { 'pns-transport-apns': bundle },
      properties: { [`${P}enabled`]: 'true', [`${P}url.production`]: url, [`${P}trustedCaFile`]: pki.caFile, [`${P}maxConcurrentStreams`]: '1000' },
      files: { 'pns-apns-options.yml': `bench:\n  keystore: ${JSON.stringify(pki.p12File)}\n  password: ${JSON.stringify(pki.p12Password)}\n  topic: com.example.mail\n` },
      http: false,
    });
    stopKernel = () => keel.stop();
    const transport = keel.getAll(pushTransportRef).find((t) => t.id === 'apn') as PushTransport;

    const notification: PushNotification = {
      contextId: 1, userId: 3, topic: 'ox:mail:new',
      messageData: { folder: 'default0/INBOX', id: '113', email: 'jane.doe@foobar.com', displayname: 'Jane Doe', subject: "Let's meet", unread: 83, teaser: 'Hello' },
    };
    const tokens = Array.from({ length: DEVICES_PER_NOTIFICATION }, (_, i) => i.toString(16).padStart(64, 'a'));
    const matches: PushMatch[] = tokens.map((token) => ({ contextId: 1, userId: 3, token, client: 'bench', transport: 'apn', topic: 'ox:mail:new' }));
    // The very payload and headers the transport sends (see apns-payload.ts), for the raw baseline.
    const payload = JSON.stringify({ aps: { alert: { title: 'Jane Doe', body: "Let's meet" }, sound: 'default', badge: 83 }, topic: 'ox:mail:new', folder: 'default0/INBOX', id: '113' });

    raw = connect(url, { ca: pki.ca, pfx: pki.p12, passphrase: pki.p12Password });
    raw.on('error', () => {});
    const rawSession = raw;
    const rawBatch = (): Promise<unknown> => Promise.all(tokens.map((token) => rawPush(rawSession, token, payload)));
    const transportBatch = (): Promise<unknown> => transport.deliver(notification, matches);

    await rounds(transportBatch, 300);
    await rounds(rawBatch, 300);
    const transportRates: number[] = [];
    const rawRates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      rawRates.push(await rounds(rawBatch, ROUND_MILLIS));
      transportRates.push(await rounds(transportBatch, ROUND_MILLIS));
    }
    const transportRate = median(transportRates);
    const rawRate = median(rawRates);
    return [
      result('pns', `APNs pushes, transport 'apn' (${DEVICES_PER_NOTIFICATION} devices per notification, one HTTP/2 connection, client cert)`, transportRate, 'pushes/s', 'higher',
        { name: 'raw node:http2 requests, same payload and TLS', value: rawRate },
        `median of ${ROUNDS} rounds of ${ROUND_MILLIS} ms; local TLS HTTP/2 stand-in answering 200`),
    ];
  } finally {
    raw?.close();
    await stopKernel?.();
    if (server !== undefined) {
      const closing = server;
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    }
    await rm(dir, { recursive: true, force: true });
  }
}

/** Pushes per second of `batch` (DEVICES_PER_NOTIFICATION pushes each) run back to back for `millis`. */
async function rounds(batch: () => Promise<unknown>, millis: number): Promise<number> {
  const start = performance.now();
  let pushes = 0;
  while (performance.now() - start < millis && pushes < MAX_PUSHES_PER_ROUND) {
    await batch();
    pushes += DEVICES_PER_NOTIFICATION;
  }
  return pushes / ((performance.now() - start) / 1000);
}

function rawPush(session: ClientHttp2Session, token: string, payload: string): Promise<number> {
  const headers: OutgoingHttpHeaders = {
    [constants.HTTP2_HEADER_METHOD]: 'POST',
    [constants.HTTP2_HEADER_PATH]: `/3/device/${token}`,
    'content-type': 'application/json',
    'apns-push-type': 'alert',
    'apns-priority': '10',
    'apns-expiration': String(Math.floor(Date.now() / 1000) + 86_400),
    'apns-topic': 'com.example.mail',
  };
  return new Promise((resolve, reject) => {
    const stream = session.request(headers);
    let status = 0;
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.on('error', reject);
    stream.resume();
    stream.on('end', () => resolve(status));
    stream.end(payload);
  });
}

interface BenchPki {
  ca: string;
  caFile: string;
  serverKey: string;
  serverCert: string;
  p12: Buffer;
  p12File: string;
  p12Password: string;
}

/** A CA, a server certificate for 127.0.0.1 and a client PKCS#12, made with openssl. */
async function makePki(dir: string): Promise<BenchPki> {
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Keel Bench CA');
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'server.ext');
  openssl('req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=keel-bench');
  openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '1');
  const p12Password = 'bench-p12';
  openssl('pkcs12', '-export', '-in', 'client.pem', '-inkey', 'client.key', '-out', 'client.p12', '-passout', `pass:${p12Password}`);
  return {
    ca: await readFile(join(dir, 'ca.pem'), 'utf8'),
    caFile: join(dir, 'ca.pem'),
    serverKey: await readFile(join(dir, 'server.key'), 'utf8'),
    serverCert: await readFile(join(dir, 'server.pem'), 'utf8'),
    p12: await readFile(join(dir, 'client.p12')),
    p12File: join(dir, 'client.p12'),
    p12Password,
  };
}
