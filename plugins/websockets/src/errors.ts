import { KeelError } from '@keel/plugin-sdk';

/** Handshake rejections. The client sees the code and message in its `connect_error` (v4) or `error` (v2) event. */
export function websocketsDisabled(contextId: number, userId: number): KeelError {
  return new KeelError('WS-0001', `Web sockets are disabled for user ${userId} in context ${contextId} (com.openexchange.websockets.enabled)`, {
    status: 403,
    params: [contextId, userId],
  });
}

export function contextDisabled(contextId: number): KeelError {
  return new KeelError('WS-0002', `Context ${contextId} is disabled`, { status: 403, params: [contextId] });
}

export function duplicateConnection(connectionId: string): KeelError {
  return new KeelError('WS-0003', `Connection id ${connectionId} is already in use by another socket of this user; use a new connection id`, {
    status: 409,
    params: [connectionId],
  });
}

export function tooManySockets(max: number): KeelError {
  return new KeelError('WS-0004', `This user already has ${max} open sockets, the maximum (com.openexchange.websockets.maxSocketsPerUser); close one first`, {
    status: 429,
    params: [max],
  });
}

export function invalidConnectionId(): KeelError {
  return new KeelError('WS-0005', 'The connection parameter must be 1 to 128 characters of letters, digits, "-", "_", "." or ":"', { status: 400 });
}
