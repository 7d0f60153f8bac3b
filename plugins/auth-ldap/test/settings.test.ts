import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { authenticatorRef } from '@keel/plugin-sdk';
import { loadBundle, startTestKernel } from '@keel/plugin-sdk/testing';
import authLdap from '../src/index.js';

/** Starts storage-sql and auth-ldap with the given properties; answers the bundle's state and error. */
async function startWith(properties: Record<string, string>, files: Record<string, string> = {}) {
  const kernel = await startTestKernel({ bundles: { 'storage-sql': await loadBundle('storage-sql'), 'auth-ldap': authLdap }, properties, files, http: false });
  try {
    const info = kernel.bundle('auth-ldap')!;
    const registered = kernel.getAll(authenticatorRef).some((authenticator) => authenticator.name === 'ldap');
    return { state: info.state, error: info.error, registered };
  } finally {
    await kernel.stop();
  }
}

const SEARCH = {
  'keel.auth.ldap.url': 'ldap://127.0.0.1:1',
  'keel.auth.ldap.search.baseDn': 'ou=people,dc=example,dc=com',
};

describe('auth-ldap settings: invalid ones fail the start with a message naming the property', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['no URL', { 'keel.auth.ldap.search.baseDn': 'dc=x' }, /keel\.auth\.ldap\.url: no LDAP server configured/],
    ['a URL that is not LDAP', { ...SEARCH, 'keel.auth.ldap.url': 'http://127.0.0.1:389' }, /keel\.auth\.ldap\.url: 'http:\/\/127\.0\.0\.1:389' must start with ldap:\/\/ or ldaps:\/\//],
    ['a URL with a base DN in it', { ...SEARCH, 'keel.auth.ldap.url': 'ldap://127.0.0.1/dc=example,dc=com' }, /may only name scheme, host and port/],
    ['a CA file that does not exist', { ...SEARCH, 'keel.auth.ldap.url': 'ldaps://127.0.0.1:636', 'keel.auth.ldap.tls.caFile': '/nonexistent/keel-ca.pem' }, /keel\.auth\.ldap\.tls\.caFile: cannot read CA file \/nonexistent\/keel-ca\.pem \(ENOENT\)/],
    ['StartTLS on an ldaps:// URL', { ...SEARCH, 'keel.auth.ldap.url': 'ldaps://127.0.0.1:636', 'keel.auth.ldap.startTls': 'true' }, /keel\.auth\.ldap\.startTls: StartTLS cannot be used with ldaps:\/\//],
    ['TLS options without TLS', { ...SEARCH, 'keel.auth.ldap.tls.rejectUnauthorized': 'false' }, /keel\.auth\.ldap\.tls\.rejectUnauthorized: TLS options need an ldaps:\/\/ URL or startTls=true/],
    ['a non-boolean StartTLS', { ...SEARCH, 'keel.auth.ldap.startTls': 'sometimes' }, /keel\.auth\.ldap\.startTls/],
    ['a service account without password', { ...SEARCH, 'keel.auth.ldap.bindDn': 'cn=admin,dc=example,dc=com' }, /keel\.auth\.ldap\.bindPassword: required with keel\.auth\.ldap\.bindDn/],
    ['an unknown bind mode', { ...SEARCH, 'keel.auth.ldap.mode': 'magic' }, /keel\.auth\.ldap\.mode: 'magic' is neither 'template' nor 'search'/],
    ['search mode without base DN', { 'keel.auth.ldap.url': 'ldap://127.0.0.1:1' }, /keel\.auth\.ldap\.search\.baseDn: required in search mode/],
    ['a filter without placeholder', { ...SEARCH, 'keel.auth.ldap.search.filter': '(objectClass=inetOrgPerson)' }, /keel\.auth\.ldap\.search\.filter: .* contains neither \{login\} nor \{input\}/],
    ['a broken filter', { ...SEARCH, 'keel.auth.ldap.search.filter': '(&(uid={login})' }, /keel\.auth\.ldap\.search\.filter: .* is not a valid LDAP filter/],
    ['a filter with text after it', { ...SEARCH, 'keel.auth.ldap.search.filter': '(uid={login}))(objectClass=*)' }, /keel\.auth\.ldap\.search\.filter: .* is not a valid LDAP filter: unbalanced parentheses/],
    ['an unknown scope', { ...SEARCH, 'keel.auth.ldap.search.scope': 'everywhere' }, /keel\.auth\.ldap\.search\.scope: 'everywhere' is not one of base, one, sub, children/],
    ['template mode without template', { 'keel.auth.ldap.url': 'ldap://127.0.0.1:1', 'keel.auth.ldap.mode': 'template' }, /keel\.auth\.ldap\.userDnTemplate: required in template mode/],
    ['a template without placeholder', { 'keel.auth.ldap.url': 'ldap://127.0.0.1:1', 'keel.auth.ldap.mode': 'template', 'keel.auth.ldap.userDnTemplate': 'uid=admin,dc=x' }, /contains neither \{login\} nor \{input\}/],
    ['a bad attribute name', { ...SEARCH, 'keel.auth.ldap.attribute.mail': 'mail)(x' }, /keel\.auth\.ldap\.attribute\.mail: 'mail\)\(x' is not an attribute name/],
    ['a zero timeout', { ...SEARCH, 'keel.auth.ldap.connectTimeoutMs': '0' }, /keel\.auth\.ldap\.connectTimeoutMs: must be a positive number/],
    ['a context id that is no id', { ...SEARCH, 'keel.auth.ldap.contextId': 'first' }, /keel\.auth\.ldap\.contextId: 'first' is not a context id/],
  ];
  for (const [what, properties, message] of cases) {
    it(`refuses ${what}`, async () => {
      const outcome = await startWith(properties);
      assert.notEqual(outcome.state, 'ACTIVE');
      assert.equal(outcome.registered, false);
      assert.match(outcome.error?.message ?? '', message);
    });
  }

  it('refuses a CA file that holds no certificate, naming the file', async () => {
    const outcome = await startWith({ ...SEARCH, 'keel.auth.ldap.url': 'ldaps://127.0.0.1:636', 'keel.auth.ldap.tls.caFile': 'not-a-ca.pem' }, { 'not-a-ca.pem': 'hello\n' });
    assert.notEqual(outcome.state, 'ACTIVE');
    assert.match(outcome.error?.message ?? '', /keel\.auth\.ldap\.tls\.caFile: .*not-a-ca\.pem holds no PEM certificate/);
  });

  it('starts with valid settings, a readable CA file and the service account password from ${env:…}', async (t) => {
    const caFile = ['/etc/ssl/certs/ca-certificates.crt', '/etc/ssl/cert.pem'].find((path) => existsSync(path));
    if (caFile === undefined) {
      t.skip('SKIPPED: no system CA bundle to use as a CA file');
      return;
    }
    process.env['AUTH_LDAP_SETTINGS_TEST_PASSWORD'] = 'from-the-environment';
    try {
      const outcome = await startWith({
        ...SEARCH,
        'keel.auth.ldap.url': 'ldaps://127.0.0.1:1, ldap://127.0.0.1:2',
        'keel.auth.ldap.tls.caFile': caFile,
        'keel.auth.ldap.bindDn': 'cn=admin,dc=example,dc=com',
        'keel.auth.ldap.bindPassword': '${env:AUTH_LDAP_SETTINGS_TEST_PASSWORD}',
      });
      assert.equal(outcome.state, 'ACTIVE', JSON.stringify(outcome.error));
      assert.equal(outcome.registered, true);
    } finally {
      delete process.env['AUTH_LDAP_SETTINGS_TEST_PASSWORD'];
    }
  });

  it('refuses a service account password whose ${env:…} is not set', async () => {
    const outcome = await startWith({ ...SEARCH, 'keel.auth.ldap.bindDn': 'cn=admin,dc=example,dc=com', 'keel.auth.ldap.bindPassword': '${env:AUTH_LDAP_NOT_SET_ANYWHERE}' });
    assert.notEqual(outcome.state, 'ACTIVE');
    assert.match(outcome.error?.message ?? '', /AUTH_LDAP_NOT_SET_ANYWHERE/);
  });
});
