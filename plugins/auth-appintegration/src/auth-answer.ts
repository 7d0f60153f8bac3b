import { parseLenientJson } from './lenient-json.js';

/**
 * The `succeeded` of a cmd=auth answer: `{"succeeded": true}`, the seed's unquoted `{ succeeded: true }`,
 * any content type, any whitespace, the key in any case. Undefined for anything else (garbage, an HTML
 * error page, `{"succeeded": "maybe"}`): the caller then treats the server as unavailable, never as a yes.
 */
export function parseAuthAnswer(text: string): boolean | undefined {
  let parsed: unknown;
  try {
    parsed = parseLenientJson(text.trim());
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  for (const [key, value] of Object.entries(parsed)) {
    if (key.toLowerCase() !== 'succeeded') continue;
    if (typeof value === 'boolean') return value;
    // PHP servers that echo strings: only the two unambiguous spellings count.
    if (value === 'true') return true;
    if (value === 'false') return false;
    return undefined;
  }
  return undefined;
}
