import { test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { mariaDbSkipReason, startMariaDbDatabase } from './index.js';

const skip = await mariaDbSkipReason();

test('startMariaDbDatabase creates a private database and stop() drops it', { skip }, async () => {
  const db = await startMariaDbDatabase();
  assert.match(db.database, /^keel_test_[0-9a-f]{12}$/);
  assert.equal(db.url, `mysql://root@127.0.0.1:3306/${db.database}`);

  const connection = await mysql.createConnection(db.url);
  try {
    await connection.query('CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(50))');
    await connection.query('INSERT INTO t VALUES (1, ?)', ['Grüße']);
    const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT name FROM t');
    assert.deepEqual(rows.map((row) => row['name']), ['Grüße']);
  } finally {
    await connection.end();
  }

  await db.stop();
  await db.stop(); // idempotent
  const admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  try {
    const [rows] = await admin.query<mysql.RowDataPacket[]>(
      'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
      [db.database],
    );
    assert.equal(rows.length, 0);
  } finally {
    await admin.end();
  }
});

test('two databases started together get different names', { skip }, async () => {
  const [a, b] = await Promise.all([startMariaDbDatabase(), startMariaDbDatabase()]);
  try {
    assert.notEqual(a.database, b.database);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});
