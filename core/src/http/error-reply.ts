import { randomBytes } from 'node:crypto';
import { isKeelError, type KeelError } from '@keel/plugin-sdk';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { keelError } from '../errors.js';

/** Module actions answer the middleware's envelope; REST routes a plain `{error, code}` body. */
export type ErrorStyle = 'action' | 'rest';

/** What the error mapping needs to know about the request. */
export interface ErrorContext {
  readonly bodyLimit: number;
  readonly contentType: string | undefined;
}

/** Maps what fastify itself throws (body parsing) onto our stable codes; undefined for unexpected errors. */
export function toKeelError(error: unknown, context: ErrorContext): KeelError | undefined {
  if (isKeelError(error)) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode, message } = error as { code?: unknown; statusCode?: unknown; message?: unknown };
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return keelError('KEEL-HTTP-BODY-SIZE', { limit: context.bodyLimit });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return keelError('KEEL-HTTP-BODY', { detail: String(message) });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return keelError('KEEL-HTTP-MEDIA-TYPE', { type: context.contentType ?? '' });
    default:
      // Any other client error fastify raises while reading the request (e.g. an aborted body).
      if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
        return keelError('KEEL-HTTP-BODY', { detail: String(message) });
      }
      return undefined;
  }
}

/**
 * Answers an error. KeelErrors keep their status also on module actions: the original API answered
 * errors with HTTP 200 and the envelope, but every client reads the envelope first, and a real status
 * lets proxies, monitoring and modern clients tell failures apart. Anything else becomes a 500
 * `KEEL-INTERNAL` whose details (stack included) go to the log under a short reference, never to the client.
 */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  context: { style: ErrorStyle; bodyLimit: number; bundle: string | undefined },
): FastifyReply {
  const { style, bundle } = context;
  let known = toKeelError(error, { bodyLimit: context.bodyLimit, contentType: request.headers['content-type'] });
  if (known === undefined) {
    const reference = randomBytes(4).toString('hex');
    request.log.error({ err: error, reference, bundle }, `request failed with an internal error (${reference})`);
    known = keelError('KEEL-INTERNAL', { reference });
  } else if (known.status >= 500) {
    request.log.warn({ code: known.code, status: known.status, bundle }, known.message);
  } else {
    request.log.debug({ code: known.code, status: known.status, bundle }, known.message);
  }
  if (reply.sent) return reply;
  const body = style === 'action'
    ? { error: known.message, code: known.code, error_params: known.params }
    : { error: known.message, code: known.code };
  return reply.code(known.status).headers(known.headers).type('application/json; charset=utf-8').send(body);
}
