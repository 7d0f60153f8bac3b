import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invalidUserInput } from './errors.js';
import { checkConfigChange, checkText, isMailAddress } from './validation.js';

describe('validation', () => {
  it('accepts ordinary mail addresses and refuses malformed ones', () => {
    for (const good of ['a@example.com', 'first.last+tag@sub.example.org', 'jörg@bücher.example', "o'neil@example.co.uk"]) assert.ok(isMailAddress(good), good);
    for (const bad of ['', 'a', 'a@', '@example.com', 'a@example', 'a b@example.com', 'a@exa mple.com', 'a..b@example.com', '.a@example.com', 'a@-x.example', `${'x'.repeat(65)}@example.com`, `a@${'x'.repeat(250)}.com`]) {
      assert.ok(!isMailAddress(bad), bad);
    }
  });

  it('names the field and the limit', () => {
    assert.throws(() => checkText('x'.repeat(11), 'displayName', 10, invalidUserInput), /displayName exceeds 10 characters \(got 11\)/);
    assert.throws(() => checkText('a\u0000b', 'login', 10, invalidUserInput), /login must not contain control characters/);
    assert.throws(() => checkText(5, 'login', 10, invalidUserInput), /login must be a string, got a number/);
  });

  it('reads config changes strictly', () => {
    const change = checkConfigChange({ set: { a: '1' }, remove: ['b'] }, invalidUserInput);
    assert.deepEqual([...change.set], [['a', '1']]);
    assert.deepEqual([...change.remove], ['b']);
    assert.throws(() => checkConfigChange({ sett: {} }, invalidUserInput), /unknown field 'sett'/);
    assert.throws(() => checkConfigChange({ set: { a: 1 } }, invalidUserInput), /property 'a' must be a string/);
    assert.throws(() => checkConfigChange({ remove: 'a' }, invalidUserInput), /remove must be a list of strings/);
  });
});
