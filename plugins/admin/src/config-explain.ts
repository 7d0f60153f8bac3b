import type { CascadeSubject, CascadeValue, ConfigCascade, ContextService, UserService } from '@keel/plugin-sdk';
import type { ExplainAnswer } from '../console/src/api-types.js';
import { invalidQueryParameter, unknownSubject } from './errors.js';

/** Property names as the config files spell them: `com.openexchange.pns.transport.websocket.enabled.<client>.ox:mail:new`. */
const PROPERTY_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$/;
const MAX_PROPERTY_LENGTH = 256;
/** Values of properties named like this are never sent to the browser; the scopes still show. */
const SECRET_PATTERN = /pass(word|wd|phrase)|secret|token|credential|private[-_.]?key|api[-_.]?key/i;
const REDACTED = '********';

export interface ExplainQuery {
  property: string;
  subject: CascadeSubject;
}

/** Validates `?property=…&context=<id>[&user=<id>]`; ADM-0005 names the parameter that is wrong. */
export function parseExplainQuery(query: Readonly<Record<string, string | undefined>>): ExplainQuery {
  const property = query['property']?.trim() ?? '';
  if (property === '') throw invalidQueryParameter('property', 'a property name is required');
  if (property.length > MAX_PROPERTY_LENGTH) throw invalidQueryParameter('property', `at most ${MAX_PROPERTY_LENGTH} characters`);
  if (!PROPERTY_PATTERN.test(property)) throw invalidQueryParameter('property', 'letters, digits and . _ - : / only');
  const contextId = id(query, 'context');
  if (contextId === undefined) throw invalidQueryParameter('context', 'a context id is required');
  const userId = id(query, 'user');
  return { property, subject: userId === undefined ? { contextId } : { contextId, userId } };
}

function id(query: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const text = query[name]?.trim();
  if (text === undefined || text === '') return undefined;
  const value = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) throw invalidQueryParameter(name, `a non-negative integer is required, got '${text.slice(0, 40)}'`);
  return value;
}

/** The directory, when one runs: an unknown context or user is reported instead of explained as empty. */
export interface Directory {
  contexts?: Pick<ContextService, 'get'> | undefined;
  users?: Pick<UserService, 'get'> | undefined;
}

/** `GET /admin/v1/config/explain`: every scope's value for one (context, user) and which one wins. */
export async function explainProperty(cascade: ConfigCascade, query: ExplainQuery, directory: Directory = {}): Promise<ExplainAnswer> {
  const { contextId, userId } = query.subject;
  if (directory.contexts !== undefined && (await directory.contexts.get(contextId)) === undefined) throw unknownSubject(contextId);
  if (userId !== undefined && directory.users !== undefined && (await directory.users.get(contextId, userId)) === undefined) throw unknownSubject(contextId, userId);
  const explained = (await cascade.view(query.subject)).explain(query.property);
  const redacted = SECRET_PATTERN.test(query.property) && explained.values.length > 0;
  const hide = (value: CascadeValue): CascadeValue => (redacted ? { ...value, value: REDACTED } : value);
  return {
    property: query.property,
    contextId: query.subject.contextId,
    ...(query.subject.userId !== undefined ? { userId: query.subject.userId } : {}),
    ...(explained.winner !== undefined ? { winner: hide(explained.winner) } : {}),
    values: explained.values.map(hide),
    ...(explained.finalAt !== undefined ? { finalAt: explained.finalAt } : {}),
    redacted,
  };
}
