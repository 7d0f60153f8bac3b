// Shared pieces of the fuzz suites: a real `keel start` process with a context and a user, raw HTTP
// that sends what it is told (node:http, no fetch normalisation), request arbitraries, the checks
// every answer must pass, memory readings, and the log scan for secrets.
import { createServer, request as httpRequest, Agent, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describeSecretLeaks, findSecretLeaks, freePort, type LoggedSecret } from '../harness/index.js';
import { startKeelProcess, type KeelProcess } from '../e2e/server-process.js';

export const API = '/appsuite/api';
export const MASTER_LOGIN = 'oxadminmaster';
export const MASTER_PASSWORD = 'fuzz-master-secret-7f3a9c';
export const CONTEXT_ID = 31;
export const USER_LOGIN = 'fuzzuser';
export const USER_MAIL = 'fuzzuser@fuzz.example';
export const USER_PASSWORD = 'fuzz user passw0rd \u00e4\u20ac';

/** Requests per property run: fast-check generates one batch per run and the batch is sent at once. */
export const CONCURRENCY = 8;

/** The fuzz seed: fixed so a run is repeatable; `KEEL_FUZZ_SEED` (and `KEEL_FUZZ_PATH`) replay a reported failure. */
export function fuzzSeed(fallback: number): number {
  const fromEnv = Number(process.env['KEEL_FUZZ_SEED']);
  return Number.isSafeInteger(fromEnv) && process.env['KEEL_FUZZ_SEED'] !== '' ? fromEnv : fallback;
}

// ---------------------------------------------------------------------------------------------
// The server

export interface FuzzServer {
  keel: KeelProcess;
  /** A valid session of the fuzz user with its secret cookie (`name=value`). */
  session: { id: string; cookie: string; secret: string; userId: number };
  /** Every secret this server was given or handed out; the log is scanned for them at the end. */
  secrets: LoggedSecret[];
}

/**
 * `keel start` with the fuzz settings: a known master password, brute-force delays shortened (the
 * lockouts stay) so thousands of wrong logins do not turn into minutes of waiting, and `files` /
 * `properties` of the suite. Then a context and a user are provisioned through the admin API and
 * the user logs in once.
 */
export async function startFuzzServer(options: { properties?: Record<string, string>; files?: Record<string, string>; env?: Record<string, string>; secrets?: LoggedSecret[] } = {}): Promise<FuzzServer> {
  const properties = {
    'keel.auth.baseDelayMs': '1',
    'keel.auth.maxDelayMs': '2',
    'keel.auth.maxFailuresPerAddress': '150',
    ...options.properties,
  };
  const keel = await startKeelProcess({
    files: {
      'fuzz.properties': Object.entries(properties).map(([key, value]) => `${key}=${escapeProperty(value)}`).join('\n') + '\n',
      ...options.files,
    },
    env: { KEEL_MASTER_PASSWORD: MASTER_PASSWORD, KEEL_LOG_LEVEL: 'trace', ...options.env },
  });
  try {
    await provision(keel);
    const session = await login(keel.url, USER_MAIL, USER_PASSWORD);
    const secrets: LoggedSecret[] = [
      { name: 'master password', value: MASTER_PASSWORD, basicLogin: MASTER_LOGIN },
      { name: 'user password', value: USER_PASSWORD, basicLogin: USER_MAIL },
      { name: 'session secret cookie', value: session.secret },
      ...(options.secrets ?? []),
    ];
    return { keel, session, secrets };
  } catch (error) {
    await keel.stop();
    throw error;
  }
}

