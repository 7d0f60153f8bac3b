import { after, before, describe, test } from 'node:test';
import { createHmac } from 'node:crypto';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { io as ioV4 } from 'socket.io-client';
import { API, CONTEXT_ID, basic, send, startFuzzServer, startReceiver, type FuzzServer } from '../fuzz/support.js';

// SIGTERM under load: Dovecot notifications flow in at a bounded rate (push-dovecot answers each at
// once and routes it afterwards to the PNS, which buffers it for `delayDuration`, then the webhook
// transport POSTs it to a receiver on 127.0.0.1). Mid-load the server gets SIGTERM. It must exit 0
// within 10 s (the hard bound), and every notification it answered 200 must have reached the
// receiver: answered means accepted, so the shutdown drains push-dovecot's routing queue, the PNS
// buffer and queue, and the transport's deliveries, in that order. Socket.IO clients are connected
// and refused around the signal too.
const ioV2 = createRequire(import.meta.url)('socket.io-client-v2') as (url: string, options: Record<string, unknown>) => { on(event: string, listener: (...args: unknown[]) => void): unknown; close(): unknown };
const REST_LOGIN = 'dovecot-drain';
const REST_PASSWORD = 'rest-drain-secret-5a0c';
const SIGNATURE_SECRET = 'drain-signature-secret-77b1';
const EXIT_BOUND_MS = 10_000;
/** Notifications sent before SIGTERM; the senders keep going while the server stops. */
const BEFORE_SIGTERM = 300;
const SENDERS = 4;
/** Pause per sender between requests: about SENDERS × 1000 / PAUSE_MS requests per second at most. */
const PAUSE_MS = 15;

