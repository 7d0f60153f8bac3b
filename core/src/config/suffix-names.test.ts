import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suffixNames } from './suffix-names.js';

test('names run from the base to the most specific, and are reused', () => {
  const names = suffixNames('base', ['client', 'topic']);
  assert.deepEqual(names, ['base', 'base.client', 'base.client.topic']);
  assert.equal(suffixNames('base', ['client', 'topic']), names);
  assert.deepEqual(suffixNames('base', ['client']), ['base', 'base.client']);
  assert.deepEqual(suffixNames('base', []), ['base']);
});

test('the memo stays correct past its bound', () => {
  for (let i = 0; i < 25_000; i++) {
    assert.deepEqual(suffixNames(`b${i % 7}`, [`c${i}`, 't']), [`b${i % 7}`, `b${i % 7}.c${i}`, `b${i % 7}.c${i}.t`]);
  }
});