function escapeProperty(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function basic(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}`;
}

async function provision(keel: KeelProcess): Promise<void> {
  const auth = basic(MASTER_LOGIN, MASTER_PASSWORD);
  const context = await fetch(`${keel.url}/admin/v1/contexts`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({ id: CONTEXT_ID, name: 'fuzz', loginMappings: ['fuzz.example'] }),
  });
  assert.equal(context.status, 201, `${await context.text()}\n${keel.log().slice(-3000)}`);
  const user = await fetch(`${keel.url}/admin/v1/contexts/${CONTEXT_ID}/users`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({ login: USER_LOGIN, password: USER_PASSWORD, displayName: 'Fuzz User', email: USER_MAIL }),
  });
  assert.equal(user.status, 201, await user.text());
}

/** Logs in over HTTP; the cookie is `name=value` as a browser sends it back. */
export async function login(url: string, name: string, password: string): Promise<{ id: string; cookie: string; secret: string; userId: number }> {
  const response = await fetch(`${url}${API}/login?action=login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name, password }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  const body = (await response.json()) as { session: string; user_id: number };
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('open-xchange-secret-'))?.split(';')[0];
  assert.ok(cookie, 'the login sets the secret cookie');
  return { id: body.session, cookie, secret: cookie.slice(cookie.indexOf('=') + 1), userId: body.user_id };
}

/** An HTTP server on 127.0.0.1 that answers every request (default: reads the body, answers 200 empty). */
export async function startReceiver(handle?: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ port: number; close(): Promise<void> }> {
  const port = await freePort();
  const server = createServer(handle ?? ((request, response) => {
    request.resume();
    request.on('end', () => response.end());
  }));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

// ---------------------------------------------------------------------------------------------
// Sending requests

export interface FuzzRequest {
  method: string;
  /** Path and query exactly as they go on the request line. */
  target: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
  /** Send the body in two chunks with chunked transfer encoding instead of a Content-Length. */
  chunked?: boolean;
}

export interface FuzzResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The request could not be completed on the client side; `cause` is the socket-level error code. */
export interface FuzzTransportError {
  error: string;
}

const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
/** A request that gets no answer within this time is reported as a hang. */
const HANG_MS = 20_000;

function bodyLength(body: Uint8Array | string | undefined): number {
  return body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;
}

/** Sends one request with node:http exactly as described (no redirects, no retries, a fresh connection). */
export function send(port: number, request: FuzzRequest): Promise<FuzzResponse | FuzzTransportError> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (value: FuzzResponse | FuzzTransportError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    const timer = setTimeout(() => {
      finish({ error: `no answer within ${HANG_MS} ms (hang)` });
      outgoing.destroy();
    }, HANG_MS);
    const headers: Record<string, string> = { ...request.headers };
    if (request.chunked) headers['transfer-encoding'] = 'chunked';
    else if (request.body !== undefined) headers['content-length'] = String(bodyLength(request.body));
    const outgoing = httpRequest({ host: '127.0.0.1', port, method: request.method, path: request.target, headers, agent, setHost: true }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => finish({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', (error: NodeJS.ErrnoException) => finish({ error: error.code ?? error.message }));
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => finish({ error: error.code ?? error.message }));
    if (request.body !== undefined && request.chunked) {
      const bytes = typeof request.body === 'string' ? Buffer.from(request.body) : Buffer.from(request.body);
      const half = Math.floor(bytes.length / 2);
      if (half > 0) outgoing.write(bytes.subarray(0, half));
      outgoing.end(bytes.subarray(half));
    } else {
      outgoing.end(request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : Buffer.from(request.body));
    }
  });
}

/**
 * Writes raw bytes to the server and collects whatever comes back until the server closes or
 * `waitMs` pass. For requests node:http refuses to send (broken request lines, bad framing).
 */
export function sendRaw(port: number, bytes: Uint8Array, waitMs = 2_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(done, waitMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => { answer += chunk; });
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', () => socket.end(Buffer.from(bytes)));
  });
}

// ---------------------------------------------------------------------------------------------
// Checking answers

/** How an endpoint answers errors. */
export type ErrorStyle =
  /** `{"error", "code", "error_params"}` (module API) */
  | 'action'
  /** `{"error", "code"}` (REST routes) */
  | 'rest'
  /** Engine.IO's own `{"code": <number>, "message"}` */
  | 'engine';

