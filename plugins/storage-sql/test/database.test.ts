// The Database service on both dialects: migrations, the migration lock, transactions, URL masking.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isKeelError, type Migration } from '@keel/plugin-sdk';
import { sql } from 'kysely';
import { openDatabase, type OpenedDatabase } from '../src/open-database.js';
import { createSqliteDatabase, dialectCases, rootConnection, MARIADB, type TestDatabase } from './dialects.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function count(database: OpenedDatabase, table: string): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(database.db);
  return Number(rows[0]!.n);
}

for (const dialect of await dialectCases()) {
  describe(`database on ${dialect.name}`, { skip: dialect.skip }, () => {
    let target: TestDatabase;
    const opened: OpenedDatabase[] = [];
    const open = async (url = target.url) => {
      const database = await openDatabase({ url, dataDirectory: target.dir });
      opened.push(database);
      return database;
    };

    before(async () => {
      target = await dialect.create();
    });
    after(async () => {
      for (const database of opened) await database.close();
      await target?.drop();
    });

    it('reports its dialect and pool figures', async () => {
      const database = await open();
      assert.equal(database.dialect, dialect.name === 'sqlite' ? 'sqlite' : 'mysql');
      await sql`select 1`.execute(database.db);
      const stats = database.poolStats();
      assert.equal(stats.inUse, 0);
      assert.equal(stats.waiting, 0);
      if (dialect.name === 'sqlite') assert.equal(stats.size, 1);
      else assert.ok(stats.size >= 1, `pool size ${stats.size}`);
    });

    it('applies migrations once, in id order, per owner', async () => {
      const database = await open();
      const ran: string[] = [];
      const migrations: Migration[] = [
        { id: '002-fill', up: async (db) => { ran.push('002'); await db.insertInto('order_test').values({ n: 2 }).execute(); } },
        { id: '001-create', up: async (db) => { ran.push('001'); await db.schema.createTable('order_test').addColumn('n', 'integer').execute(); } },
      ];
      assert.deepEqual(await database.migrate('order', migrations), { applied: ['001-create', '002-fill'] });
      assert.deepEqual(ran, ['001', '002']);
      assert.deepEqual(await database.migrate('order', migrations), { applied: [] });
      assert.deepEqual(ran, ['001', '002']);
      const added: Migration = { id: '003-more', up: async (db) => { ran.push('003'); await db.insertInto('order_test').values({ n: 3 }).execute(); } };
      assert.deepEqual(await database.migrate('order', [...migrations, added]), { applied: ['003-more'] });
      assert.equal(await count(database, 'order_test'), 2);
      // Another owner's ids are its own.
      assert.deepEqual(await database.migrate('other-owner', [{ id: '001-create', up: async () => undefined }]), { applied: ['001-create'] });
    });

    it('refuses migration lists with duplicate or empty ids', async () => {
      const database = await open();
      await assert.rejects(database.migrate('dup', [{ id: 'a', up: async () => undefined }, { id: 'a', up: async () => undefined }]), /DB-0005|used twice/);
      await assert.rejects(database.migrate('dup', [{ id: '', up: async () => undefined }]), (error: unknown) => isKeelError(error) && error.code === 'DB-0005');
    });

    it('lets one of two nodes migrate at a time (the lock)', async () => {
      const first = await open();
      const second = await open();
      let running = 0;
      let overlap = false;
      const step = (id: string, work: (db: Parameters<Migration['up']>[0]) => Promise<void>): Migration => ({
        id,
        async up(db) {
          running += 1;
          if (running > 1) overlap = true;
          // Yield so the other node gets every chance to interleave if the lock did not hold.
          await sleep(30);
          await work(db);
          running -= 1;
        },
      });
      const migrations = [
        step('001', (db) => db.schema.createTable('race_test').addColumn('id', 'varchar(10)').execute()),
        step('002', (db) => db.insertInto('race_test').values({ id: '002' }).execute().then(() => undefined)),
        step('003', (db) => db.insertInto('race_test').values({ id: '003' }).execute().then(() => undefined)),
      ];
      const [a, b] = await Promise.all([first.migrate('race', migrations), second.migrate('race', migrations)]);
      assert.equal(overlap, false, 'two migrations ran at the same time');
      assert.deepEqual([...a.applied, ...b.applied].sort(), ['001', '002', '003']);
      assert.ok(a.applied.length === 0 || b.applied.length === 0, 'one node applied everything, the other nothing');
      assert.equal(await count(first, 'race_test'), 2);
      const recorded = await first.db.selectFrom('keel_migrations').select('id').where('owner', '=', 'race').orderBy('id').execute();
      assert.deepEqual(recorded.map((row: { id: string }) => row.id), ['001', '002', '003']);
    });

    it('reports a failing migration and does not record it', async () => {
      const database = await open();
      const good: Migration = { id: '001', up: async (db) => { await db.schema.createTable('fail_test').addColumn('n', 'integer').execute(); } };
      const bad: Migration = { id: '002', up: async () => { throw new Error('syntax trouble'); } };
      await assert.rejects(database.migrate('failing', [good, bad]), (error: unknown) => {
        assert.ok(isKeelError(error));
        assert.equal(error.code, 'DB-0004');
        assert.match(error.message, /failing\/002 failed: syntax trouble/);
        return true;
      });
      const recorded = await database.db.selectFrom('keel_migrations').select('id').where('owner', '=', 'failing').execute();
      // SQLite rolls the whole run back; MySQL commits DDL as it goes, so 001 stays done.
      assert.deepEqual(recorded.map((row: { id: string }) => row.id), dialect.name === 'sqlite' ? [] : ['001']);
      const fixed: Migration = { id: '002', up: async (db) => { await db.insertInto('fail_test').values({ n: 1 }).execute(); } };
      const { applied } = await database.migrate('failing', [good, fixed]);
      assert.deepEqual(applied, dialect.name === 'sqlite' ? ['001', '002'] : ['002']);
      assert.equal(await count(database, 'fail_test'), 1);
    });

    it('rolls a failed transaction back completely', async () => {
      const database = await open();
      await database.migrate('trx', [{ id: '001', up: async (db) => { await db.schema.createTable('trx_test').addColumn('n', 'integer').execute(); } }]);
      await assert.rejects(database.transaction(async (trx) => {
        await trx.insertInto('trx_test').values({ n: 1 }).execute();
        await trx.insertInto('trx_test').values({ n: 2 }).execute();
        throw new Error('changed my mind');
      }), /changed my mind/);
      assert.equal(await count(database, 'trx_test'), 0);
      const result = await database.transaction(async (trx) => {
        await trx.insertInto('trx_test').values({ n: 3 }).execute();
        return 'done';
      });
      assert.equal(result, 'done');
      assert.equal(await count(database, 'trx_test'), 1);
    });

    if (dialect.name === 'mariadb') {
      it('shows its URL with the password masked', async () => {
        const user = `keel_${randomBytes(4).toString('hex')}`;
        const password = `pw-${randomBytes(6).toString('hex')}`;
        const database = new URL(target.url).pathname.slice(1);
        const admin = await rootConnection();
        try {
          await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
          await admin.query(`CREATE USER '${user}'@'localhost' IDENTIFIED BY '${password}'`);
          await admin.query(`GRANT ALL ON \`${database}\`.* TO '${user}'@'%'`);
          await admin.query(`GRANT ALL ON \`${database}\`.* TO '${user}'@'localhost'`);
          const withPassword = await open(`mysql://${user}:${password}@${MARIADB.host}:${MARIADB.port}/${database}`);
          assert.equal(withPassword.displayUrl, `mysql://${user}:****@${MARIADB.host}:${MARIADB.port}/${database}`);
          await sql`select 1`.execute(withPassword.db);
          await assert.rejects(openDatabase({ url: `mysql://${user}:wrong-${password}@${MARIADB.host}:${MARIADB.port}/${database}`, dataDirectory: target.dir }), (error: unknown) => {
            assert.ok(isKeelError(error));
            assert.equal(error.code, 'DB-0001');
            assert.ok(!error.message.includes(password), error.message);
            assert.match(error.message, /Access denied/);
            return true;
          });
        } finally {
          await admin.query(`DROP USER IF EXISTS '${user}'@'%'`);
          await admin.query(`DROP USER IF EXISTS '${user}'@'localhost'`);
          await admin.end();
        }
      });
    }
  });
}

