/**
 * The cookies of a `Cookie` request header. The Socket.IO handshake is a raw node request (fastify's
 * cookie parsing never sees it), and only the session's secret cookie matters here, so a small
 * tolerant parser is enough: malformed pairs and undecodable values are skipped, the first
 * occurrence of a name wins (as browsers send the most specific path first).
 */
export function parseCookies(header: string | string[] | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  const text = Array.isArray(header) ? header.join('; ') : header;
  if (text === undefined || text === '') return cookies;
  for (const pair of text.split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    if (name === '' || Object.hasOwn(cookies, name)) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      cookies[name] = decodeURIComponent(value);
    } catch {
      // An undecodable value cannot be a secret we issued.
    }
  }
  return cookies;
}
