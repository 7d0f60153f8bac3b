import { STATUS_CODES, maxHeaderSize } from 'node:http';
import type { Duplex } from 'node:stream';
import { keelError } from '../errors.js';
import type { KernelLogger } from '../logging/create-logger.js';

/** What node hands a `clientError` listener: the parser's error, with the bytes it read. */
type ClientError = Error & { code?: string; rawPacket?: unknown };

/**
 * Answers requests node's HTTP parser refuses before any route runs (headers over the size limit,
 * broken request lines or framing, a request not received in time) in the REST error form with a
 * stable code, like every other error. Replaces fastify's default, which answered
 * `{"error","message","statusCode"}` without a code and wrote that body even to a HEAD request,
 * so the client read it as a broken next response.
 */
export function createClientErrorHandler(logger: KernelLogger, requestTimeout: number): (error: ClientError, socket: Duplex) => void {
  return (error, socket) => {
    // A reset connection has nobody left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const known = error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? keelError('KEEL-HTTP-TIMEOUT', { timeout: requestTimeout })
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? keelError('KEEL-HTTP-HEADERS-SIZE', { limit: maxHeaderSize })
        : keelError('KEEL-HTTP-MALFORMED', { detail: error.code ?? error.message });
    // Usually a scanner or a broken proxy: trace only. The raw bytes are redacted by the logger.
    logger.trace({ err: error, code: known.code }, 'request refused by the HTTP parser');
    const body = JSON.stringify({ error: known.message, code: known.code });
    // The parser read the request line first; a HEAD answer has headers only.
    const head = Buffer.isBuffer(error.rawPacket) && error.rawPacket.subarray(0, 5).toString('latin1') === 'HEAD ';
    if (socket.writable) {
      socket.write(`HTTP/1.1 ${known.status} ${STATUS_CODES[known.status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? '' : body}`);
    }
    socket.destroy();
  };
}
