import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { HttpRequest, RestAuth } from '@keel/plugin-sdk';
import { restAuthRequired, restDisabled } from './errors.js';
import type { RestSettings } from './rest-settings.js';

/** `Authorization: Basic base64(login:password)`; the password may contain colons. */
export function parseBasic(header: string | string[] | undefined): { login: string; password: string } | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The REST guard. Both values are compared through HMACs under a per-process key, so a comparison
 * takes the same time whatever the input and whichever of the two is wrong.
 */
export function createRestAuth(settings: () => RestSettings): RestAuth {
  const key = randomBytes(32);
  const mac = (value: string) => createHmac('sha256', key).update(value).digest();
  return {
    async verify(request: HttpRequest): Promise<void> {
      const { login, password, missing } = settings();
      if (login === undefined || password === undefined) throw restDisabled(missing);
      const given = parseBasic(request.headers['authorization']);
      if (given === undefined) throw restAuthRequired('send the REST login and password with HTTP Basic authentication');
      const loginMatches = timingSafeEqual(mac(given.login), mac(login));
      const passwordMatches = timingSafeEqual(mac(given.password), mac(password));
      if (!(loginMatches && passwordMatches)) {
        request.log.warn({ address: request.ip, login: given.login }, 'REST authentication failed');
        throw restAuthRequired('wrong login or password');
      }
    },
  };
}
