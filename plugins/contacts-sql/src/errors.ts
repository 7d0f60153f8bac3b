// The contacts domain's error codes (ContactErrorCodes in the SDK) as thrown by the SQL storage.
import { ContactErrorCodes, KeelError } from '@keel/plugin-sdk';

export function invalidInput(message: string, params: readonly unknown[] = []): KeelError {
  return new KeelError(ContactErrorCodes.invalidInput, `Invalid contact: ${message}`, { status: 400, params });
}

export function contactNotFound(folderId: string, id: string): KeelError {
  return new KeelError(ContactErrorCodes.contactNotFound, `Contact ${id} not found in folder ${folderId}`, { status: 404, params: [id, folderId] });
}

export function folderNotFound(folderId: string): KeelError {
  return new KeelError(ContactErrorCodes.folderNotFound, `Contact folder ${folderId} not found`, { status: 404, params: [folderId] });
}

export function folderReadOnly(folderId: string, name: string): KeelError {
  return new KeelError(ContactErrorCodes.folderReadOnly, `Contact folder ${folderId} (${name}) is read-only`, { status: 403, params: [folderId] });
}

export function conflict(id: string, lastModified: number, expected: number): KeelError {
  return new KeelError(
    ContactErrorCodes.conflict,
    `Contact ${id} was modified at ${lastModified}, after the client's timestamp ${expected}: reload it and apply the change again`,
    { status: 409, params: [id, lastModified, expected] },
  );
}
