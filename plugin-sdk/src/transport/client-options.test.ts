import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeelError } from '../errors.js';
import { parseClientOptions } from './client-options.js';

const spec = {
  optionNames: 'enabled, key',
  invalidFile: (detail: string) => new KeelError('T-FILE', detail),
  invalidClient: (client: string, detail: string) => new KeelError('T-CLIENT', `${client}: ${detail}`),
  parseClient: ({ client, text }: { client: string; text: (name: string, options?: { trim?: boolean }) => string | undefined }) => {
    const key = text('key');
    if (key === undefined) throw new KeelError('T-CLIENT', `${client}: needs key`);
    return { client, key, password: text('password', { trim: false }) };
  },
};

test('clients are parsed, switched off, or reported one by one', () => {
  const parsed = parseClientOptions({
    good: { key: ' abc ', password: ' spaced ' },
    off: { enabled: 'FALSE', key: 'x' },
    noKey: { enabled: true },
    notMapping: ['key'],
    badSwitch: { enabled: 'maybe', key: 'x' },
    bigNumber: { key: 12345678901234567890 },
    smallNumber: { key: 12345678 },
  }, spec);
  assert.deepEqual([...parsed.clients.keys()], ['good', 'smallNumber']);
  assert.deepEqual(parsed.clients.get('good'), { client: 'good', key: 'abc', password: ' spaced ' });
  assert.equal(parsed.clients.get('smallNumber')?.key, '12345678');
  assert.deepEqual(parsed.disabled, ['off']);
  assert.match(parsed.problems.get('noKey')!.message, /needs key/);
  assert.match(parsed.problems.get('notMapping')!.message, /must be a mapping \(enabled, key\)/);
  assert.match(parsed.problems.get('badSwitch')!.message, /'enabled' must be true or false/);
  assert.match(parsed.problems.get('bigNumber')!.message, /quote it/);
});

test('an empty file has no clients; a file that is not a mapping is one problem', () => {
  assert.equal(parseClientOptions(undefined, spec).clients.size, 0);
  const parsed = parseClientOptions(['a'], spec);
  assert.equal(parsed.problems.get('*')?.code, 'T-FILE');
});
