import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKeelError } from '@keel/plugin-sdk';
import { parseProperties } from './properties-parser.js';

function values(text: string): Record<string, string> {
  return Object.fromEntries([...parseProperties(text)].map(([key, entry]) => [key, entry.value]));
}

test('the three separators, with whitespace around them ignored', () => {
  assert.deepEqual(values('a=1\nb:2\nc 3\nd   =   4\ne\t:\t5\nf \t 6\ng = =7\n'), {
    a: '1', b: '2', c: '3', d: '4', e: '5', f: '6', g: '=7',
  });
});

test('the first unescaped separator splits; later ones belong to the value', () => {
  assert.deepEqual(values('url=jdbc:mysql://h:3306/db?a=b\nk:v=w\nspace key=v'), {
    url: 'jdbc:mysql://h:3306/db?a=b', k: 'v=w', space: 'key=v',
  });
});

test('keys with escaped separators', () => {
  assert.deepEqual(values('a\\=b=1\nc\\:d:2\ne\\ f 3\ng\\\\=4'), { 'a=b': '1', 'c:d': '2', 'e f': '3', 'g\\': '4' });
});

test('comment lines start with # or ! after optional whitespace; blank lines are skipped', () => {
  assert.deepEqual(values('# comment\n! also\n   # indented comment\n\n   \t\nx=1 # not a comment\ny=!kept'), {
    x: '1 # not a comment', y: '!kept',
  });
});

test('a comment line ending in a backslash does not continue', () => {
  assert.deepEqual(values('# comment \\\nx=1'), { x: '1' });
});

test('empty values: key alone, key with separator, key with trailing whitespace', () => {
  assert.deepEqual(values('a\nb=\nc:\nd   \ne =   '), { a: '', b: '', c: '', d: '', e: '' });
});

test('trailing whitespace of a value is kept, leading is dropped', () => {
  assert.deepEqual(values('a =  x  '), { a: 'x  ' });
});

test('line continuations drop the backslash and the leading whitespace of the next line', () => {
  assert.deepEqual(values('list = a, \\\n       b, \\\n\t c\nnext=1'), { list: 'a, b, c', next: '1' });
});

test('an even number of trailing backslashes is an escaped backslash, not a continuation', () => {
  assert.deepEqual(values('a=x\\\\\nb=y\\\\\\\n  z'), { a: 'x\\', b: 'y\\z' });
});

test('a continuation can continue the key, and a continued # line is part of the value', () => {
  assert.deepEqual(values('long\\\n   key=v\nx=1\\\n#2'), { longkey: 'v', x: '1#2' });
});

test('an empty continuation line ends the logical line', () => {
  assert.deepEqual(values('a=1\\\n\nb=2\nc=3\\\n   \nd=4'), { a: '1', b: '2', c: '3', d: '4' });
});

test('a continuation at the end of input drops the backslash', () => {
  assert.deepEqual(values('a=1\\'), { a: '1' });
});

test('escapes: \\t \\n \\r \\f \\\\ \\= \\: \\# \\! \\space and unknown letters', () => {
  assert.deepEqual(values('v=\\t\\n\\r\\f\\\\\\=\\:\\#\\!\\ \\q'), { v: '\t\n\r\f\\=:#! q' });
  assert.deepEqual(values('v=\\ leading'), { v: ' leading' });
});

test('\\uXXXX escapes, upper and lower case hex, and surrogate pairs', () => {
  assert.deepEqual(values('k\\u00e9y=caf\\u00E9 \\ud83d\\ude00'), { 'kéy': 'café 😀' });
});

test('a malformed \\u escape is KEEL-CONFIG-SYNTAX with file and line', () => {
  for (const [text, line] of [['a=1\nb=\\u12', 2], ['a=1\n\nc=\\u00g1', 3], ['a=x\\\n  \\uZZZZ', 2]] as const) {
    assert.throws(() => parseProperties(text, 'config/x.properties'), (error: unknown) => {
      assert.ok(isKeelError(error));
      assert.equal(error.code, 'KEEL-CONFIG-SYNTAX');
      assert.match(error.message, new RegExp(`^config/x\\.properties:${line}: malformed \\\\uXXXX escape`));
      return true;
    });
  }
});

test('CRLF, CR and LF line endings, also mixed, and continuations across them', () => {
  assert.deepEqual(values('a=1\r\nb=2\rc=3\nd=4\\\r\n  5\re=6\\\r  7'), { a: '1', b: '2', c: '3', d: '45', e: '67' });
});

test('the last duplicate wins and reports its own line', () => {
  const parsed = parseProperties('a=1\nb=2\na=3');
  assert.deepEqual(parsed.get('a'), { value: '3', line: 3 });
  assert.deepEqual([...parsed.keys()], ['b', 'a']);
});

test('line numbers are those of the first line of a logical line', () => {
  const parsed = parseProperties('# head\n\nfirst=1\nsecond=a\\\n  b\nthird=3');
  assert.equal(parsed.get('first')?.line, 3);
  assert.equal(parsed.get('second')?.line, 4);
  assert.equal(parsed.get('third')?.line, 6);
});

test('UTF-8 text is taken as is, and a byte order mark is ignored', () => {
  assert.deepEqual(values('\uFEFFgrüße=日本語 ✓'), { 'grüße': '日本語 ✓' });
});

test('form feed counts as whitespace', () => {
  assert.deepEqual(values('\fa\f=\fb'), { a: 'b' });
});

test('a line that is only a continuation then a comment line is dropped, as in Java', () => {
  assert.deepEqual(values('\\\n# c\nx=1'), { x: '1' });
});