export interface AnswerRules {
  style: ErrorStyle;
  /**
   * Intended 5xx answers: returns why this one is expected, or undefined. Every other 5xx fails.
   * Keep each exception documented at its call site.
   */
  expected5xx?: (request: FuzzRequest, response: FuzzResponse) => string | undefined;
  /** Bodies above this many bytes may be refused before they are read; the server may then close the connection early. */
  bodyLimit?: number;
}

/** Stable Keel codes: `LGI-0006`, `KEEL-HTTP-NOT-FOUND`, `AIS-0001`, … */
const KEEL_CODE = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/;

function describeRequest(request: FuzzRequest): string {
  const body = request.body === undefined ? '' : typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('latin1');
  return `${request.method} ${request.target.slice(0, 300)} headers=${JSON.stringify(request.headers).slice(0, 500)} body(${bodyLength(request.body)} bytes)=${JSON.stringify(body.slice(0, 300))}`;
}

/** Throws (with the request in the message) when an answer breaks the rules every endpoint must keep. */
export function checkAnswer(request: FuzzRequest, answer: FuzzResponse | FuzzTransportError, rules: AnswerRules): void {
  if ('error' in answer) {
    // An oversized body may be answered (413) and the connection closed while the client still writes.
    const early = (answer.error === 'ECONNRESET' || answer.error === 'EPIPE') && bodyLength(request.body) > (rules.bodyLimit ?? 1024 * 1024);
    if (!early) throw new Error(`no answer (${answer.error}) to ${describeRequest(request)}`);
    return;
  }
  const { status, headers, body } = answer;
  const text = body.toString('utf8');
  if (status >= 500) {
    const why = rules.expected5xx?.(request, answer);
    if (why === undefined) throw new Error(`${status} ${text.slice(0, 300)} for ${describeRequest(request)}`);
  }
  if (status < 400 || request.method === 'HEAD') return;
  const type = String(headers['content-type'] ?? '');
  if (!type.startsWith('application/json')) throw new Error(`${status} answered ${type || 'without a content type'} (${text.slice(0, 200)}) for ${describeRequest(request)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${status} answered malformed JSON ${text.slice(0, 200)} for ${describeRequest(request)}`);
  }
  const error = parsed as { error?: unknown; code?: unknown; error_params?: unknown; message?: unknown };
  // Requests that never reached a module (`/appsuite/api/`) get the REST form even under the API prefix.
  const keel = typeof error.code === 'string' && KEEL_CODE.test(error.code) && typeof error.error === 'string' && (error.error_params === undefined || Array.isArray(error.error_params));
  // Engine.IO answers its own errors as {code: <number>, message}; paths beside its endpoint get Keel's.
  const ok = keel || (rules.style === 'engine' && typeof error.code === 'number' && typeof error.message === 'string');
  if (!ok) throw new Error(`${status} error body without a stable code (${rules.style} style): ${text.slice(0, 300)} for ${describeRequest(request)}`);
}

// ---------------------------------------------------------------------------------------------
// Running a fuzz campaign

export interface CampaignResult {
  requests: number;
  statuses: Record<number | string, number>;
  /** The request that took longest (wall time, for a closer look; not asserted). */
  slowest: { ms: number; request: string };
}

/**
 * Sends `runs` batches of {@link CONCURRENCY} generated requests and checks each answer, then that the
 * server is still up. fast-check reports the seed and path of a failure (replay with KEEL_FUZZ_SEED and
 * KEEL_FUZZ_PATH); shrinking against a live server is slow, so it only happens with KEEL_FUZZ_SHRINK=1.
 */
