// Every error code provisioning itself answers (the directory's CTX-/USR- codes pass through).
import { KeelError } from '@keel/plugin-sdk';

/** The request body does not have the expected shape: an unknown field, a wrong type, a missing field. */
export function invalidBody(message: string, field?: string): KeelError {
  return new KeelError('PRV-0001', message, { status: 400, params: field === undefined ? [] : [field] });
}

/** A path or query parameter is not what the route expects. */
export function invalidParameter(name: string, value: string | undefined, expected: string): KeelError {
  return new KeelError('PRV-0002', `${name} must be ${expected}, got '${value ?? ''}'`, { status: 400, params: [name] });
}

/** The admin API speaks JSON only. */
export function unsupportedMediaType(contentType: string | undefined): KeelError {
  return new KeelError('PRV-0003', `Send the body as application/json (got ${contentType ? `'${contentType}'` : 'no Content-Type'})`, { status: 415 });
}
