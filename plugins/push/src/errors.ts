import { KeelError } from '@keel/plugin-sdk';

export function permanentPushNotPossible(reasons: readonly string[]): KeelError {
  return new KeelError('PSH-0001', `Permanent push is not possible on this node: ${reasons.join('; ')}`, { status: 409 });
}

export function unknownRegistration(contextId: number, userId: number, client: string): KeelError {
  return new KeelError('PSH-0002', `No push registration for user ${userId} in context ${contextId} for client '${client}'`, { status: 404, params: [contextId, userId, client] });
}

export function invalidInput(message: string): KeelError {
  return new KeelError('PSH-0003', message, { status: 400 });
}

export function passcryptMissing(property: string): KeelError {
  return new KeelError('CRD-0001', `${property} is required when com.openexchange.push.credstorage.enabled=true (the passphrase that encrypts stored passwords, the same on every member)`, { status: 500 });
}
