import { createServiceRef } from '../service-ref.js';

/**
 * A readiness check (the database answers, Redis is reachable …). `GET /health/ready` runs every
 * registered check with a timeout and answers 503 when one fails or an enabled bundle is not active.
 */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<{ healthy: boolean; detail?: string }>;
}

export const healthCheckRef = createServiceRef<HealthCheck>({ id: 'health.check', version: '1.0.0', multiple: true });