export async function runCampaign(options: {
  server: FuzzServer;
  requests: fc.Arbitrary<FuzzRequest>;
  runs: number;
  seed: number;
  rules: AnswerRules;
  /** Extra checks on an answer, e.g. a success shape. */
  check?: (request: FuzzRequest, response: FuzzResponse) => void;
}): Promise<CampaignResult> {
  const { server, rules } = options;
  const statuses: Record<string, number> = {};
  let requests = 0;
  let slowest = { ms: 0, request: '' };
  const path = process.env['KEEL_FUZZ_PATH'];
  await fc.assert(
    fc.asyncProperty(fc.array(options.requests, { minLength: CONCURRENCY, maxLength: CONCURRENCY }), async (batch) => {
      const answers = await Promise.all(batch.map(async (request) => {
        const started = Date.now();
        const answer = await send(server.keel.port, request);
        const ms = Date.now() - started;
        if (ms > slowest.ms) slowest = { ms, request: `${request.method} ${request.target.slice(0, 120)} (${'error' in answer ? answer.error : answer.status})` };
        return answer;
      }));
      for (let index = 0; index < batch.length; index++) {
        const request = batch[index]!;
        const answer = answers[index]!;
        requests++;
        const key = 'error' in answer ? answer.error : answer.status;
        statuses[key] = (statuses[key] ?? 0) + 1;
        checkAnswer(request, answer, rules);
        if (!('error' in answer)) options.check?.(request, answer);
      }
      if (!server.keel.alive()) throw new Error(`the server exited during the batch:\n${server.keel.log().slice(-4000)}`);
    }),
    {
      seed: options.seed,
      numRuns: options.runs,
      endOnFailure: process.env['KEEL_FUZZ_SHRINK'] !== '1',
      ...(path ? { path } : {}),
      // fast-check's own report prints the whole batch, overlong values included; this names the seed,
      // the path and the one failing request instead.
      asyncReporter: async (details) => {
        if (!details.failed) return;
        const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
        throw new Error(`fuzz failure after ${details.numRuns} batch(es); replay with KEEL_FUZZ_SEED=${details.seed} KEEL_FUZZ_PATH=${details.counterexamplePath ?? ''}\n${cause}`);
      },
    },
  );
  return { requests, statuses, slowest };
}

// ---------------------------------------------------------------------------------------------
// Memory and the log

export interface MemoryReading {
  rssBytes: number;
  heapUsedBytes?: number;
  source: 'metrics' | 'proc';
}

