import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKeelError } from '@keel/plugin-sdk';
import { loadServerConfig } from './server-config.js';

const root = await mkdtemp(join(tmpdir(), 'keel-config-'));
after(() => rm(root, { recursive: true, force: true }));

let counter = 0;
async function configDir(files: Record<string, string>): Promise<string> {
  const dir = join(root, `c${++counter}`);
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

function keelCode(code: string, pattern?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(isKeelError(error), `expected a KeelError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

test('every *.properties file is read, sorted by name, later files win', async () => {
  const dir = await configDir({
    'b.properties': 'shared=from-b\nonly.b=1',
    'a.properties': 'shared=from-a\nonly.a=2',
    'c.txt': 'ignored=1',
    'sub.properties/x.properties': 'nested=1',
  });
  const config = await loadServerConfig({ directory: dir, dataDirectory: join(root, 'data'), env: {} });
  assert.equal(config.get('shared'), 'from-b');
  assert.equal(config.get('only.a'), '2');
  assert.equal(config.get('ignored'), undefined);
  assert.equal(config.get('nested'), undefined);
  assert.deepEqual(config.names(), ['only.a', 'only.b', 'shared']);
  assert.equal(config.sourceOf('shared'), `${join(dir, 'b.properties')}:1`);
  assert.equal(config.sourceOf('missing'), undefined);
  assert.equal(config.directory, dir);
  assert.equal(config.dataDirectory, join(root, 'data'));
});

test('a missing directory is an empty config', async () => {
  const config = await loadServerConfig({ directory: join(root, 'nope'), dataDirectory: root, env: {} });
  assert.deepEqual(config.names(), []);
  assert.equal(config.getString('x', 'fallback'), 'fallback');
  assert.equal(config.yaml('x.yml'), undefined);
});

test('a syntax error names the file and line', async () => {
  const dir = await configDir({ 'bad.properties': 'ok=1\nbroken=\\u00' });
  await assert.rejects(loadServerConfig({ directory: dir, dataDirectory: root, env: {} }), keelCode('KEEL-CONFIG-SYNTAX', /bad\.properties:2: /));
});

test('typed getters are strict and name property and source', async () => {
  const dir = await configDir({
    'p.properties': 'yes=TRUE\nno= false \nbad=yes\nn=42\nneg=-7\nfloat=1.5\nempty=\nlist= a, "b" ,\'c\', , "" ,d\nnolist=',
  });
  const config = await loadServerConfig({ directory: dir, dataDirectory: root, env: {} });
  assert.equal(config.getBoolean('yes', false), true);
  assert.equal(config.getBoolean('no', true), false);
  assert.equal(config.getBoolean('missing', true), true);
  assert.equal(config.getBoolean('empty', true), true);
  assert.throws(() => config.getBoolean('bad', false), keelCode('KEEL-CONFIG-VALUE', /Property 'bad' \(from .*p\.properties:3\) has value 'yes', expected true or false/));
  assert.equal(config.getNumber('n', 0), 42);
  assert.equal(config.getNumber('neg', 0), -7);
  assert.equal(config.getNumber('missing', 5), 5);
  assert.throws(() => config.getNumber('float', 0), keelCode('KEEL-CONFIG-VALUE', /expected a whole number/));
  assert.throws(() => config.getNumber('yes', 0), keelCode('KEEL-CONFIG-VALUE'));
  assert.deepEqual(config.getList('list'), ['a', 'b', 'c', 'd']);
  assert.deepEqual(config.getList('nolist', ['x']), []);
  assert.deepEqual(config.getList('missing', ['x']), ['x']);
  assert.deepEqual(config.getList('missing'), []);
});

test('getByPrefix keeps the prefix in the keys', async () => {
  const dir = await configDir({ 'p.properties': 'com.a.x=1\ncom.a.y=2\ncom.b=3' });
  const config = await loadServerConfig({ directory: dir, dataDirectory: root, env: {} });
  assert.deepEqual([...config.getByPrefix('com.a.')], [['com.a.x', '1'], ['com.a.y', '2']]);
});

test('environment overrides: upper case, non-alphanumerics to _, also for names no file sets', async () => {
  const dir = await configDir({ 'p.properties': 'com.open-xchange.secret=from-file\nplain=1' });
  const env = { KEEL_COM_OPEN_XCHANGE_SECRET: 's3cret', KEEL_ONLY_ENV_NAME: 'e', OTHER: 'x' };
  const config = await loadServerConfig({ directory: dir, dataDirectory: root, env });
  assert.equal(config.get('com.open-xchange.secret'), 's3cret');
  assert.equal(config.sourceOf('com.open-xchange.secret'), 'env KEEL_COM_OPEN_XCHANGE_SECRET');
  assert.equal(config.get('only.env-name'), 'e');
  assert.equal(config.get('ONLY_ENV_NAME'), 'e');
  assert.equal(config.sourceOf('only.env.name'), 'env KEEL_ONLY_ENV_NAME');
  assert.equal(config.get('plain'), '1');
  assert.equal(config.get('other'), undefined);
  assert.deepEqual([...config.getByPrefix('com.')], [['com.open-xchange.secret', 's3cret']]);
});

test('the environment is a snapshot, taken again on reload', async () => {
  const dir = await configDir({ 'p.properties': 'a=1' });
  const env: NodeJS.ProcessEnv = {};
  const config = await loadServerConfig({ directory: dir, dataDirectory: root, env });
  env.KEEL_A = '2';
  assert.equal(config.get('a'), '1');
  await config.reload();
  assert.equal(config.get('a'), '2');
  assert.equal(config.get('not.in.files'), undefined); // remembered as "no override" …
  env.KEEL_NOT_IN_FILES = 'now';
  await config.reload();
  assert.equal(config.get('not.in.files'), 'now'); // … until the next reload
});

test('placeholders ${env:…} and ${file:…} are resolved; a file loses its trailing newline', async () => {
  const secret = join(root, 'secret.txt');
  await writeFile(secret, 'pa$$word\n');
  await writeFile(join(root, 'crlf.txt'), 'line1\nline2\r\n');
  const dir = await configDir({
    'p.properties': [
      `password=\${file:${secret}}`,
      'url=mysql://${env:DB_HOST}:${env:DB_PORT}/db',
      'relative=${file:../crlf.txt}',
      'other=${unknown:x} and ${plain}',
    ].join('\n'),
  });
  const config = await loadServerConfig({ directory: dir, dataDirectory: root, env: { DB_HOST: 'h', DB_PORT: '3306' } });
  assert.equal(config.get('password'), 'pa$$word');
  assert.equal(config.get('url'), 'mysql://h:3306/db');
  assert.equal(config.get('relative'), 'line1\nline2');
  assert.equal(config.get('other'), '${unknown:x} and ${plain}');
});

test('a missing placeholder throws on access of that property only, naming property and source', async () => {
  const dir = await configDir({ 'p.properties': `fine=1\nsecret=\${env:NOT_SET}\nkey=\${file:${join(root, 'absent')}}` });
  const config = await loadServerConfig({ directory: dir, dataDirectory: root, env: {} });
  assert.equal(config.get('fine'), '1');
  assert.throws(() => config.get('secret'), keelCode('KEEL-CONFIG-PLACEHOLDER', /Property 'secret' \(from .*p\.properties:2\) refers to \$\{env:NOT_SET\}, which is not set/));
  assert.throws(() => config.getString('key', 'x'), keelCode('KEEL-CONFIG-PLACEHOLDER', /absent/));
  assert.throws(() => config.getByPrefix('sec'), keelCode('KEEL-CONFIG-PLACEHOLDER'));
});

test('an environment override replaces a value whose placeholder is missing', async () => {
  const dir = await configDir({ 'p.properties': 'secret=${env:NOT_SET}' });
  const config = await loadServerConfig({ directory: dir, dataDirectory: root, env: { KEEL_SECRET: 'x' } });
  assert.equal(config.get('secret'), 'x');
});

test('yaml() parses an option file and caches it until reload', async () => {
  const dir = await configDir({ 'pns-apns-options.yml': 'myclient:\n  enabled: true\n  topic: a.b\n' });
  const config = await loadServerConfig({ directory: dir, dataDirectory: root, env: {} });
  const first = config.yaml<Record<string, { enabled: boolean }>>('pns-apns-options.yml');
  assert.deepEqual(first, { myclient: { enabled: true, topic: 'a.b' } });
  await writeFile(join(dir, 'pns-apns-options.yml'), 'other: {}\n');
  assert.equal(config.yaml('pns-apns-options.yml'), first);
  await config.reload();
  assert.deepEqual(config.yaml('pns-apns-options.yml'), { other: {} });
  assert.equal(config.yaml('absent.yml'), undefined);
});

test('a YAML syntax error is KEEL-CONFIG-YAML with file and line', async () => {
  const dir = await configDir({ 'webhooks.yml': 'a:\n  uri: x\n  b: [1, 2\nc: 3\n', 'dup.yml': 'a: 1\nb: 2\na: 3\n' });
  const config = await loadServerConfig({ directory: dir, dataDirectory: root, env: {} });
  assert.throws(() => config.yaml('webhooks.yml'), keelCode('KEEL-CONFIG-YAML', /YAML file .*webhooks\.yml is invalid at line \d+: /));
  assert.throws(() => config.yaml('dup.yml'), keelCode('KEEL-CONFIG-YAML', /dup\.yml is invalid at line 3: .*unique/i));
});

test('yaml() only accepts plain file names inside the config directory', async () => {
  const dir = await configDir({});
  await writeFile(join(root, 'outside.yml'), 'x: 1\n');
  const config = await loadServerConfig({ directory: dir, dataDirectory: root, env: {} });
  for (const name of ['../outside.yml', '..', 'sub/x.yml', '/etc/passwd', '..\\x.yml', '']) {
    assert.throws(() => config.yaml(name), keelCode('KEEL-CONFIG-FILE-NAME'), name);
  }
});

test('reload re-reads files, then awaits every listener; listener failures are collected', async () => {
  const dir = await configDir({ 'p.properties': 'a=1' });
  const config = await loadServerConfig({ directory: dir, dataDirectory: root, env: {} });
  const seen: string[] = [];
  config.onReload(async () => {
    await new Promise((resolve) => setImmediate(resolve));
    seen.push(`first ${config.get('a')}`);
  });
  config.onReload(() => {
    throw new Error('boom');
  });
  const unsubscribe = config.onReload(() => void seen.push('removed'));
  config.onReload(() => void seen.push(`last ${config.get('a')}`));
  unsubscribe();
  await writeFile(join(dir, 'p.properties'), 'a=2');
  await assert.rejects(config.reload(), (error: unknown) => {
    assert.ok(error instanceof AggregateError);
    assert.equal(error.errors.length, 1);
    assert.equal((error.errors[0] as Error).message, 'boom');
    return true;
  });
  assert.deepEqual(seen, ['first 2', 'last 2']);
});

test('a reload that finds a broken file keeps the old values and runs no listener', async () => {
  const dir = await configDir({ 'p.properties': 'a=1' });
  const config = await loadServerConfig({ directory: dir, dataDirectory: root, env: {} });
  let calls = 0;
  config.onReload(() => void calls++);
  await writeFile(join(dir, 'p.properties'), 'a=\\uXY');
  await assert.rejects(config.reload(), keelCode('KEEL-CONFIG-SYNTAX'));
  assert.equal(config.get('a'), '1');
  assert.equal(calls, 0);
});
