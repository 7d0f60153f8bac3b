// Pure helpers of the harness: LMTP DATA encoding, LDIF generation, generated server configs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeDataSection, generatePeopleLdif, ldifLine, personDn } from './index.js';
import { dovecotConfig, dovecotPasswdFile } from './dovecot-config.js';
import { ldifHasEntry, suffixEntryLdif } from './slapd-config.js';

test('encodeDataSection makes CRLF, dot-stuffs line starts and terminates with a lone dot', () => {
  assert.equal(encodeDataSection('a\n.b\n..c'), 'a\r\n..b\r\n...c\r\n.\r\n');
  assert.equal(encodeDataSection('.\r\nx\r\n'), '..\r\nx\r\n.\r\n');
  assert.equal(encodeDataSection(Buffer.from('Subject: hi\n\nbody\n')), 'Subject: hi\r\n\r\nbody\r\n.\r\n');
});

test('generatePeopleLdif writes inetOrgPerson entries under ou=people', () => {
  const ldif = generatePeopleLdif(2, { suffix: 'dc=acme,dc=org' });
  const entries = ldif.trim().split('\n\n');
  assert.equal(entries.length, 3);
  assert.equal(entries[0], 'dn: ou=people,dc=acme,dc=org\nobjectClass: organizationalUnit\nou: people');
  assert.equal(
    entries[2],
    [
      'dn: uid=user2,ou=people,dc=acme,dc=org',
      'objectClass: inetOrgPerson',
      'uid: user2',
      'cn: Given2 Family2',
      'sn: Family2',
      'givenName: Given2',
      'mail: user2@acme.org',
      'userPassword: secret2',
      'telephoneNumber: +49 555 0000002',
    ].join('\n'),
  );
  assert.equal(personDn('user2', { suffix: 'dc=acme,dc=org' }), 'uid=user2,ou=people,dc=acme,dc=org');
  assert.equal(generatePeopleLdif(1, { includeContainer: false, password: (i) => `pw-${i}` }).includes('userPassword: pw-1'), true);
});

test('ldifLine base64-encodes values that are not safe LDIF strings', () => {
  assert.equal(ldifLine('cn', 'plain'), 'cn: plain');
  assert.equal(ldifLine('cn', 'Jürgen'), `cn:: ${Buffer.from('Jürgen').toString('base64')}`);
  assert.equal(ldifLine('cn', ':colon'), `cn:: ${Buffer.from(':colon').toString('base64')}`);
  assert.equal(ldifLine('cn', 'trailing '), `cn:: ${Buffer.from('trailing ').toString('base64')}`);
});

test('suffix entries are derived and detected in a seed', () => {
  assert.match(suffixEntryLdif('dc=example,dc=com'), /^dn: dc=example,dc=com\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: example\n$/);
  assert.match(suffixEntryLdif('o=Acme'), /objectClass: organization\no: Acme/);
  assert.equal(ldifHasEntry('dn: DC=Example, DC=com\nobjectClass: top\n', 'dc=example,dc=com'), true);
  assert.equal(ldifHasEntry(generatePeopleLdif(1), 'dc=example,dc=com'), false);
});

test('dovecot config enables the OX driver only with a push URL', () => {
  const base = { baseDir: '/tmp/x', passwdFile: '/tmp/x/passwd', imapPort: 1143, lmtpPort: 1024, mailUid: 999, mailGid: 995 };
  assert.doesNotMatch(dovecotConfig(base), /push_notification/);
  const withPush = dovecotConfig({ ...base, pushUrl: 'http://u:p@127.0.0.1:9/preliminary/http-notify/v1/notify' });
  assert.match(withPush, /mail_plugins = \$mail_plugins notify push_notification/);
  assert.match(withPush, /push_notification_driver = ox:url=http:\/\/u:p@127\.0\.0\.1:9\/preliminary\/http-notify\/v1\/notify user_from_metadata\n/);
  assert.match(dovecotConfig(base), /first_valid_uid = 500/);
  assert.match(dovecotConfig({ ...base, mailUid: 120 }), /first_valid_uid = 120/);
  assert.equal(
    dovecotPasswdFile([{ login: 'a', password: 'p w' }], 999, 995, (login) => `/m/${login}`),
    'a:{PLAIN}p w:999:995::/m/a::\n',
  );
  assert.throws(() => dovecotPasswdFile([{ login: 'a:b', password: 'x' }], 1, 1, () => '/'), /must be non-empty/);
});
