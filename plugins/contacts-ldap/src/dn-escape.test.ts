import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dnInScope, escapeDnValue, normalizeDn } from './dn-escape.js';

test('escapes DN values per RFC 4514 so a login cannot add RDNs', () => {
  assert.equal(escapeDnValue('alice'), 'alice');
  assert.equal(escapeDnValue('a,ou=admins'), 'a\\,ou\\=admins');
  assert.equal(escapeDnValue('x+cn=y'), 'x\\+cn\\=y');
  assert.equal(escapeDnValue('#lead'), '\\#lead');
  assert.equal(escapeDnValue(' both '), '\\ both\\ ');
  assert.equal(escapeDnValue('q"<>;\\'), 'q\\"\\<\\>\\;\\\\');
  assert.equal(escapeDnValue('nul\0'), 'nul\\00');
});

test('decides whether a DN is inside a search scope', () => {
  const base = 'ou=People, dc=example,dc=com';
  assert.equal(normalizeDn(base), 'ou=people,dc=example,dc=com');
  assert.ok(dnInScope('uid=a,ou=people,dc=example,dc=com', base, 'one'));
  assert.ok(dnInScope('uid=a,ou=people,dc=example,dc=com', base, 'sub'));
  assert.ok(!dnInScope('uid=a,ou=team,ou=people,dc=example,dc=com', base, 'one'));
  assert.ok(dnInScope('uid=a,ou=team,ou=people,dc=example,dc=com', base, 'sub'));
  assert.ok(dnInScope('uid=a\\,b,ou=people,dc=example,dc=com', base, 'one'), 'an escaped comma is no separator');
  assert.ok(!dnInScope('uid=a,ou=other,dc=example,dc=com', base, 'sub'));
  assert.ok(!dnInScope('uid=a,xou=people,dc=example,dc=com', base, 'sub'));
  assert.ok(dnInScope(base, base, 'base'));
});
