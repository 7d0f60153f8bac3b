import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonArrayReader } from './json-array-reader.js';

function readAll(chunks: string[]): string[] {
  const reader = new JsonArrayReader();
  const elements = chunks.flatMap((chunk) => reader.push(chunk));
  reader.end();
  return elements;
}

describe('JsonArrayReader', () => {
  const text = ' [ {"userName": "a,b", "x": [1, {"y": "]"}]}, {\'q\': \'it\\\'s }\'} ,{"e":"\\"]"}, ] \n';

  it('splits an array into its elements, strings with brackets and commas included', () => {
    assert.deepEqual(readAll([text]), ['{"userName": "a,b", "x": [1, {"y": "]"}]}', "{'q': 'it\\'s }'}", '{"e":"\\"]"}']);
  });

  it('gives the same elements whatever the chunk boundaries', () => {
    const whole = readAll([text]);
    for (let size = 1; size <= 7; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      assert.deepEqual(readAll(chunks), whole, `chunks of ${size}`);
    }
  });

  it('an empty array has no elements', () => {
    assert.deepEqual(readAll(['[]']), []);
    assert.deepEqual(readAll(['\uFEFF[\n]\n']), []);
  });

  it('rejects non-arrays, truncated arrays, trailing text and oversized elements', () => {
    assert.throws(() => readAll(['{"a": 1}']), /expected a JSON array/);
    assert.throws(() => readAll(['']), /empty answer/);
    assert.throws(() => readAll(['[{"a": 1}, {"b"']), /incomplete/);
    assert.throws(() => readAll(['[1] x']), /unexpected text after the array/);
    assert.throws(() => readAll(['[1}]']), /unbalanced/);
    const reader = new JsonArrayReader(10);
    assert.throws(() => reader.push('["0123456789ab'), /longer than 10/);
  });
});
