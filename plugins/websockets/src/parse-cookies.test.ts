import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCookies } from './parse-cookies.js';

test('parses name=value pairs, trims, decodes and unquotes', () => {
  assert.deepEqual(parseCookies(' a=1; open-xchange-secret-abc=s%20t ;q="x"'), { a: '1', 'open-xchange-secret-abc': 's t', q: 'x' });
});

test('skips malformed pairs and undecodable values; the first occurrence wins', () => {
  assert.deepEqual(parseCookies('novalue; =x; bad=%E0%A4%A; a=1; a=2'), { a: '1' });
});

test('no header, empty header and header arrays', () => {
  assert.deepEqual(parseCookies(undefined), {});
  assert.deepEqual(parseCookies(''), {});
  assert.deepEqual(parseCookies(['a=1', 'b=2']), { a: '1', b: '2' });
});

test('does not pollute the prototype', () => {
  const cookies = parseCookies('__proto__=x; constructor=y');
  assert.equal(Object.getPrototypeOf(cookies), Object.prototype);
  assert.equal(cookies['constructor'], 'y');
});
