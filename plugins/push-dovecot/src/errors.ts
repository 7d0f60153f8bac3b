import { KeelError } from '@keel/plugin-sdk';

export function badBody(detail: string): KeelError {
  return new KeelError('DOV-0001', `Dovecot notification body unusable: ${detail}`, { status: 400 });
}

export function badField(detail: string): KeelError {
  return new KeelError('DOV-0002', `Dovecot notification incomplete: ${detail}`, { status: 400 });
}

export function shuttingDown(): KeelError {
  return new KeelError('DOV-0003', 'Keel is shutting down and accepts no more Dovecot notifications; Dovecot retries', { status: 503 });
}
