import { KeelError } from '@keel/plugin-sdk';

/**
 * Every error code of the FCM (gcm) transport. Start-up problems disable one client and are logged
 * with their code; delivery problems are logged per device; only `validate` throws to a caller.
 * Messages name files, clients and options, never server keys, private keys or access tokens.
 */
export const GCM_ERRORS = {
  'PNS-GCM-0001': { status: 500, text: (p: Params) => `FCM client '${p.client}': service account file ${p.path} cannot be read (${p.detail}); the client is disabled` },
  'PNS-GCM-0002': { status: 500, text: (p: Params) => `FCM client '${p.client}': the service account ${p.path} is not usable (${p.detail}); the client is disabled` },
  'PNS-GCM-0003': { status: 500, text: (p: Params) => `FCM client '${p.client}': ${p.detail}; the client is disabled` },
  'PNS-GCM-0004': { status: 502, text: (p: Params) => `FCM rejected a push for client '${p.client}': ${p.status} ${p.reason}` },
  'PNS-GCM-0005': { status: 503, text: (p: Params) => `FCM push for client '${p.client}' failed after ${p.attempts} attempts: ${p.detail}` },
  'PNS-GCM-0006': { status: 502, text: (p: Params) => `FCM client '${p.client}': no OAuth2 access token from ${p.url}: ${p.detail}` },
  'PNS-GCM-0007': { status: 500, text: (p: Params) => `FCM setting ${p.property}: ${p.detail}` },
  'PNS-GCM-0008': { status: 500, text: (p: Params) => `pns-gcm-options.yml: ${p.detail}; no FCM client is available` },
  'PNS-GCM-0009': { status: 400, text: (p: Params) => `FCM registration token must be 1 to 4096 printable characters without spaces, got ${p.length} characters` },
} as const;

export type GcmErrorCode = keyof typeof GCM_ERRORS;
type Params = Record<string, string | number | boolean | undefined>;

export function gcmError(code: GcmErrorCode, params: Params, cause?: unknown): KeelError {
  const entry = GCM_ERRORS[code];
  return new KeelError(code, entry.text(params), { status: entry.status, params: Object.values(params), cause });
}

