import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClientMatcher, DEFAULT_ALLOWED_CLIENTS } from './allowed-clients.js';

test('defaults: USM-EAS* and open-xchange-mobile-api-facade* as case-insensitive prefixes', () => {
  const matcher = createClientMatcher(DEFAULT_ALLOWED_CLIENTS);
  for (const client of ['USM-EAS', 'USM-EAS-Android', 'usm-eas', 'open-xchange-mobile-api-facade', 'open-xchange-mobile-api-facade-brand1', 'OPEN-XCHANGE-MOBILE-API-FACADE']) {
    assert.equal(matcher.allows(client), true, client);
  }
  for (const client of ['open-xchange-appsuite', 'USM-EA', 'xUSM-EAS', '', 'open-xchange-mobile-api']) {
    assert.equal(matcher.allows(client), false, client);
  }
});

test('a trailing single ? is a prefix too, not one character', () => {
  const matcher = createClientMatcher(['com.example.app?']);
  assert.equal(matcher.allows('com.example.app'), true);
  assert.equal(matcher.allows('com.example.app.beta.2'), true);
  assert.equal(matcher.allows('com.example.ap'), false);
});

test('other * and ? are wildcards for any run and one character', () => {
  const matcher = createClientMatcher(['a*z', 'x?y', 'p**']);
  assert.equal(matcher.allows('az'), true);
  assert.equal(matcher.allows('abcz'), true);
  assert.equal(matcher.allows('abcza'), false);
  assert.equal(matcher.allows('x1y'), true);
  assert.equal(matcher.allows('xy'), false);
  assert.equal(matcher.allows('x12y'), false);
  assert.equal(matcher.allows('p'), true, 'p** ends in two stars: an ordinary wildcard, still any run');
  assert.equal(matcher.allows('pqr'), true);
});

test('exact names match ignoring case; regex characters are literal', () => {
  const matcher = createClientMatcher(['open-xchange-appsuite', 'a.b+c']);
  assert.equal(matcher.allows('Open-Xchange-AppSuite'), true);
  assert.equal(matcher.allows('open-xchange-appsuite2'), false);
  assert.equal(matcher.allows('a.b+c'), true);
  assert.equal(matcher.allows('axbbc'), false);
});

test('quotes around items are stripped, blanks dropped; an empty list allows every client', () => {
  const matcher = createClientMatcher(['"USM-EAS*"', " 'open-xchange-appsuite' ", '', '  ']);
  assert.deepEqual(matcher.patterns, ['USM-EAS*', 'open-xchange-appsuite']);
  assert.equal(matcher.allows('usm-eas-ios'), true);
  const all = createClientMatcher([]);
  assert.equal(all.allows('anything'), true);
  assert.equal(all.allows(''), true);
  assert.equal(createClientMatcher(['""']).allows('whatever'), true, 'only empty items: the list is empty');
});
