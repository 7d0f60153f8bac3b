import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Contact } from '@keel/plugin-sdk';
import { contactToVCard, contactUid, escapeText, foldLine } from './vcard.js';

const base: Contact = {
  id: '101', folderId: '100', displayName: 'Anna Zeller', givenName: 'Anna', surname: 'Zeller',
  emails: ['anna@example.com', 'a.z@example.org'], phones: [{ type: 'business', number: '+49 555 1' }, { type: 'mobile', number: '+49 170 2' }],
  addresses: [{ type: 'home', street: 'Main St. 1', city: 'Olpe', postalCode: '57462', country: 'DE' }],
  company: 'Acme; Inc.', department: 'R&D', position: 'Chief, Tinkerer', birthday: '1990-02-28', url: 'https://example.com/a,b',
  note: 'line one\r\nline two\nback\\slash', categories: ['Friends', 'Work,Mates'], lastModified: Date.UTC(2024, 0, 2, 3, 4, 5),
};

test('escapes TEXT values: backslash, comma, semicolon, every kind of line break, control characters dropped', () => {
  assert.equal(escapeText('a\\b,c;d\r\ne\nf\rg'), 'a\\\\b\\,c\\;d\\ne\\nf\\ng');
  assert.equal(escapeText('nul\0bell\x07tab\tok'), 'nulbelltab\tok');
  assert.equal(escapeText('colon: stays'), 'colon: stays');
});

test('folds at 75 octets on code point boundaries; unfolding restores the line', () => {
  const ascii = `NOTE:${'x'.repeat(200)}`;
  const folded = foldLine(ascii);
  const lines = folded.split('\r\n');
  assert.ok(lines.every((line) => Buffer.byteLength(line) <= 75), 'no physical line above 75 octets');
  assert.ok(lines.slice(1).every((line) => line.startsWith(' ')));
  assert.equal(folded.replace(/\r\n /g, ''), ascii);

  const emoji = `NOTE:${'😀é'.repeat(60)}`;
  const foldedEmoji = foldLine(emoji);
  for (const line of foldedEmoji.split('\r\n')) {
    assert.ok(Buffer.byteLength(line) <= 75);
    // a split inside a UTF-8 sequence would leave a lone surrogate / replacement character
    assert.equal(Buffer.from(line, 'utf8').toString('utf8'), line);
    assert.doesNotMatch(line, /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  }
  assert.equal(foldedEmoji.replace(/\r\n /g, ''), emoji);
  assert.equal(foldLine('FN:short'), 'FN:short');
});

test('writes vCard 3.0 with N, typed EMAIL/TEL/ADR, escaped compound values, CRLF', () => {
  const card = contactToVCard(base, '3.0');
  assert.ok(card.startsWith('BEGIN:VCARD\r\nVERSION:3.0\r\n'));
  assert.ok(card.endsWith('END:VCARD\r\n'));
  assert.doesNotMatch(card.replace(/\r\n/g, ''), /[\r\n]/, 'only CRLF line breaks');
  const lines = card.replace(/\r\n /g, '').split('\r\n');
  assert.ok(lines.includes('FN:Anna Zeller'));
  assert.ok(lines.includes('N:Zeller;Anna;;;'));
  assert.ok(lines.includes('EMAIL;TYPE=INTERNET,PREF:anna@example.com'));
  assert.ok(lines.includes('EMAIL;TYPE=INTERNET:a.z@example.org'));
  assert.ok(lines.includes('TEL;TYPE=WORK,VOICE:+49 555 1'));
  assert.ok(lines.includes('TEL;TYPE=CELL,VOICE:+49 170 2'));
  assert.ok(lines.includes('ADR;TYPE=HOME:;;Main St. 1;Olpe;;57462;DE'));
  assert.ok(lines.includes('ORG:Acme\\; Inc.;R&D'));
  assert.ok(lines.includes('TITLE:Chief\\, Tinkerer'));
  assert.ok(lines.includes('BDAY:1990-02-28'));
  assert.ok(lines.includes('URL:https://example.com/a,b'));
  assert.ok(lines.includes('NOTE:line one\\nline two\\nback\\\\slash'));
  assert.ok(lines.includes('CATEGORIES:Friends,Work\\,Mates'));
  assert.ok(lines.includes('REV:2024-01-02T03:04:05Z'));
  assert.ok(lines.includes(`UID:${contactUid(base)}`));
});

test('writes vCard 4.0 with PREF parameters, basic date formats and N only when there is a name', () => {
  const lines = contactToVCard(base, '4.0').replace(/\r\n /g, '').split('\r\n');
  assert.equal(lines[1], 'VERSION:4.0', 'VERSION right after BEGIN');
  assert.ok(lines.includes('EMAIL;PREF=1:anna@example.com'));
  assert.ok(lines.includes('TEL;TYPE=cell,voice:+49 170 2'));
  assert.ok(lines.includes('BDAY:19900228'));
  assert.ok(lines.includes('REV:20240102T030405Z'));
  const companyOnly = contactToVCard({ id: '1', folderId: '6', displayName: 'Acme', company: 'Acme', emails: [], phones: [], addresses: [], categories: [], lastModified: 0 }, '4.0');
  assert.doesNotMatch(companyOnly, /^N:/m);
  assert.doesNotMatch(companyOnly, /^REV:/m, 'no REV when the source does not know');
  assert.match(contactToVCard({ id: '1', folderId: '6', displayName: 'Acme', emails: [], phones: [], addresses: [], categories: [], lastModified: 0 }, '3.0'), /^N:;;;;\r$/m);
});

test('UIDs are stable urn:uuid values per folder and id', () => {
  assert.match(contactUid(base), /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(contactUid(base), contactUid({ ...base }));
  assert.notEqual(contactUid(base), contactUid({ ...base, folderId: '6' }));
});
