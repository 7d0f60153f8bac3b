/** Query parameters whose values never reach the request log (compared case-insensitively). */
const SECRET_QUERY_KEYS = new Set(['password', 'pass', 'passwd', 'secret', 'token', 'access_token']);

/**
 * The URL as it may be logged: values of secret-looking query parameters replaced by `[redacted]`.
 * Works on the raw string so an odd encoding is never "fixed up" in the log.
 */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark < 0) return url;
  const query = url.slice(mark + 1).split('&').map((pair) => {
    const equals = pair.indexOf('=');
    const rawName = equals < 0 ? pair : pair.slice(0, equals);
    let name = rawName;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
    } catch {
      // keep the raw name; a malformed escape is still compared as written
    }
    return equals >= 0 && SECRET_QUERY_KEYS.has(name.toLowerCase()) ? `${rawName}=[redacted]` : pair;
  });
  return `${url.slice(0, mark)}?${query.join('&')}`;
}
