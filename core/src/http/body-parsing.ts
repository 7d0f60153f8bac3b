import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { keelError } from '../errors.js';

/** Default maximum request body, 1 MiB; routes and actions may set their own `bodyLimit`. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * JSON stays with fastify's built-in parser (it guards against prototype poisoning). Forms become plain
 * objects (a repeated key keeps its last value, like the original servlet API's getParameter on most
 * containers). Everything else is handed over untouched as a Buffer for `HttpRequest.rawBody`.
 */
export function registerBodyParsers(fastify: FastifyInstance): void {
  // fastify parses text/plain into a string by default; the contract gives handlers every unparsed type as rawBody.
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });
}

/** A payload stream with fastify's `receivedEncodedLength` so its content-length check keeps working. */
interface CountedStream extends Transform {
  receivedEncodedLength: number;
}

/**
 * Enforces a per-route body limit. fastify's own limit is fixed per fastify route, and all our routes
 * share one catch-all, so the limit is checked here: early by Content-Length, and while streaming for
 * chunked bodies that did not announce their size.
 */
export function limitBody(payload: NodeJS.ReadableStream, contentLength: string | undefined, limit: number): NodeJS.ReadableStream {
  if (contentLength !== undefined && Number(contentLength) > limit) throw keelError('KEEL-HTTP-BODY-SIZE', { limit });
  const counted = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      counted.receivedEncodedLength += chunk.length;
      if (counted.receivedEncodedLength > limit) callback(keelError('KEEL-HTTP-BODY-SIZE', { limit }));
      else callback(null, chunk);
    },
  }) as CountedStream;
  counted.receivedEncodedLength = 0;
  payload.pipe(counted);
  return counted;
}
