import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { redactUrl } from './redact-url.js';

export interface RequestLogOptions {
  /** The bundle that served a request, if it reached one. */
  bundleOf(request: FastifyRequest): string | undefined;
  /** Paths logged at debug only: health probes arrive every few seconds. */
  quietPaths: ReadonlySet<string>;
  /** Called after the log line of every completed request (request metrics). */
  completed?(request: FastifyRequest, reply: FastifyReply): void;
}

/**
 * One line per request (method, URL without secrets, status, time, bundle) instead of fastify's
 * "incoming request" / "request completed" pair, which logs the raw URL including `password=…`.
 */
export function createRequestLogController(options: RequestLogOptions): LogController {
  class RequestLogController extends LogController {
    override incomingRequest(): void {
      // nothing: the completion line carries everything
    }

    override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
      const url = request.url;
      const mark = url.indexOf('?');
      const entry = {
        method: request.method,
        url: redactUrl(url),
        status: reply.statusCode,
        responseTime: Math.round(reply.elapsedTime * 10) / 10,
        bundle: options.bundleOf(request),
        ...(error ? { err: error } : {}),
      };
      if (error) reply.log.error(entry, 'request errored');
      else if (options.quietPaths.has(mark < 0 ? url : url.slice(0, mark))) reply.log.debug(entry, 'request completed');
      else reply.log.info(entry, 'request completed');
      options.completed?.(request, reply);
    }
  }
  return new RequestLogController();
}
