// A small real AdminAuth for tests (the admin bundle provides the production one): HTTP Basic as
// oxadminmaster with a fixed password, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { KeelError, type AdminAuth } from '@keel/plugin-sdk';

export const MASTER = { login: 'oxadminmaster', password: 'secret' } as const;

export function basicHeader(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export function createTestAdminAuth(): AdminAuth {
  const check = async (login: string, password: string) => {
    // Both compared, always, so a wrong login takes as long as a wrong password.
    const loginOk = timingSafeEqual(digest(login), digest(MASTER.login));
    const passwordOk = timingSafeEqual(digest(password), digest(MASTER.password));
    return loginOk && passwordOk;
  };
  return {
    check,
    async verify(request) {
      const header = request.headers['authorization'];
      const match = typeof header === 'string' ? /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header) : null;
      const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      if (colon < 0 || !(await check(decoded.slice(0, colon), decoded.slice(colon + 1)))) {
        throw new KeelError('ADM-0001', 'Master admin authentication failed', { status: 401, headers: { 'www-authenticate': 'Basic realm="Keel admin", charset="UTF-8"' } });
      }
    },
  };
}