describe('unreachable databases', () => {
  it('names the MySQL URL with the password masked', async () => {
    const port = await closedPort();
    const url = `mysql://keel:s3cr3t%21pw@127.0.0.1:${port}/keel`;
    await assert.rejects(openDatabase({ url, dataDirectory: '/nonexistent' }), (error: unknown) => {
      assert.ok(isKeelError(error));
      assert.equal(error.code, 'DB-0001');
      assert.equal(error.status, 503);
      assert.ok(error.message.startsWith(`Database mysql://keel:****@127.0.0.1:${port}/keel is not reachable: `), error.message);
      assert.match(error.message, /ECONNREFUSED/);
      assert.ok(!error.message.includes('s3cr3t'), error.message);
      return true;
    });
  });

  it('names the SQLite path it could not open', async () => {
    const target = await createSqliteDatabase();
    try {
      const blocker = join(target.dir, 'not-a-directory');
      await writeFile(blocker, 'x');
      await assert.rejects(openDatabase({ url: `sqlite:${join(blocker, 'keel.db')}`, dataDirectory: target.dir }), (error: unknown) => {
        assert.ok(isKeelError(error));
        assert.equal(error.code, 'DB-0001');
        assert.ok(error.message.includes(join(blocker, 'keel.db')), error.message);
        return true;
      });
    } finally {
      await target.drop();
    }
  });

  it('refuses URLs it does not understand, without echoing the password', async () => {
    await assert.rejects(openDatabase({ url: 'postgres://u:topsecret@h/db', dataDirectory: '/tmp' }), (error: unknown) => {
      assert.ok(isKeelError(error));
      assert.equal(error.code, 'DB-0002');
      assert.ok(error.message.includes('postgres://u:****@h/db'), error.message);
      assert.ok(!error.message.includes('topsecret'));
      return true;
    });
  });
});
