import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTagExpression } from './tag-expression.js';

const matches = (expression: string, ...tags: string[]): boolean => parseTagExpression(expression)(new Set(tags));

test('a single tag, and tag names with . : _ - and digits', () => {
  assert.equal(matches('premium', 'premium'), true);
  assert.equal(matches('premium', 'basic'), false);
  assert.equal(matches('ox:plan.gold_2-x', 'ox:plan.gold_2-x'), true);
  assert.equal(matches('Premium', 'premium'), false);
});

test('& | ! and parentheses', () => {
  const expression = 'a & (b | !c)';
  assert.equal(matches(expression, 'a', 'b'), true);
  assert.equal(matches(expression, 'a'), true);
  assert.equal(matches(expression, 'a', 'c'), false);
  assert.equal(matches(expression, 'a', 'b', 'c'), true);
  assert.equal(matches(expression, 'b'), false);
  assert.equal(matches('!a', ), true);
  assert.equal(matches('!!a', 'a'), true);
});

test('precedence: ! binds tighter than &, & tighter than |', () => {
  // a | b & c  ==  a | (b & c)
  assert.equal(matches('a | b & c', 'a'), true);
  assert.equal(matches('a | b & c', 'b'), false);
  // !a & b  ==  (!a) & b
  assert.equal(matches('!a & b', 'b'), true);
  assert.equal(matches('!a & b'), false);
  // (a | b) & c differs from a | b & c
  assert.equal(matches('(a | b) & c', 'a'), false);
  assert.equal(matches('a|b&!c', 'b', 'c'), false);
});

test('bad syntax names the position', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /expected a tag or '\(' at position 1, found end of expression/],
    ['a &', /expected a tag or '\(' at position 4, found end of expression/],
    ['a & | b', /expected a tag or '\(' at position 5, found '\|'/],
    ['(a | b', /expected '\)' at position 7 to close '\(' at position 1/],
    ['a b', /expected an operator at position 3, found 'b'/],
    ['a)', /expected an operator at position 2, found '\)'/],
    ['a && b', /position 4/],
    ['a & $b', /unexpected character '\$' at position 5/],
  ];
  for (const [expression, message] of cases) {
    assert.throws(() => parseTagExpression(expression), (error: unknown) => {
      assert.ok(error instanceof SyntaxError);
      assert.match(error.message, message);
      return true;
    }, expression);
  }
});
