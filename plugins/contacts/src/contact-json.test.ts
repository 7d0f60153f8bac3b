import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Contact } from '@keel/plugin-sdk';
import { toRow } from './columns.js';
import { contactToJson, jsonToContactChanges, jsonToContactInput } from './contact-json.js';

const contact: Contact = {
  id: '7', folderId: '100', displayName: 'Anna Zeller', givenName: 'Anna', surname: 'Zeller',
  emails: ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com'],
  phones: [{ type: 'business', number: '1' }, { type: 'business', number: '2' }, { type: 'mobile', number: '3' }],
  addresses: [{ type: 'business', street: 'Main 1', city: 'Olpe' }], categories: ['x', 'y'], birthday: '1990-02-28',
  lastModified: 1234, createdAt: 1000,
};

test('maps a contact to App Suite JSON and columns', () => {
  const json = contactToJson(contact);
  assert.equal(json['display_name'], 'Anna Zeller');
  assert.equal(json['first_name'], 'Anna');
  assert.equal(json['email3'], 'c@example.com');
  assert.equal(json['email4'], undefined);
  assert.equal(json['telephone_business2'], '2');
  assert.equal(json['cellular_telephone1'], '3');
  assert.equal(json['street_business'], 'Main 1');
  assert.equal(json['birthday'], Date.UTC(1990, 1, 28));
  assert.equal(json['categories'], 'x,y');
  assert.deepEqual(toRow(json, [1, 20, 500, 555, 9999]), ['7', '100', 'Anna Zeller', 'a@example.com', null]);
});

test('reads App Suite JSON back into contact input and refuses unknown fields', () => {
  const input = jsonToContactInput({ ...contactToJson(contact), folder_id: '100' });
  assert.deepEqual(input.emails, ['a@example.com', 'b@example.com', 'c@example.com']);
  assert.equal(input.birthday, '1990-02-28');
  assert.deepEqual(input.addresses, [{ type: 'business', street: 'Main 1', city: 'Olpe' }]);
  assert.throws(() => jsonToContactInput({ display_name: 'x', shoe_size: 42 }), (error: { code?: string }) => error.code === 'CON-0011');
  assert.throws(() => jsonToContactInput({ birthday: 'yesterday' }), (error: { code?: string }) => error.code === 'CON-0011');
});

test('update changes only the fields the body touches', () => {
  assert.deepEqual(jsonToContactChanges(contact, { note: 'hi' }), { note: 'hi' });
  assert.deepEqual(jsonToContactChanges(contact, { first_name: null }), { givenName: null });
  assert.deepEqual(jsonToContactChanges(contact, { email2: 'new@example.com' }), { emails: ['a@example.com', 'new@example.com', 'c@example.com'] });
  assert.deepEqual(jsonToContactChanges(contact, { cellular_telephone1: '' }), { phones: [{ type: 'business', number: '1' }, { type: 'business', number: '2' }] });
  assert.deepEqual(jsonToContactChanges(contact, { id: '7', folder_id: '100' }), {}, 'meta fields change nothing');
});
