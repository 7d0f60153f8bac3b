// Every error code pns-impl answers, with its HTTP status, in one place.
import { KeelError } from '@keel/plugin-sdk';

export function invalidTopic(topic: string): KeelError {
  return new KeelError('PNS-0001', `Invalid topic '${topic}': use letters, digits, '_', '-' and ':' separators (no leading, trailing or double ':'), a 'prefix:*' wildcard or '*'`, {
    status: 400,
    params: [topic],
  });
}

export function unknownTransport(transport: string, known: readonly string[]): KeelError {
  const choice = known.length > 0 ? `registered transports: ${known.join(', ')}` : 'no transport is registered';
  return new KeelError('PNS-0002', `Unknown transport '${transport}' (${choice})`, { status: 400, params: [transport] });
}

export function tooManySubscriptions(limit: number, transport: string, client: string): KeelError {
  return new KeelError('PNS-0003', `Too many subscriptions: at most ${limit} per user for transport '${transport}' and client '${client}'`, {
    status: 409,
    params: [limit, transport, client],
  });
}

export function invalidField(field: string, expectation: string): KeelError {
  return new KeelError('PNS-0004', `Invalid field '${field}': ${expectation}`, { status: 400, params: [field] });
}
