// Every error code storage-sql throws, with its status, in one place.
import { KeelError } from '@keel/plugin-sdk';

/** The database could not be opened or reached (the URL is always shown with its password masked). */
export function databaseUnreachable(displayUrl: string, detail: string, cause?: unknown): KeelError {
  return new KeelError('DB-0001', `Database ${displayUrl} is not reachable: ${detail}`, { status: 503, params: [displayUrl], cause });
}

export function invalidDatabaseUrl(displayUrl: string, reason: string): KeelError {
  return new KeelError('DB-0002', `Invalid keel.database.url '${displayUrl}': ${reason}. Use mysql://user:pass@host:port/db or sqlite:<path>`, { status: 500 });
}

export function migrationLockTimeout(displayUrl: string, seconds: number): KeelError {
  return new KeelError('DB-0003', `Could not get the migration lock on ${displayUrl} within ${seconds} s: another node is still migrating`, { status: 503 });
}

export function migrationFailed(owner: string, id: string, cause: unknown): KeelError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new KeelError('DB-0004', `Migration ${owner}/${id} failed: ${detail}`, { status: 500, params: [owner, id], cause });
}

export function invalidMigrations(owner: string, reason: string): KeelError {
  return new KeelError('DB-0005', `Invalid migrations of '${owner}': ${reason}`, { status: 500 });
}

export function unknownContext(contextId: number): KeelError {
  return new KeelError('CTX-0001', `Context ${contextId} does not exist`, { status: 404, params: [contextId] });
}

export function duplicateContext(message: string, params: readonly unknown[] = []): KeelError {
  return new KeelError('CTX-0002', message, { status: 409, params });
}

export function invalidContextInput(message: string, params: readonly unknown[] = []): KeelError {
  return new KeelError('CTX-0003', message, { status: 400, params });
}

export function unknownUser(contextId: number, userId: number): KeelError {
  return new KeelError('USR-0001', `User ${userId} does not exist in context ${contextId}`, { status: 404, params: [userId, contextId] });
}

export function duplicateUser(message: string, params: readonly unknown[] = []): KeelError {
  return new KeelError('USR-0002', message, { status: 409, params });
}

export function invalidUserInput(message: string, params: readonly unknown[] = []): KeelError {
  return new KeelError('USR-0003', message, { status: 400, params });
}

/** A unique key was violated (MySQL ER_DUP_ENTRY, SQLite constraint): a concurrent writer won the race. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
