// Talks to one Application Integration server: cmd=auth and cmd=list, POSTed as MailStore does.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { parseAuthAnswer } from './auth-answer.js';
import { invalidAnswer, serverUnavailable } from './errors.js';
import { displayUrl, type IntegrationServer } from './integration-servers.js';
import { JsonArrayReader } from './json-array-reader.js';
import { parseLenientJson } from './lenient-json.js';

/** A cmd=auth answer larger than this is not an answer. */
const MAX_AUTH_ANSWER = 64 * 1024;

export type PasswordAnswer = { kind: 'answer'; succeeded: boolean } | { kind: 'unavailable'; reason: string };

export interface ListProgress {
  users: number;
  bytes: number;
  /** Content-Length when the server sent one. */
  totalBytes: number | undefined;
}

export interface IntegrationClient {
  readonly server: IntegrationServer;
  /** Never throws: a server that cannot answer is `unavailable`, with a reason fit for logs. */
  checkPassword(user: string, password: string): Promise<PasswordAnswer>;
  /** Every list entry, parsed one at a time as the answer arrives. Throws AIA-0002/AIA-0003. */
  listUsers(onProgress?: (progress: ListProgress) => void): AsyncGenerator<unknown>;
  /** Closes kept-alive connections. */
  close(): void;
}

export function createIntegrationClient(server: IntegrationServer): IntegrationClient {
  const https = server.url.protocol === 'https:';
  // Connections are kept alive: a login burst should not pay a TCP (and TLS) handshake per password.
  const agent = https
    ? new HttpsAgent({ keepAlive: true, maxSockets: 32, rejectUnauthorized: server.rejectUnauthorized })
    : new HttpAgent({ keepAlive: true, maxSockets: 32 });
  const where = displayUrl(server.url);
  const authorization = `Basic ${Buffer.from(`${server.login}:${server.password}`).toString('base64')}`;

  /** POSTs the form; resolves with the response once its head arrived. `signal` bounds the whole exchange. */
  function post(form: URLSearchParams, signal: AbortSignal): Promise<IncomingMessage> {
    const body = form.toString();
    return new Promise((resolve, reject) => {
      const request = (https ? httpsRequest : httpRequest)(server.url, {
        method: 'POST',
        agent,
        signal,
        headers: {
          authorization,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          accept: 'application/json, text/json;q=0.9, */*;q=0.5',
          'user-agent': 'Keel auth-appintegration',
        },
      }, resolve);
      request.on('error', reject);
      request.end(body);
    });
  }

  /** A readable reason without secrets: the timeout, the socket error, the status. */
  function reasonOf(error: unknown, timeoutMs: number): string {
    const e = error as NodeJS.ErrnoException & { cause?: unknown };
    if (e.name === 'AbortError' || e.name === 'TimeoutError' || (e.cause as Error | undefined)?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
    return e.code !== undefined ? `${e.code} ${e.message}` : e.message;
  }

  function checkStatus(response: IncomingMessage): void {
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return;
    response.resume();
    const hint = status === 401 || status === 403 ? ' (check login and password in the configuration)' : '';
    throw serverUnavailable(where, `HTTP ${status}${hint}`);
  }

  async function checkPassword(user: string, password: string): Promise<PasswordAnswer> {
    const signal = AbortSignal.timeout(server.timeoutMs);
    let text: string;
    try {
      const response = await post(new URLSearchParams({ cmd: 'auth', user, pass: password }), signal);
      checkStatus(response);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_AUTH_ANSWER) {
          response.destroy();
          return { kind: 'unavailable', reason: `answer larger than ${MAX_AUTH_ANSWER} bytes` };
        }
        chunks.push(chunk);
      }
      text = Buffer.concat(chunks).toString('utf8');
    } catch (error) {
      return { kind: 'unavailable', reason: (error as { code?: string }).code === 'AIA-0002' ? (error as Error).message : reasonOf(error, server.timeoutMs) };
    }
    const succeeded = parseAuthAnswer(text);
    if (succeeded === undefined) return { kind: 'unavailable', reason: `unusable answer ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)}` };
    return { kind: 'answer', succeeded };
  }

  async function* listUsers(onProgress?: (progress: ListProgress) => void): AsyncGenerator<unknown> {
    const signal = AbortSignal.timeout(server.listTimeoutMs);
    let response: IncomingMessage;
    try {
      response = await post(new URLSearchParams({ cmd: 'list' }), signal);
    } catch (error) {
      throw serverUnavailable(where, reasonOf(error, server.listTimeoutMs));
    }
    checkStatus(response);
    const length = Number(response.headers['content-length']);
    const progress: ListProgress = { users: 0, bytes: 0, totalBytes: Number.isFinite(length) && length > 0 ? length : undefined };
    const reader = new JsonArrayReader();
    const decoder = new TextDecoder('utf-8');
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        progress.bytes += chunk.length;
        for (const element of reader.push(decoder.decode(chunk, { stream: true }))) {
          yield parseLenientJson(element);
          progress.users++;
        }
        onProgress?.(progress);
      }
      for (const element of reader.push(decoder.decode())) {
        yield parseLenientJson(element);
        progress.users++;
      }
      reader.end();
    } catch (error) {
      if (error instanceof SyntaxError) throw invalidAnswer(where, `cmd=list is not a JSON array of users: ${error.message}`);
      throw serverUnavailable(where, `cmd=list broke off after ${progress.bytes} bytes: ${reasonOf(error, server.listTimeoutMs)}`);
    } finally {
      // Also when the consumer stopped early: the rest of the answer is not wanted.
      if (!response.complete) response.destroy();
    }
    onProgress?.(progress);
  }

  return { server, checkPassword, listUsers, close: () => agent.destroy() };
}