/** The server's memory from `GET /metrics` when the metrics bundle answers, else /proc/<pid>/status. */
export async function readMemory(keel: KeelProcess): Promise<MemoryReading> {
  try {
    const response = await fetch(`${keel.url}/metrics`);
    if (response.status === 200) {
      const text = await response.text();
      const rss = /^process_resident_memory_bytes\s+(\S+)/m.exec(text);
      const heap = /^nodejs_heap_size_used_bytes\s+(\S+)/m.exec(text);
      if (rss) return { rssBytes: Number(rss[1]), ...(heap ? { heapUsedBytes: Number(heap[1]) } : {}), source: 'metrics' };
    } else {
      await response.body?.cancel();
    }
  } catch {
    // fall back to /proc
  }
  const status = await readFile(`/proc/${keel.pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!kb) throw new Error(`no VmRSS in /proc/${keel.pid}/status`);
  return { rssBytes: Number(kb[1]) * 1024, source: 'proc' };
}

/**
 * Growth allowed between the reading after the warm-up and the one at the end: a leak check, not a
 * budget. The live heap is the measure when the metrics bundle reports it; RSS also counts allocator
 * slack after multi-MiB bodies and a heap V8 has not collected yet, so it gets a wider bound.
 */
export const HEAP_GROWTH_LIMIT = 64 * 1024 * 1024;
export const RSS_GROWTH_LIMIT = 96 * 1024 * 1024;

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function assertMemoryFlat(before: MemoryReading, after: MemoryReading): string {
  const growth = after.rssBytes - before.rssBytes;
  const heap = before.heapUsedBytes !== undefined && after.heapUsedBytes !== undefined ? `, heap used ${mib(before.heapUsedBytes)} → ${mib(after.heapUsedBytes)}` : '';
  const summary = `RSS ${mib(before.rssBytes)} → ${mib(after.rssBytes)} (${growth >= 0 ? '+' : ''}${mib(growth)}, via ${after.source})${heap}`;
  assert.ok(growth < RSS_GROWTH_LIMIT, `RSS grew by more than ${mib(RSS_GROWTH_LIMIT)}: ${summary}`);
  if (before.heapUsedBytes !== undefined && after.heapUsedBytes !== undefined) {
    assert.ok(after.heapUsedBytes - before.heapUsedBytes < HEAP_GROWTH_LIMIT, `the heap grew by more than ${mib(HEAP_GROWTH_LIMIT)}: ${summary}`);
  }
  return summary;
}

/** Stops the server (it must exit 0) and fails naming every log line that carries one of its secrets. */
export async function stopAndScanLog(server: FuzzServer | undefined, extraSecrets: readonly LoggedSecret[] = []): Promise<void> {
  if (server === undefined) return;
  const stopping = Date.now();
  const code = await server.keel.stop();
  const stopMs = Date.now() - stopping;
  process.stderr.write(`fuzz server stopped in ${stopMs} ms\n`);
  if (stopMs > 5_000) {
    const shutdown = server.keel.log().slice(server.keel.log().lastIndexOf('shutting down') - 200);
    process.stderr.write(shutdown.split('\n').filter((line) => !line.includes('"level":10')).slice(0, 80).map((line) => line.slice(0, 300)).join('\n'));
  }
  const log = server.keel.log();
  // KEEL_FUZZ_LOG_DIR keeps each server's log for a closer look.
  const logDir = process.env['KEEL_FUZZ_LOG_DIR'];
  if (logDir) await writeFile(join(logDir, `keel-${server.keel.port}.log`), log);
  assert.equal(code, 0, `keel exited with ${code}:\n${log.slice(-3000)}`);
  // The issue's bound for SIGTERM holds after a campaign too (abandoned Socket.IO polls once held it 30 s).
  assert.ok(stopMs <= 10_000, `keel took ${stopMs} ms to exit after SIGTERM`);
  const leaks = describeSecretLeaks(findSecretLeaks(log, [...server.secrets, ...extraSecrets]));
  assert.equal(leaks, undefined, leaks);
}

/** Prints a one-line summary of a campaign (shown by the spec reporter). */
export function report(name: string, result: CampaignResult): string {
  const statuses = Object.entries(result.statuses).sort(([a], [b]) => a.localeCompare(b)).map(([status, count]) => `${status}×${count}`).join(' ');
  return `${name}: ${result.requests} requests, ${statuses}; slowest ${result.slowest.ms} ms: ${result.slowest.request}`;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

/** A string as raw UTF-8 bytes in latin1 form: node:http sends header values byte for byte. */
export const asHeaderValue = (text: string): string => Buffer.from(text, 'utf8').toString('latin1').replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '');

export const anyText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 7_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'null', 'undefined', '-1', '0', '1e309', 'NaN', '[]', '{}', '__proto__', 'constructor', '%', '%zz', '%E0%A4', '\u0000', '../../etc/passwd', '<script>', '\'"', '\uFEFF', '\uD800') },
);

/** A query value as it appears on the request line: well encoded, or with broken escapes. */
export const queryPart = fc.oneof(
  { weight: 4, arbitrary: anyText.map((text) => encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, '\uFFFD'))) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%FF%FE', '%00', '%C0%AF', '+', '%2B%2b', ';', '=', '&', '[]', 'a[b]=c', '__proto__[x]') },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~!$'()*,;:@/?-]{0,30}$/) },
);

/** `?k=v&…` from generated pairs, sometimes with repeated names; `fixed` pairs are placed among them. */
export function queryString(names: fc.Arbitrary<string>, fixed: fc.Arbitrary<Array<[string, string]>> = fc.constant([])): fc.Arbitrary<string> {
  return fc.tuple(fc.array(fc.tuple(fc.oneof(names, queryPart), queryPart, fc.boolean()), { maxLength: 6 }), fixed, fc.boolean()).map(([random, pinned, repeat]) => {
    const pairs = [...pinned.map(([k, v]) => `${k}=${v}`), ...random.map(([k, v, bare]) => (bare ? k : `${k}=${v}`))];
    if (repeat && pairs.length > 0) pairs.push(pairs[0]!);
    return pairs.length === 0 ? '' : `?${pairs.join('&')}`;
  });
}

export const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS') },
  { weight: 1, arbitrary: fc.constantFrom('PROPFIND', 'TRACE', 'LINK', 'SEARCH', 'MKCOL', 'PURGE', 'REPORT') },
);

export const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded', 'text/javascript; charset=UTF-8', 'text/plain') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'multipart/form-data; boundary=xyz', 'application/octet-stream', 'application/xml', 'APPLICATION/JSON', 'application/json; charset=latin1',
      'application/x-www-form-urlencoded; charset=iso-8859-1', 'application/json;;;', ';', 'garbage', '*/*', 'application/', 'text/plain; charset=utf-16',
    ),
  },
  { weight: 1, arbitrary: anyText.map(asHeaderValue) },
);

/** JSON text cut short, or with a stray byte: what a broken client sends. */
const brokenJson = fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.nat(), fc.constantFrom('', '}', ']', ',', '"', '\\', '\u0000', '\uFFFF')).map(([value, cut, tail]) => {
  const text = JSON.stringify(value) ?? 'null';
  return text.slice(0, text.length > 0 ? cut % (text.length + 1) : 0) + tail;
});

/** Deep nesting that naive recursive code chokes on. */
const deepJson = fc.integer({ min: 100, max: 5_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`);

/** A body: JSON of any type, broken JSON, forms with duplicated fields, binary, unicode, huge. */
export function body(objects: fc.Arbitrary<unknown> = fc.constant({})): fc.Arbitrary<Uint8Array | string | undefined> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: objects.map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 2, arbitrary: brokenJson },
    { weight: 1, arbitrary: deepJson },
    { weight: 2, arbitrary: fc.array(fc.tuple(queryPart, queryPart), { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\r\n', 'null', '""', '0', 'true', '[]', '{}', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"x":1}}}') },
    { weight: 1, arbitrary: fc.integer({ min: 60_000, max: 2_200_000 }).map((n) => `{"data":"${'a'.repeat(n)}"}`) },
  );
}

