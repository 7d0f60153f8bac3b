// Errors of the contacts HTTP module (the contacts domain's codes are in the SDK's ContactErrorCodes).
import { ContactErrorCodes, KeelError } from '@keel/plugin-sdk';

export function folderNotFound(folderId: string): KeelError {
  return new KeelError(ContactErrorCodes.folderNotFound, `Contact folder ${folderId} not found`, { status: 404, params: [folderId] });
}

export function contactNotFound(folderId: string, id: string): KeelError {
  return new KeelError(ContactErrorCodes.contactNotFound, `Contact ${id} not found in folder ${folderId}`, { status: 404, params: [id, folderId] });
}

/** A request parameter missing or malformed. */
export function badParameter(name: string, problem: string): KeelError {
  return new KeelError('CON-0010', `Parameter "${name}" ${problem}`, { status: 400, params: [name] });
}

/** The request body is not what the action expects. */
export function badBody(problem: string): KeelError {
  return new KeelError('CON-0011', `Request body ${problem}`, { status: 400 });
}
