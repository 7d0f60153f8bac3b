/**
 * The error every bundle throws when a caller did something wrong (or a dependency is down).
 * The HTTP layer turns it into the middleware's envelope
 * `{"error": message, "code": code, "error_params": params}` on module actions, or a plain
 * JSON body `{"error", "code"}` with `status` on REST routes. Anything that is not a KeelError
 * becomes a 500 `KEEL-INTERNAL` whose details go to the log only.
 */
export class KeelError extends Error {
  readonly code: string;
  readonly status: number;
  readonly params: readonly unknown[];
  /** Extra response headers, e.g. `WWW-Authenticate` with a 401. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: string,
    message: string,
    options: { status?: number; params?: readonly unknown[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeelError';
    this.code = code;
    this.status = options.status ?? 400;
    this.params = options.params ?? [];
    this.headers = options.headers ?? {};
  }
}

export function isKeelError(error: unknown): error is KeelError {
  return error instanceof KeelError || (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'KeelError' && typeof (error as { code?: unknown }).code === 'string');
}

/**
 * The first line of a library error, without its stack, prefixed by its code when the message does
 * not name it (`ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:443`): for messages that reach the log.
 */
export function briefErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const first = message.split('\n', 1)[0] ?? '';
  return typeof code === 'string' && !first.includes(code) ? `${code}: ${first}` : first;
}
