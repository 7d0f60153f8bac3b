// Reading the query parameters and JSON bodies the contacts actions share.
import type { ContactSort, HttpRequest } from '@keel/plugin-sdk';
import { sortFieldOf } from './columns.js';
import { badBody, badParameter } from './errors.js';

export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 5000;

export function requiredParam(request: HttpRequest, name: string): string {
  const value = request.query[name];
  if (value === undefined || value.trim() === '') throw badParameter(name, 'is missing');
  return value.trim();
}

function integer(request: HttpRequest, name: string, min: number): number | undefined {
  const value = request.query[name];
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d{1,15}$/.test(value) || Number(value) < min) throw badParameter(name, `must be a whole number ≥ ${min}`);
  return Number(value);
}

/** `timestamp`: the last_modified the client saw (optimistic concurrency). */
export function timestampParam(request: HttpRequest): number | undefined {
  return integer(request, 'timestamp', 0);
}

/** offset/limit, or App Suite's left_hand_limit (inclusive) / right_hand_limit (exclusive). */
export function pageParams(request: HttpRequest): { offset: number; limit: number } {
  const left = integer(request, 'left_hand_limit', 0);
  const right = integer(request, 'right_hand_limit', 0);
  const offset = integer(request, 'offset', 0) ?? left ?? 0;
  let limit = integer(request, 'limit', 0) ?? (right !== undefined ? Math.max(0, right - (left ?? 0)) : DEFAULT_LIMIT);
  limit = Math.min(limit, MAX_LIMIT);
  return { offset, limit };
}

/** `sort` (a column id such as 500, or a field name) and `order` (asc | desc). */
export function sortParam(request: HttpRequest): ContactSort | undefined {
  const sort = request.query['sort'];
  const order = (request.query['order'] ?? 'asc').toLowerCase();
  if (order !== 'asc' && order !== 'desc') throw badParameter('order', 'must be asc or desc');
  if (sort === undefined || sort === '') return order === 'desc' ? { field: 'displayName', order } : undefined;
  const field = sortFieldOf(sort);
  if (field === undefined) throw badParameter('sort', `cannot sort by "${sort}" (use 500 display name, 501 first name, 502 last name, 555 email, 569 company or 5 last modified)`);
  return { field, order };
}

export function jsonObject(request: HttpRequest): Record<string, unknown> {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badBody('must be a JSON object');
  return body as Record<string, unknown>;
}

/** `[{id, folder}]` (or `folder_id`), or a single such object. */
export function idPairs(request: HttpRequest): Array<{ id: string; folder: string }> {
  const body = request.body;
  const items = Array.isArray(body) ? body : typeof body === 'object' && body !== null ? [body] : undefined;
  if (items === undefined) throw badBody('must be a JSON array of {"id", "folder"} objects');
  return items.map((item, index) => {
    const record = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const id = record['id'];
    const folder = record['folder'] ?? record['folder_id'];
    if ((typeof id !== 'string' && typeof id !== 'number') || (typeof folder !== 'string' && typeof folder !== 'number')) {
      throw badBody(`item ${index} needs "id" and "folder"`);
    }
    return { id: String(id), folder: String(folder) };
  });
}