export const cookieHeader = (valid: () => string | undefined) => fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constant(null).map(() => valid()) },
  { weight: 2, arbitrary: fc.tuple(fc.stringMatching(/^[a-f0-9]{32}$/), fc.stringMatching(/^[A-Za-z0-9]{0,40}$/)).map(([hash, value]) => `open-xchange-secret-${hash}=${value}`) },
  { weight: 1, arbitrary: fc.constantFrom('=', ';;;', 'a', '=x', 'open-xchange-secret-=', 'open-xchange-secret-x="unterminated', 'a=b; a=c; a=d', `${'c'.repeat(3000)}=1`) },
  { weight: 1, arbitrary: anyText.map(asHeaderValue) },
);

/** Authorization headers: missing, right, wrong, malformed Basic, other schemes. */
export function authorization(login: string, password: string): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.constant(basic(login, password)) },
    { weight: 2, arbitrary: fc.tuple(anyText, anyText).map(([l, p]) => basic(l, p)) },
    { weight: 1, arbitrary: anyText.map((p) => basic(login, p)) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'Basic', 'Basic ', 'Basic ====', 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`, `Basic ${Buffer.from(':').toString('base64')}`,
        `basic ${Buffer.from(`${login}:${password}`).toString('base64')}`, `BASIC  ${Buffer.from(`${login}:${password}`).toString('base64')}`,
        'Bearer abc', 'Digest username="x"', `Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0x00]).toString('base64')}`, `Basic ${'A'.repeat(8000)}`,
      ),
    },
    { weight: 1, arbitrary: anyText.map(asHeaderValue) },
  );
}

/** Extra random headers, with names that matter to proxies and parsers among them. */
export const extraHeaders = fc.dictionary(
  fc.oneof(fc.constantFrom('x-forwarded-for', 'x-forwarded-proto', 'user-agent', 'accept', 'accept-encoding', 'origin', 'referer', 'x-real-ip', 'expect', 'range', 'if-none-match'), fc.stringMatching(/^x-[a-z0-9-]{1,20}$/)),
  anyText.map(asHeaderValue),
  { maxKeys: 3 },
);

/** Assembles a request; `undefined` headers are left out. */
export function assemble(parts: { method: string; target: string; headers: Record<string, string | undefined>; body?: Uint8Array | string | undefined; chunked?: boolean }): FuzzRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(parts.headers)) if (value !== undefined) headers[name] = value;
  // Node refuses to send a body it cannot frame for these; they carry none on the wire anyway.
  const bodyless = parts.method === 'GET' || parts.method === 'HEAD';
  // Expect: 100-continue would make the client wait for a go-ahead it never asked for.
  delete headers['expect'];
  return {
    method: parts.method,
    target: parts.target,
    headers,
    ...(parts.body !== undefined && !(bodyless && parts.chunked) ? { body: parts.body } : {}),
    ...(parts.chunked && parts.body !== undefined && !bodyless ? { chunked: true } : {}),
  };
}

/** What the spec reporter shows under a test. */
export interface Diagnostics {
  diagnostic(message: string): void;
}

/**
 * The usual shape of a fuzz test: a warm-up campaign (caches, JIT, pools fill up), a memory reading,
 * the main campaign with another seed, a second reading; memory must stay flat and the server up.
 */
export async function fuzzWithMemoryCheck(t: Diagnostics, options: {
  name: string;
  server: FuzzServer;
  requests: fc.Arbitrary<FuzzRequest>;
  rules: AnswerRules;
  seed: number;
  /** Batches of {@link CONCURRENCY} requests in the main campaign. */
  runs: number;
  warmupRuns?: number;
  check?: (request: FuzzRequest, response: FuzzResponse) => void;
}): Promise<{ warmup: CampaignResult; main: CampaignResult; memory: string }> {
  const { server } = options;
  const logStart = server.keel.log().length;
  const common = { server, requests: options.requests, rules: options.rules, ...(options.check ? { check: options.check } : {}) };
  t.diagnostic(`seed ${options.seed} (replay: KEEL_FUZZ_SEED=<seed> [KEEL_FUZZ_PATH=<path>] [KEEL_FUZZ_SHRINK=1])`);
  const warmup = await runCampaign({ ...common, runs: options.warmupRuns ?? Math.max(10, Math.round(options.runs / 4)), seed: options.seed });
  const before = await readMemory(server.keel);
  const main = await runCampaign({ ...common, runs: options.runs, seed: options.seed + 1 });
  const after = await readMemory(server.keel);
  assert.ok(server.keel.alive(), 'the server is still running');
  const health = await fetch(`${server.keel.url}/health`);
  assert.equal(health.status, 200, 'the server still answers /health');
  await health.body?.cancel();
  const memory = assertMemoryFlat(before, after);
  // Background work (routing after the answer, deliveries) must not fail either: no error or fatal lines.
  const errors = server.keel.log().slice(logStart).split('\n').filter((line) => /"level":"(error|fatal)"/.test(line));
  assert.equal(errors.length, 0, `the server logged ${errors.length} error(s) during the campaign:\n${errors.slice(0, 5).map((line) => line.slice(0, 1500)).join('\n')}`);
  t.diagnostic(report(`${options.name} warm-up`, warmup));
  t.diagnostic(report(options.name, main));
  t.diagnostic(`${options.name} memory: ${memory}`);
  return { warmup, main, memory };
}
