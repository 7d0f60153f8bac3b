/**
 * Property names whose values are never written to the log. Compared case-insensitively wherever they
 * appear in a logged object (see redact-secrets.ts); child logger bindings are checked at their top level.
 */
export const SECRET_KEYS: readonly string[] = [
  'password', 'passwd', 'pass', 'passcrypt', 'masterpassword', 'newpassword', 'oldpassword',
  'secret', 'clientsecret', 'client_secret', 'webhooksecret', 'signaturesecret',
  'token', 'accesstoken', 'access_token', 'refreshtoken', 'refresh_token', 'apitoken', 'x-auth-token',
  'authorization', 'proxy-authorization',
  'cookie', 'cookies', 'set-cookie',
  'key', 'apikey', 'api_key', 'x-api-key', 'privatekey', 'private_key',
  'credentials',
  // node's HTTP parser errors (clientError: header overflow, bad framing) carry the raw request bytes,
  // Authorization and Cookie headers and form bodies included; fastify logs them at trace.
  'rawpacket',
];

/** How many objects deep secrets are looked for below the logged object (`a.b.c.d.e.f.password`). */
export const REDACT_DEPTH = 6;

/** The value written instead of a secret. */
export const REDACTED = '[redacted]';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * pino redact paths for the secret keys at the top level only. pino's path redaction costs tens of
 * microseconds per line once wildcards (`*.password`) are involved, so nested values are handled by our
 * own walker; these paths exist for child logger bindings, which pino formats without our formatter.
 */
export function topLevelRedactPaths(keys: readonly string[] = SECRET_KEYS): string[] {
  const variants = new Set<string>();
  for (const key of keys) {
    variants.add(key);
    // Bindings are written by hand, typically camelCase or capitalised header names.
    variants.add(key.charAt(0).toUpperCase() + key.slice(1));
  }
  for (const camel of ['masterPassword', 'newPassword', 'oldPassword', 'clientSecret', 'webhookSecret', 'signatureSecret', 'accessToken', 'refreshToken', 'apiToken', 'apiKey', 'privateKey']) {
    variants.add(camel);
  }
  return [...variants].map((key) => (IDENTIFIER.test(key) ? key : `["${key}"]`));
}
