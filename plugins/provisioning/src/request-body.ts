// Strict reading of JSON bodies: only known fields, each of the declared type, required ones present.
import type { HttpRequest } from '@keel/plugin-sdk';
import { invalidBody, unsupportedMediaType } from './errors.js';

export type FieldType = 'string' | 'integer' | 'boolean' | 'string[]' | 'string-map' | 'nullable-string-map';

export interface FieldSpec {
  type: FieldType;
  required?: boolean;
}

export type BodySpec = Record<string, FieldSpec>;

const EXPECTED: Record<FieldType, string> = {
  string: 'a string',
  integer: 'a whole number',
  boolean: 'true or false',
  'string[]': 'a list of strings',
  'string-map': 'an object of string values',
  'nullable-string-map': 'an object of string (or null to remove) values',
};

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'a fractional number';
  return `a ${typeof value}`;
}

function matches(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string[]':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    case 'string-map':
    case 'nullable-string-map':
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        && Object.values(value).every((item) => typeof item === 'string' || (item === null && type === 'nullable-string-map'));
  }
}

function isJson(request: HttpRequest): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && /^application\/(?:[\w.+-]+\+)?json\s*(;|$)/i.test(type);
}

/**
 * The body as an object holding only the fields of `spec`, each of its type. Anything else is a
 * 400 PRV-0001 naming the field, so a typo like `displayname` is never silently ignored.
 */
export function readBody<T>(request: HttpRequest, spec: BodySpec): T {
  if (!isJson(request)) throw unsupportedMediaType(typeof request.headers['content-type'] === 'string' ? request.headers['content-type'] : undefined);
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidBody(`The body must be a JSON object, got ${kind(body)}`);
  const allowed = Object.keys(spec);
  for (const [field, value] of Object.entries(body)) {
    const fieldSpec = spec[field];
    if (!fieldSpec) throw invalidBody(`Unknown field '${field}' (allowed: ${allowed.join(', ')})`, field);
    if (!matches(value, fieldSpec.type)) throw invalidBody(`Field '${field}' must be ${EXPECTED[fieldSpec.type]}, got ${kind(value)}`, field);
  }
  for (const [field, fieldSpec] of Object.entries(spec)) {
    if (fieldSpec.required && (body as Record<string, unknown>)[field] === undefined) throw invalidBody(`Field '${field}' is required`, field);
  }
  return body as T;
}
