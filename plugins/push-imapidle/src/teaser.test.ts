import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findTextPart, teaserFrom, type StructureNode } from './teaser.js';

test('a single-part text message is section 1', () => {
  assert.deepEqual(findTextPart({ type: 'text/plain', parameters: { charset: 'ISO-8859-1' }, encoding: 'quoted-printable' }), {
    section: '1', type: 'text/plain', encoding: 'quoted-printable', charset: 'iso-8859-1',
  });
});

test('plain text wins over html, attachments and nested parts are handled', () => {
  const structure: StructureNode = {
    type: 'multipart/mixed',
    childNodes: [
      { part: '1', type: 'multipart/alternative', childNodes: [
        { part: '1.1', type: 'text/html', encoding: 'base64' },
        { part: '1.2', type: 'text/plain', encoding: '7bit' },
      ] },
      { part: '2', type: 'text/plain', disposition: 'attachment' },
    ],
  };
  assert.equal(findTextPart(structure)?.section, '1.2');
  const htmlOnly: StructureNode = { type: 'multipart/mixed', childNodes: [{ part: '1', type: 'text/html' }, { part: '2', type: 'image/png' }] };
  assert.equal(findTextPart(htmlOnly)?.type, 'text/html');
  assert.equal(findTextPart({ type: 'multipart/mixed', childNodes: [{ part: '1', type: 'image/png' }] }), undefined);
  assert.equal(findTextPart(undefined), undefined);
});

test('quoted-printable latin-1 text is decoded and whitespace collapsed', () => {
  const part = { section: '1', type: 'text/plain' as const, encoding: 'quoted-printable', charset: 'iso-8859-1' };
  assert.equal(teaserFrom(Buffer.from('Gr=FC=DFe aus\r\n  K=F6ln, so=\r\nft line'), part, false), 'Grüße aus Köln, soft line');
});

test('base64 cut in the middle of a quantum and of a UTF-8 character still decodes the rest', () => {
  const encoded = Buffer.from('Grüße ☃ und mehr').toString('base64');
  const part = { section: '1', type: 'text/plain' as const, encoding: 'base64', charset: 'utf-8' };
  assert.equal(teaserFrom(Buffer.from(encoded), part, false), 'Grüße ☃ und mehr');
  const cut = teaserFrom(Buffer.from(encoded.slice(0, 11)), part, false);
  assert.ok('Grüße ☃ und mehr'.startsWith(cut), cut);
  assert.ok(!cut.includes('\uFFFD'));
});

test('html is reduced to text, long text is cut to 200 characters', () => {
  const part = { section: '1', type: 'text/html' as const, encoding: '7bit', charset: 'utf-8' };
  assert.equal(teaserFrom(Buffer.from('<html><style>p{}</style><p>Hello&nbsp;<b>World</b> &amp; more</p>'), part, false), 'Hello World & more');
  const long = teaserFrom(Buffer.from('x'.repeat(500)), { ...part, type: 'text/plain' }, false);
  assert.equal(long.length, 200);
});

test('parts the server decoded already (FETCH BINARY) are not decoded again', () => {
  const part = { section: '1', type: 'text/plain' as const, encoding: 'base64', charset: 'utf-8' };
  assert.equal(teaserFrom(Buffer.from('plain words'), part, true), 'plain words');
});
