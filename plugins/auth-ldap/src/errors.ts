import { KeelError } from '@keel/plugin-sdk';

/** A setting of this bundle is missing or wrong; the bundle does not start (or keeps its old settings on reload). */
export function invalidSetting(property: string, problem: string, cause?: unknown): KeelError {
  return new KeelError('AUTHLDAP-0001', `Invalid LDAP authentication setting ${property}: ${problem}`, {
    status: 500,
    params: [property],
    ...(cause !== undefined ? { cause } : {}),
  });
}
