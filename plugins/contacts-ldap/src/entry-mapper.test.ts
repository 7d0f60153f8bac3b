import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_MAPPING, readMappings } from './config/mapping-config.js';
import { dnToId, entryToContact, generalizedTimeToMillis, idToDn } from './entry-mapper.js';

test('maps an entry with fallbacks, multi-valued mail and phones', () => {
  const contact = entryToContact({
    dn: 'uid=a,ou=people,dc=example,dc=com',
    cn: 'Anna Zeller', sn: 'Zeller', givenName: 'Anna', mail: ['a@example.com', 'A@EXAMPLE.COM', 'b@example.com'],
    telephoneNumber: '+49 1', mobile: ['+49 2'], modifyTimestamp: '20240102030405Z', departmentNumber: 'R&D', ou: 'ignored',
  }, DEFAULT_MAPPING, '6')!;
  assert.equal(contact.displayName, 'Anna Zeller', 'cn when displayName is absent');
  assert.deepEqual(contact.emails, ['a@example.com', 'b@example.com']);
  assert.deepEqual(contact.phones, [{ type: 'business', number: '+49 1' }, { type: 'mobile', number: '+49 2' }]);
  assert.equal(contact.department, 'R&D');
  assert.equal(contact.lastModified, Date.UTC(2024, 0, 2, 3, 4, 5));
  assert.equal(idToDn(contact.id), 'uid=a,ou=people,dc=example,dc=com');
  assert.equal(idToDn('not base64!'), undefined);
  assert.equal(idToDn(dnToId('no-equals-sign')), undefined);
});

test('reads GeneralizedTime with fractions and offsets', () => {
  assert.equal(generalizedTimeToMillis('20240102030405.5Z'), Date.UTC(2024, 0, 2, 3, 4, 5, 500));
  assert.equal(generalizedTimeToMillis('20240102030405+0100'), Date.UTC(2024, 0, 2, 2, 4, 5));
  assert.equal(generalizedTimeToMillis('yesterday'), 0);
});

test('mapping files: attribute ids, unknown fields and bad attribute names are reported with their path', () => {
  const mappings = readMappings({ mappings: { corp: { id: 'uid', displayName: ['displayName', 'cn'], 'phones.mobile': 'mobile', 'addresses.home.city': 'l' } } });
  assert.deepEqual(mappings.get('corp')!.id, { attribute: 'uid' });
  assert.deepEqual(mappings.get('corp')!.addresses, { home: { city: ['l'] } });
  assert.ok(mappings.has('default'));
  assert.throws(() => readMappings({ mappings: { corp: { displayName: 'cn', shoeSize: 'x' } } }), /contacts-ldap-mappings\.yml: mappings\.corp maps an unknown contact field "shoeSize"/);
  assert.throws(() => readMappings({ mappings: { corp: { displayName: 'c n' } } }), /mappings\.corp\.displayName "c n" is not an LDAP attribute name/);
  assert.throws(() => readMappings({ mappings: { corp: { surname: 'sn' } } }), /must map displayName/);
});
