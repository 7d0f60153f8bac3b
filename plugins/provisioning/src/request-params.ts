// Path ids and paging parameters.
import type { HttpRequest, Page } from '@keel/plugin-sdk';
import { invalidParameter } from './errors.js';

const MAX_ID = 2_147_483_647;

/** A positive 32-bit id from the path (`:cid`, `:uid`). */
export function idParam(request: HttpRequest, name: 'cid' | 'uid'): number {
  const raw = request.params[name];
  const value = raw !== undefined && /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value <= MAX_ID)) throw invalidParameter(name === 'cid' ? 'The context id' : 'The user id', raw, `a whole number from 1 to ${MAX_ID}`);
  return value;
}

function wholeNumber(request: HttpRequest, name: string, min: number, max: number): number | undefined {
  const raw = request.query[name];
  if (raw === undefined || raw === '') return undefined;
  const value = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) throw invalidParameter(`Query parameter '${name}'`, raw, `a whole number from ${min} to ${max}`);
  return value;
}

/** `?offset=&limit=` (defaults 0 and 100; the directory allows at most 1000 per page). */
export function pageParams(request: HttpRequest): Required<Page> {
  return { offset: wholeNumber(request, 'offset', 0, MAX_ID) ?? 0, limit: wholeNumber(request, 'limit', 1, 1000) ?? 100 };
}
