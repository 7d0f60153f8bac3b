import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKeelError } from '@keel/plugin-sdk';
import { maskDatabaseUrl, parseDatabaseUrl } from './database-url.js';

describe('database URL', () => {
  it('masks the password and only the password', () => {
    assert.equal(maskDatabaseUrl('mysql://keel:p%40ss:w@db.example:3306/keel'), 'mysql://keel:****@db.example:3306/keel');
    assert.equal(maskDatabaseUrl('mysql://keel@db.example/keel'), 'mysql://keel@db.example/keel');
    assert.equal(maskDatabaseUrl('sqlite:/var/lib/keel/keel.db'), 'sqlite:/var/lib/keel/keel.db');
    assert.equal(maskDatabaseUrl('nonsense://u:pw@'), 'nonsense://u:****@');
  });

  it('reads MySQL URLs, decoding user and password', () => {
    assert.deepEqual(parseDatabaseUrl('mysql://keel:p%40ss@db.example:3307/keel_prod', '/data'), {
      dialect: 'mysql', host: 'db.example', port: 3307, user: 'keel', password: 'p@ss', database: 'keel_prod', displayUrl: 'mysql://keel:****@db.example:3307/keel_prod',
    });
    const defaults = parseDatabaseUrl('mariadb://db.example/keel', '/data');
    assert.equal(defaults.dialect, 'mysql');
    assert.ok(defaults.dialect === 'mysql' && defaults.port === 3306 && defaults.user === 'root' && defaults.password === '');
  });

  it('resolves relative SQLite paths against the data directory', () => {
    assert.deepEqual(parseDatabaseUrl('sqlite:keel.db', '/data'), { dialect: 'sqlite', path: '/data/keel.db', displayUrl: 'sqlite:keel.db' });
    assert.equal((parseDatabaseUrl('sqlite:///abs/keel.db', '/data') as { path: string }).path, '/abs/keel.db');
    assert.equal((parseDatabaseUrl('sqlite::memory:', '/data') as { path: string }).path, ':memory:');
  });

  it('refuses what it cannot use with DB-0002', () => {
    for (const url of ['postgres://u:pw@h/db', 'mysql://u:pw@h', 'mysql://u:pw@h/', 'sqlite:', 'keel.db']) {
      assert.throws(() => parseDatabaseUrl(url, '/data'), (error: unknown) => isKeelError(error) && error.code === 'DB-0002' && !error.message.includes(':pw@'), url);
    }
  });
});