describe('SIGTERM under load drains every accepted notification', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  let server: FuzzServer | undefined;
  /** imap-uid → deliveries seen by the receiver (the payload's `id`). */
  const delivered = new Map<string, number>();
  const badSignatures: string[] = [];

  before(async () => {
    receiver = await startReceiver((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const header = String(request.headers['x-ox-signature'] ?? '');
        const match = /^t=(\d+), v1=([0-9a-f]{64})$/.exec(header);
        const expected = match ? createHmac('sha256', SIGNATURE_SECRET).update(`v1:${match[1]}:${body}`).digest('hex') : '';
        if (!match || match[2] !== expected) badSignatures.push(header);
        const id = (JSON.parse(body) as { payload?: { id?: string } }).payload?.id ?? '?';
        delivered.set(id, (delivered.get(id) ?? 0) + 1);
        // A little latency, so deliveries are in flight when the signal arrives.
        setTimeout(() => response.end(), 10);
      });
    });
    const { port } = receiver;
    server = await startFuzzServer({
      properties: {
        'com.openexchange.rest.services.basic-auth.login': REST_LOGIN,
        'com.openexchange.rest.services.basic-auth.password': REST_PASSWORD,
        'com.openexchange.webhooks.enabledIds': 'drainhook',
        'com.openexchange.pns.transport.webhooks.httpsOnly': 'false',
        'com.openexchange.pns.transport.webhooks.allowLocalWebhooks': 'true',
        // Long enough that most accepted notifications are still buffered when SIGTERM arrives.
        'com.openexchange.pns.delayDuration': '3000',
      },
      files: { 'webhooks.yml': `drainhook:\n  uri: http://127.0.0.1:${port}/drain\n  signatureSecret: ${SIGNATURE_SECRET}\n` },
      env: { KEEL_LOG_LEVEL: 'info' },
    });
  });

  after(async () => {
    if (server?.keel.alive()) server.keel.signal('SIGKILL');
    await server?.keel.stop();
    await receiver?.close();
  });

  test('exit 0 within 10 s, nothing accepted is lost, the log shows an orderly shutdown', async (t) => {
    const { keel, session } = server!;
    const subscribe = await fetch(`${keel.url}${API}/pns?action=subscribe&session=${session.id}`, {
      method: 'PUT',
      headers: { cookie: session.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ client: 'drainhook', token: '', transport: 'webhook', topics: ['ox:mail:*'] }),
    });
    assert.equal(subscribe.status, 200, await subscribe.text());

    const accepted: string[] = [];
    const refused: Record<string, number> = {};
    let next = 1;
    let stopSending = false;
    let signalled: number | undefined;
    let exitedAt: number | undefined;
    void keel.exited.then(() => { exitedAt = Date.now(); });

    const sender = async () => {
      while (!stopSending) {
        const uid = next++;
        const answer = await send(keel.port, {
          method: 'PUT',
          target: '/preliminary/http-notify/v1/notify',
          headers: { 'content-type': 'application/json; charset=utf-8', authorization: basic(REST_LOGIN, REST_PASSWORD) },
          body: JSON.stringify({ user: `${session.userId}@${CONTEXT_ID}`, event: 'messageNew', folder: 'INBOX', 'imap-uidvalidity': 1, 'imap-uid': uid, from: 'Drain Test <drain@fuzz.example>', subject: `notification ${uid}`, snippet: 'x', unseen: uid }),
        });
        if ('error' in answer) refused[answer.error] = (refused[answer.error] ?? 0) + 1;
        else if (answer.status === 200) accepted.push(String(uid));
        else refused[answer.status] = (refused[answer.status] ?? 0) + 1;
        // After the exit nothing can be accepted any more; a few refused connections prove it.
        if (exitedAt !== undefined && ('error' in answer)) stopSending = true;
        await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      }
    };
    const senders = Array.from({ length: SENDERS }, () => sender());

    // Socket.IO clients around at the signal, as in production: App Suite tabs (v2 long-polling)
    // connected, and refused clients that went away while engine.io still buffered their close for
    // the next poll; those closes used to hold the process for 30 s after SIGTERM.
    const sockets: Array<{ close(): unknown }> = [];
    const connect = (sessionId: string, version: 2 | 4) => new Promise<void>((resolve) => {
      const options = { path: '/socket.io/appsuite', transports: ['polling'], query: { session: sessionId }, extraHeaders: { cookie: session.cookie }, forceNew: true, reconnection: false };
      const socket = version === 4 ? ioV4(keel.url, options) : ioV2(keel.url, options);
      sockets.push(socket);
      socket.on('connect', () => resolve());
      // A refused client goes away, as a browser tab that gives up does.
      const refused = () => {
        socket.close();
        resolve();
      };
      socket.on('connect_error', refused);
      socket.on('error', refused);
    });
    await Promise.all([
      ...Array.from({ length: 3 }, () => connect(session.id, 2)),
      ...Array.from({ length: 10 }, (_, i) => connect(`not-a-session-${i}`, 4)),
    ]);

    while (accepted.length < BEFORE_SIGTERM) {
      assert.ok(keel.alive(), 'the server runs until it is told to stop');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const acceptedBeforeSignal = accepted.length;
    signalled = Date.now();
    keel.signal('SIGTERM');

    // The hard bound: fail (and kill) when the process is not gone after 10 s.
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), EXIT_BOUND_MS).unref());
    const outcome = await Promise.race([keel.exited, timeout]);
    if (outcome === 'timeout') {
      keel.signal('SIGKILL');
      stopSending = true;
      await Promise.all(senders);
      for (const socket of sockets) socket.close();
      assert.fail(`keel did not exit within ${EXIT_BOUND_MS} ms of SIGTERM:\n${keel.log().slice(-4000)}`);
    }
    const exitMs = (exitedAt ?? Date.now()) - signalled;
    stopSending = true;
    await Promise.all(senders);
    for (const socket of sockets) socket.close();

    const log = keel.log();
    const lost = accepted.filter((uid) => !delivered.has(uid));
    const duplicates = [...delivered.entries()].filter(([, count]) => count > 1).length;
    t.diagnostic(`accepted ${accepted.length} (${acceptedBeforeSignal} before SIGTERM), delivered ${[...delivered.keys()].filter((id) => accepted.includes(id)).length}, lost ${lost.length}, delivered twice ${duplicates}, refused ${JSON.stringify(refused)}, exit ${outcome} after ${exitMs} ms`);

    assert.equal(outcome, 0, `exit code after SIGTERM:\n${log.slice(-3000)}`);
    assert.ok(exitMs <= EXIT_BOUND_MS, `exited after ${exitMs} ms`);
    assert.deepEqual(lost, [], `${lost.length} accepted notifications never reached the receiver`);
    assert.deepEqual(badSignatures, [], 'every delivery carries a valid X-OX-Signature');
    assert.ok(accepted.length >= BEFORE_SIGTERM);

    // Orderly: the signal is logged, the PNS flushes its buffer, the bundles stop, nothing fails.
    const shutdown = log.slice(log.indexOf('"msg":"shutting down"'));
    assert.match(log, /"signal":"SIGTERM","msg":"shutting down"/);
    assert.match(shutdown, /delivering buffered push notifications before stopping/);
    for (const bundle of ['push-dovecot', 'pns-impl', 'pns-transport-webhooks', 'websockets', 'storage-sql']) {
      assert.match(shutdown, new RegExp(`"bundle":"${bundle}"[^\\n]*"msg":"bundle stopped"`), `${bundle} stopped in order`);
    }
    const failures = shutdown.split('\n').filter((line) => /"level":"(error|fatal)"/.test(line));
    assert.deepEqual(failures, [], 'no errors while shutting down');
  });
});
