import { KeelError } from '@keel/plugin-sdk';

/**
 * Every error code of the WNS transport. Start-up problems disable one client and are logged with
 * their code; delivery problems are logged per channel; only `validate` throws to a caller.
 * Messages name clients and options, never the client secret, access tokens or channel URIs.
 */
export const WNS_ERRORS = {
  'PNS-WNS-0001': { status: 500, text: (p: Params) => `WNS client '${p.client}': ${p.detail}; the client is disabled` },
  'PNS-WNS-0002': { status: 502, text: (p: Params) => `WNS client '${p.client}': no access token from ${p.url}: ${p.detail}` },
  'PNS-WNS-0003': { status: 502, text: (p: Params) => `WNS rejected a push for client '${p.client}': ${p.status} ${p.reason}` },
  'PNS-WNS-0004': { status: 503, text: (p: Params) => `WNS push for client '${p.client}' failed after ${p.attempts} attempts: ${p.detail}` },
  'PNS-WNS-0005': { status: 500, text: (p: Params) => `WNS setting ${p.property}: ${p.detail}` },
  'PNS-WNS-0006': { status: 500, text: (p: Params) => `pns-wns-options.yml: ${p.detail}; no WNS client is available` },
  'PNS-WNS-0007': { status: 400, text: (p: Params) => `WNS channel URI ${p.detail}` },
} as const;

export type WnsErrorCode = keyof typeof WNS_ERRORS;
type Params = Record<string, string | number | boolean | undefined>;

export function wnsError(code: WnsErrorCode, params: Params, cause?: unknown): KeelError {
  const entry = WNS_ERRORS[code];
  return new KeelError(code, entry.text(params), { status: entry.status, params: Object.values(params), cause });
}


export function isWnsCode(error: unknown, code: WnsErrorCode): boolean {
  return error instanceof KeelError && error.code === code;
}
