import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AndFilter, EqualityFilter, OrFilter } from 'ldapts';
import { escapeDnValue, fillDnTemplate, fillFilterTemplate, hasPlaceholder } from './ldap-escape.js';

const hostile = ['*', '*)(uid=*', 'admin)(|(uid=*', '\\', 'nul\u0000byte', 'a>=b', '(|(objectClass=*))', 'x'.repeat(5000)];

describe('filter templates (RFC 4515)', () => {
  it('turns every hostile login into one equality value, byte for byte', () => {
    for (const login of hostile) {
      const filter = fillFilterTemplate('(&(objectClass=inetOrgPerson)(uid={login}))', { login, input: login });
      assert.ok(filter instanceof AndFilter, login);
      assert.equal(filter.filters.length, 2, login);
      const uid = filter.filters[1];
      assert.ok(uid instanceof EqualityFilter, `${login.slice(0, 40)} became ${uid?.constructor.name}`);
      assert.equal(uid.attribute, 'uid');
      assert.equal(uid.value, login);
    }
  });

  it('escapes the characters RFC 4515 names in the filter text', () => {
    const filter = fillFilterTemplate('(uid={login})', { login: 'a*b(c)d\\e\u0000', input: '' });
    assert.equal(filter.toString(), '(uid=a\\2ab\\28c\\29d\\5ce\\00)');
  });

  it('fills {login} and {input} separately and keeps non-ASCII text', () => {
    const filter = fillFilterTemplate('(|(uid={login})(mail={input}))', { login: 'jürgen', input: 'jürgen@example.com' });
    assert.ok(filter instanceof OrFilter);
    assert.deepEqual(
      filter.filters.map((child) => [(child as EqualityFilter).attribute, (child as EqualityFilter).value]),
      [['uid', 'jürgen'], ['mail', 'jürgen@example.com']],
    );
  });

  it('knows whether a template has a placeholder', () => {
    assert.equal(hasPlaceholder('(uid={login})'), true);
    assert.equal(hasPlaceholder('(mail={input})'), true);
    assert.equal(hasPlaceholder('(uid=fixed)'), false);
  });
});

describe('DN templates (RFC 4514)', () => {
  it('escapes the specials, leading # or space, trailing space and control characters', () => {
    assert.equal(escapeDnValue('plain.user-1'), 'plain.user-1');
    assert.equal(escapeDnValue('a,b+c"d\\e<f>g;h=i'), 'a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h\\=i');
    assert.equal(escapeDnValue('#hash'), '\\#hash');
    assert.equal(escapeDnValue('in#side'), 'in#side');
    assert.equal(escapeDnValue(' both '), '\\ both\\ ');
    assert.equal(escapeDnValue('nul\u0000tab\t'), 'nul\\00tab\\09');
    assert.equal(escapeDnValue('*'), '*');
    assert.equal(escapeDnValue('jürgen'), 'jürgen');
  });

  it('keeps a login from adding RDNs or changing the base', () => {
    assert.equal(
      fillDnTemplate('uid={login},ou=people,dc=example,dc=com', { login: 'x,ou=admins,dc=example,dc=com', input: '' }),
      'uid=x\\,ou\\=admins\\,dc\\=example\\,dc\\=com,ou=people,dc=example,dc=com',
    );
    assert.equal(fillDnTemplate('uid={login},ou=people,dc=example,dc=com', { login: 'a+cn=b', input: '' }), 'uid=a\\+cn\\=b,ou=people,dc=example,dc=com');
  });
});
