import type { HttpRequest } from './http.js';
import { createServiceRef } from '../service-ref.js';

/**
 * HTTP Basic authentication of REST endpoints that external servers call (Dovecot's push driver …),
 * configured with `com.openexchange.rest.services.basic-auth.login` / `.password` (rest bundle).
 * `verify` throws `REST-0001` (403) while no credentials are configured, and `REST-0002` (401 with
 * `WWW-Authenticate: Basic realm="OX REST"`) when the request's credentials are missing or wrong.
 */
export interface RestAuth {
  verify(request: HttpRequest): Promise<void>;
}

export const restAuthRef = createServiceRef<RestAuth>({ id: 'rest.auth', version: '1.0.0' });
