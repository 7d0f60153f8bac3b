import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, InvalidCredentialsError } from 'ldapts';
import { generatePeopleLdif, isAlive, personDn, slapdSkipReason, startSlapd, type SlapdServer } from './index.js';

const skip = slapdSkipReason();
let slapd: SlapdServer | undefined;

function server(): SlapdServer {
  assert.ok(slapd, 'slapd started');
  return slapd;
}

before(async () => {
  if (skip) return;
  slapd = await startSlapd({ ldif: generatePeopleLdif(2_000) });
});

after(async () => {
  await slapd?.stop();
});

async function withClient<T>(use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ url: server().url, timeout: 10_000, connectTimeout: 5_000 });
  try {
    return await use(client);
  } finally {
    await client.unbind();
  }
}

test('anonymous search finds a seeded person but cannot read userPassword', { skip }, async () => {
  const { searchEntries } = await withClient((client) =>
    client.search(server().suffix, { scope: 'sub', filter: '(uid=user42)', attributes: ['*'] }),
  );
  assert.equal(searchEntries.length, 1);
  const entry = searchEntries[0]!;
  assert.equal(entry.dn, personDn('user42'));
  assert.equal(entry['mail'], 'user42@example.com');
  assert.equal(entry['cn'], 'Given42 Family42');
  assert.equal(entry['telephoneNumber'], '+49 555 0000042');
  assert.equal(entry['userPassword'], undefined);
});

test('a seeded user can bind with its password; a wrong password is refused', { skip }, async () => {
  await withClient(async (client) => {
    await client.bind(personDn('user7'), 'secret7');
    const { searchEntries } = await client.search(personDn('user7'), { scope: 'base', attributes: ['userPassword'] });
    assert.equal(String(searchEntries[0]?.['userPassword']), 'secret7', 'self may read its own password');
  });
  await withClient(async (client) => {
    await assert.rejects(client.bind(personDn('user7'), 'wrong'), InvalidCredentialsError);
  });
});

test('all 2,000 seeded people come back through a paged search', { skip }, async () => {
  const { searchEntries } = await withClient((client) =>
    client.search(`ou=people,${server().suffix}`, {
      scope: 'one',
      filter: '(objectClass=inetOrgPerson)',
      attributes: ['uid'],
      paged: { pageSize: 500 },
    }),
  );
  assert.equal(searchEntries.length, 2_000);
  assert.equal(new Set(searchEntries.map((entry) => entry['uid'])).size, 2_000);
});

test('add() puts entries into the running server as the root DN', { skip }, async () => {
  await server().add(generatePeopleLdif(3, { start: 5_001, includeContainer: false, password: 'same' }));
  await withClient(async (client) => {
    await client.bind(personDn('user5003'), 'same');
    const { searchEntries } = await client.search(`ou=people,${server().suffix}`, { filter: "(|(uid=user5001)(uid=user5002)(uid=user5003))", attributes: ['uid'] });
    assert.equal(searchEntries.length, 3);
  });
});

test('a custom suffix and root password work; stop() ends slapd and removes its dir', { skip }, async () => {
  const suffix = 'dc=keel,dc=test';
  const other = await startSlapd({ suffix, rootPassword: 'r00t', ldif: generatePeopleLdif(2, { suffix }) });
  const pid = Number((await readFile(join(other.baseDir, 'slapd.pid'), 'utf8')).trim());
  try {
    assert.equal(other.rootDn, 'cn=admin,dc=keel,dc=test');
    const client = new Client({ url: other.url });
    try {
      await client.bind(other.rootDn, 'r00t');
      const { searchEntries } = await client.search(suffix, { filter: '(mail=user2@keel.test)' });
      assert.equal(searchEntries.length, 1);
    } finally {
      await client.unbind();
    }
  } finally {
    await other.stop();
  }
  assert.equal(isAlive(pid), false);
  assert.equal(existsSync(other.baseDir), false);
});

test('10,000 entries seed offline and are all searchable', { skip }, async () => {
  const big = await startSlapd({ ldif: generatePeopleLdif(10_000) });
  try {
    const client = new Client({ url: big.url });
    try {
      const { searchEntries } = await client.search(`ou=people,${big.suffix}`, {
        scope: 'one',
        attributes: ['1.1'],
        paged: { pageSize: 1_000 },
      });
      assert.equal(searchEntries.length, 10_000);
    } finally {
      await client.unbind();
    }
  } finally {
    await big.stop();
  }
});

test('a seed that violates the schema is refused with slapadd\'s message and leaves nothing behind', { skip }, async () => {
  const error = await startSlapd({ ldif: 'dn: uid=y,dc=example,dc=com\nobjectClass: inetOrgPerson\nuid: y\n' }).then(
    () => assert.fail('expected startSlapd to fail'),
    (e: unknown) => e as Error,
  );
  assert.match(error.message, /requires attribute 'sn'/);
  const dir = /(\/\S+\/keel-slapd-[^/\s]+)\//.exec(error.message)?.[1];
  assert.ok(dir, 'message names the config path');
  assert.equal(existsSync(dir), false);
});
