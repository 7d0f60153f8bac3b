// Every error code auth-appintegration raises, with its status, in one place.
import { KeelError } from '@keel/plugin-sdk';

export function invalidServers(file: string, detail: string): KeelError {
  return new KeelError('AIA-0001', `${file}: ${detail}`, { status: 500, params: [file] });
}

/** The server could not be asked (down, timeout, TLS, HTTP error status). Never carries the password. */
export function serverUnavailable(url: string, detail: string): KeelError {
  return new KeelError('AIA-0002', `Application Integration server ${url} is unavailable: ${detail}`, { status: 502, params: [url] });
}

/** The server answered, but not with something usable. */
export function invalidAnswer(url: string, detail: string): KeelError {
  return new KeelError('AIA-0003', `Application Integration server ${url} sent an unusable answer: ${detail}`, { status: 502, params: [url] });
}

export function contextNotConfigured(contextId: number, file: string): KeelError {
  return new KeelError('AIA-0004', `Context ${contextId} has no Application Integration server in ${file}`, { status: 404, params: [contextId] });
}

export function syncRunning(contextId: number, jobId: string): KeelError {
  return new KeelError('AIA-0005', `A sync of context ${contextId} is already running (job ${jobId}); wait for it to finish`, { status: 409, params: [contextId, jobId] });
}

export function invalidSyncRequest(detail: string): KeelError {
  return new KeelError('AIA-0006', `Invalid sync request: ${detail}`, { status: 400 });
}

export function unknownJob(jobId: string): KeelError {
  return new KeelError('AIA-0007', `Sync job '${jobId}' is unknown or expired`, { status: 404, params: [jobId] });
}

export function unknownContext(contextId: number): KeelError {
  return new KeelError('AIA-0008', `Context ${contextId} does not exist: create it before syncing users into it`, { status: 404, params: [contextId] });
}
