import { KeelError } from '@keel/plugin-sdk';

/**
 * Every error code of the APNs transport. Start-up problems disable one client and are logged with
 * their code; delivery problems are logged per device; only `validate` throws to a caller.
 * Messages name files, clients and options, never passwords, keys or tokens.
 */
export const APNS_ERRORS = {
  'PNS-APNS-0001': { status: 500, text: (p: Params) => `APNs client '${p.client}': keystore ${p.path} cannot be read (${p.detail}); the client is disabled` },
  'PNS-APNS-0002': { status: 500, text: (p: Params) => `APNs client '${p.client}': keystore ${p.path} cannot be opened (${p.detail}); check that it is a PKCS#12 file and that 'password' is right; the client is disabled` },
  'PNS-APNS-0003': { status: 500, text: (p: Params) => `APNs client '${p.client}': private key ${p.path} is not usable (${p.detail}); expected the .p8 file (EC P-256, PEM) Apple issued; the client is disabled` },
  'PNS-APNS-0004': { status: 500, text: (p: Params) => `APNs client '${p.client}': ${p.detail}; the client is disabled` },
  'PNS-APNS-0005': { status: 502, text: (p: Params) => `APNs rejected a push for client '${p.client}': ${p.status} ${p.reason}` },
  'PNS-APNS-0006': { status: 503, text: (p: Params) => `APNs push for client '${p.client}' failed after ${p.attempts} attempts: ${p.detail}` },
  'PNS-APNS-0007': { status: 400, text: (p: Params) => `APNs device token must be 16 to 400 hexadecimal characters, got ${p.length} characters${p.hex ? '' : ' with non-hex characters'}` },
  'PNS-APNS-0008': { status: 500, text: (p: Params) => `APNs setting ${p.property}: ${p.detail}` },
  'PNS-APNS-0009': { status: 500, text: (p: Params) => `pns-apns-options.yml: ${p.detail}; no APNs client is available` },
} as const;

export type ApnsErrorCode = keyof typeof APNS_ERRORS;
type Params = Record<string, string | number | boolean | undefined>;

export function apnsError(code: ApnsErrorCode, params: Params, cause?: unknown): KeelError {
  const entry = APNS_ERRORS[code];
  return new KeelError(code, entry.text(params), { status: entry.status, params: Object.values(params), cause });
}

