// Strict checks of the subscribe / unsubscribe bodies: every problem names its field.
import { isValidTopic, type HttpRequest } from '@keel/plugin-sdk';
import { invalidField, invalidTopic } from './errors.js';
import { MAX_CLIENT_LENGTH, MAX_TOKEN_LENGTH, MAX_TOPIC_LENGTH, MAX_TRANSPORT_LENGTH } from './subscription-schema.js';

export const MAX_TOPICS = 100;
export const MAX_META_LENGTH = 4096;

export interface SubscribeInput {
  client?: string;
  token: string;
  transport: string;
  topics: string[];
  meta?: Record<string, unknown>;
  expires?: number;
}

export interface UnsubscribeInput {
  client?: string;
  token?: string;
  transport: string;
}

/**
 * The request body as an object: JSON parsed by the server, or a raw body the App Suite UI sends as
 * `text/javascript` (the original API's content type for PUT bodies).
 */
export function bodyObject(request: HttpRequest): Record<string, unknown> {
  let body: unknown = request.body;
  if (body === undefined && request.rawBody !== undefined && request.rawBody.length > 0) {
    try {
      body = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      throw invalidField('body', 'a JSON object is required (the body is not valid JSON)');
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidField('body', 'a JSON object is required');
  return body as Record<string, unknown>;
}

const PRINTABLE = /^[\x21-\x7e]+$/;

function name(body: Record<string, unknown>, field: string, max: number, required: true): string;
function name(body: Record<string, unknown>, field: string, max: number, required: false): string | undefined;
function name(body: Record<string, unknown>, field: string, max: number, required: boolean): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (required) throw invalidField(field, 'is required');
    return undefined;
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > max || !PRINTABLE.test(value)) {
    throw invalidField(field, `a non-empty string of at most ${max} printable characters without spaces is required`);
  }
  return value;
}

function token(body: Record<string, unknown>, required: boolean): string | undefined {
  const value = body.token;
  if (value === undefined || value === null) {
    if (required) throw invalidField('token', 'is required');
    return undefined;
  }
  if (typeof value !== 'string' || value.length > MAX_TOKEN_LENGTH || /[\x00-\x1f\x7f]/.test(value)) {
    throw invalidField('token', `a string of at most ${MAX_TOKEN_LENGTH} characters without control characters is required`);
  }
  return value;
}

export function parseSubscribe(body: Record<string, unknown>, now: number): SubscribeInput {
  const client = name(body, 'client', MAX_CLIENT_LENGTH, false);
  const transport = name(body, 'transport', MAX_TRANSPORT_LENGTH, true);
  const tokenValue = token(body, true)!;
  const topics = body.topics;
  if (topics === undefined || topics === null) throw invalidField('topics', 'is required');
  if (!Array.isArray(topics) || topics.length === 0 || topics.length > MAX_TOPICS) {
    throw invalidField('topics', `an array of 1 to ${MAX_TOPICS} topics is required`);
  }
  for (const topic of topics) {
    if (typeof topic !== 'string') throw invalidField('topics', 'every topic must be a string');
    if (topic.length > MAX_TOPIC_LENGTH || !isValidTopic(topic)) throw invalidTopic(topic.slice(0, MAX_TOPIC_LENGTH));
  }
  const input: SubscribeInput = { token: tokenValue, transport, topics: [...new Set(topics as string[])] };
  if (client !== undefined) input.client = client;
  const meta = body.meta;
  if (meta !== undefined && meta !== null) {
    if (typeof meta !== 'object' || Array.isArray(meta)) throw invalidField('meta', 'a JSON object is required');
    if (JSON.stringify(meta).length > MAX_META_LENGTH) throw invalidField('meta', `at most ${MAX_META_LENGTH} characters of JSON are allowed`);
    input.meta = meta as Record<string, unknown>;
  }
  const expires = body.expires;
  if (expires !== undefined && expires !== null) {
    if (typeof expires !== 'number' || !Number.isSafeInteger(expires)) throw invalidField('expires', 'epoch milliseconds (an integer) are required');
    if (expires <= now) throw invalidField('expires', 'must lie in the future');
    input.expires = expires;
  }
  return input;
}

export function parseUnsubscribe(body: Record<string, unknown>): UnsubscribeInput {
  const client = name(body, 'client', MAX_CLIENT_LENGTH, false);
  const transport = name(body, 'transport', MAX_TRANSPORT_LENGTH, true);
  const tokenValue = token(body, false);
  const input: UnsubscribeInput = { transport };
  if (client !== undefined) input.client = client;
  if (tokenValue !== undefined) input.token = tokenValue;
  return input;
}
