import assert from 'node:assert/strict';
import { test } from 'node:test';
import { patternFilter } from './filters.js';

test('builds substring filters from patterns; syntax in user input stays literal', () => {
  assert.equal(patternFilter('', ['cn']), undefined);
  assert.equal(patternFilter('**', ['cn']), undefined);
  assert.equal(patternFilter('ann', ['cn', 'mail'])?.toString(), '(|(cn=ann*)(mail=ann*))');
  assert.equal(patternFilter('*son', ['sn'])?.toString(), '(sn=*son*)');
  assert.equal(patternFilter('a*b', ['sn'])?.toString(), '(sn=a*b*)');
  // toString shows the RFC 4515 escaped form of what travels as literal octets
  assert.equal(patternFilter('*)(uid=*', ['cn'])?.toString(), '(cn=*\\29\\28uid=*)');
  assert.equal(patternFilter('\\', ['cn'])?.toString(), '(cn=\\5c*)');
  assert.equal(patternFilter('\0', ['cn'])?.toString(), '(cn=\\00*)');
  assert.equal(patternFilter('(', ['cn'])?.toString(), '(cn=\\28*)');
});
