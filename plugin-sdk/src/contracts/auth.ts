import { createServiceRef } from '../service-ref.js';

export interface Credentials {
  /** What the user typed: `login`, `login@mapping`, or a mail address. */
  login: string;
  password: string;
  /** Client address, for brute-force protection and logs. */
  ip: string;
  client?: string;
  /** Restrict the lookup to one context (Application Integration accounts see one context). */
  contextId?: number;
}

export type AuthResult =
  | { outcome: 'success'; contextId: number; userId: number }
  | { outcome: 'failure'; reason: string }
  /** The backend does not know this login, or is unavailable: the next one is asked. */
  | { outcome: 'not-mine'; reason?: string };

/**
 * One authentication backend (auth-database, auth-ldap, auth-appintegration). Authenticators are
 * asked in ranking order; the first definite answer (success or failure) wins.
 */
export interface Authenticator {
  readonly name: string;
  authenticate(credentials: Credentials): Promise<AuthResult>;
}

/**
 * The authenticator chain plus brute-force protection. Errors: `LGI-0006` wrong login or password
 * (401, one generic message for both), `LGI-0020` too many failed attempts (429, with retry time),
 * `LGI-0010` context or user disabled (403), `LGI-0001` missing name or password (400).
 */
export interface AuthenticationService {
  /** Returns the user on success; throws the LGI errors otherwise. */
  authenticate(credentials: Credentials): Promise<{ contextId: number; userId: number; authenticator: string }>;
}

export const authenticatorRef = createServiceRef<Authenticator>({ id: 'auth.authenticator', version: '1.0.0', multiple: true });
export const authenticationServiceRef = createServiceRef<AuthenticationService>({ id: 'auth.service', version: '1.0.0' });
