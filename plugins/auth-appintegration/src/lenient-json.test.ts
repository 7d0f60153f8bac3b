import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAuthAnswer } from './auth-answer.js';
import { parseLenientJson } from './lenient-json.js';

describe('lenient JSON', () => {
  it('parses strict JSON through JSON.parse', () => {
    assert.deepEqual(parseLenientJson('{"a": [1, 2.5e3, "x\\n"], "b": null}'), { a: [1, 2500, 'x\n'], b: null });
  });

  it('accepts unquoted keys, single quotes, odd-case literals, trailing commas and a BOM', () => {
    assert.deepEqual(parseLenientJson('\uFEFF{ succeeded: True, }'), { succeeded: true });
    assert.deepEqual(parseLenientJson("{'userName': 'o\\'neil', fullName: 'say \"hi\"', emailAddresses: ['a@b.c',],}"),
      { userName: "o'neil", fullName: 'say "hi"', emailAddresses: ['a@b.c'] });
    assert.deepEqual(parseLenientJson('[FALSE, Null, -1]'), [false, null, -1]);
  });

  it('keeps __proto__ as data', () => {
    const parsed = parseLenientJson("{ __proto__: { polluted: true }, 'x': 1 }") as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
    assert.deepEqual(Object.keys(parsed), ['__proto__', 'x']);
  });

  it('rejects what is not JSON-like, naming the position', () => {
    for (const text of ['', '<html>', '{ succeeded: yes }', '{"a": 1', "{'a': 'x}", '{a b: 1}', '[1 2]', '{} {}']) {
      assert.throws(() => parseLenientJson(text), SyntaxError, text);
    }
    assert.throws(() => parseLenientJson('{ a: yes }'), /position 5/);
  });
});

describe('cmd=auth answers', () => {
  it('reads every form servers send', () => {
    assert.equal(parseAuthAnswer('{"succeeded": true}'), true);
    assert.equal(parseAuthAnswer('{"succeeded":false}'), false);
    assert.equal(parseAuthAnswer('{\n  succeeded: true\n}'), true);
    assert.equal(parseAuthAnswer('{\r\n  succeeded: false\r\n}\r\n'), false);
    assert.equal(parseAuthAnswer('  {"Succeeded": true}  '), true);
    assert.equal(parseAuthAnswer('{"succeeded": "true"}'), true);
  });

  it('anything else is no answer at all, never a yes', () => {
    for (const text of ['', 'true', '[true]', '{}', '{"succeeded": 1}', '{"succeeded": "yes"}', '{"ok": true}', '<html>error</html>', 'succeeded: true']) {
      assert.equal(parseAuthAnswer(text), undefined, text);
    }
  });
});
