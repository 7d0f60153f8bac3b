import { KeelError } from '@keel/plugin-sdk';

/** Every error the metrics bundle answers, with its stable code and HTTP status. */
export const REALM = 'Keel metrics';

export function addressNotAllowed(address: string): KeelError {
  return new KeelError('MET-0001', `Address ${address} may not read metrics; add it to keel.metrics.allowedNetworks to allow it`, {
    status: 403,
    params: [address],
  });
}

export function metricsAuthRequired(detail: string): KeelError {
  return new KeelError('MET-0002', `Metrics authentication failed: ${detail}`, {
    status: 401,
    headers: { 'www-authenticate': `Basic realm="${REALM}", charset="UTF-8"` },
  });
}

/** A property that cannot be used; fails the start, and a reload keeps the previous settings. */
export function invalidSetting(property: string, source: string | undefined, detail: string): Error {
  return new Error(`Property ${property}${source === undefined ? '' : ` (${source})`}: ${detail}`);
}
