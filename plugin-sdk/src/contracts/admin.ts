import type { HttpRequest } from './http.js';
import { createServiceRef } from '../service-ref.js';

/**
 * Master admin authentication for `/admin/v1` (HTTP Basic as `oxadminmaster`). Bundles that add
 * admin routes call `verify` first; it throws `ADM-0001` (401 with WWW-Authenticate) when the
 * credentials are missing or wrong.
 */
export interface AdminAuth {
  verify(request: HttpRequest): Promise<void>;
  /** Checks a login/password pair directly (CLI-style callers). */
  check(login: string, password: string): Promise<boolean>;
}

export const adminAuthRef = createServiceRef<AdminAuth>({ id: 'admin.auth', version: '1.0.0' });
