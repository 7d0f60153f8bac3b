// The endpoint driven the way MailStore drives it: raw form POSTs with Basic auth, exact JSON and headers.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { contextServiceRef, userServiceRef, type UserService } from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import { hashSecret } from '../src/account-password.js';
import appintegrationServer from '../src/index.js';
import { basic, loadBundle, mailstore, rawPost } from './support.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const ARCHIVE = basic('mailstore@example.test', 'Passw0rd');
const BIG_USERS = 2500;

describe('appintegration-server: Keel answers MailStore', () => {
  let keel: TestKernel;
  let endpoint: string;
  let users: UserService;

  before(async () => {
    const hashed = await hashSecret('s3cret: with colon');
    keel = await startTestKernel({
      bundles: {
        'storage-sql': await loadBundle('storage-sql'),
        auth: await loadBundle('auth'),
        'auth-database': await loadBundle('auth-database'),
        'appintegration-server': appintegrationServer,
      },
      properties: {
        'keel.auth.maxFailures': '3',
        'keel.auth.maxFailuresPerAddress': '5',
        'keel.auth.lockoutSeconds': '120',
        'keel.auth.baseDelayMs': '1',
        'keel.auth.maxDelayMs': '2',
        'keel.appintegration.listBatchSize': '100',
      },
      files: {
        'appintegration.yml': [
          'archive: { login: "mailstore@example.test", password: "Passw0rd", context: 10 }',
          `hashed: { login: "mailstore-other", password: "${hashed}", context: 20 }`,
          'big: { login: "big", password: "{PLAIN}big-secret", context: 30 }',
          'ghost: { login: "ghost", password: "ghost-secret", context: 99 }',
          '',
        ].join('\n'),
      },
      startTimeoutMs: 20_000,
    });
    assert.equal(keel.bundle('appintegration-server')?.state, 'ACTIVE', keel.bundle('appintegration-server')?.error?.message);
    endpoint = `${keel.url}/mailstore-integration/`;
    users = keel.get(userServiceRef)!;
    const contexts = keel.get(contextServiceRef)!;
    await contexts.create({ id: 10, name: 'example', loginMappings: ['example.com'] });
    await contexts.create({ id: 20, name: 'other', loginMappings: ['other.test'] });
    await contexts.create({ id: 30, name: 'big', loginMappings: ['big.test'] });
    await users.create(10, { login: 'alice', password: 'alice-pw', displayName: 'Alice Archer', email: 'alice@example.com', aliases: ['a@example.com'] });
    await users.create(10, { login: 'bob', displayName: 'Bob', email: 'bob@example.com', source: 'ldap', externalDn: 'uid=bob,ou=people,dc=example,dc=com' });
    await users.create(10, { login: 'carol', password: 'carol-pw', displayName: 'Carol', email: 'carol@example.com', enabled: false });
    await users.create(10, { login: 'dave,jr', displayName: 'Dave "Jr" Ünal', email: 'dave@example.com' });
    await users.create(10, { login: 'locky', password: 'locky-pw', displayName: 'Locky', email: 'locky@example.com' });
    await users.create(20, { login: 'zed', password: 'zed-pw', displayName: 'Zed', email: 'zed@other.test' });
    for (let i = 1; i <= BIG_USERS; i++) await users.create(30, { login: `user${i}`, displayName: `User ${i}`, email: `user${i}@big.test` });
  });

  after(async () => {
    await keel?.stop();
  });

  describe('cmd=list', () => {
    it('answers the context\'s enabled users as exact JSON, LDAP DNs kept, others synthetic', async () => {
      const answer = await mailstore(endpoint, 'cmd=list', { authorization: ARCHIVE });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('content-type'), JSON_TYPE);
      assert.equal(answer.text, '['
        + '{"userName":"alice","distinguishedName":"uid=alice,ou=users,o=10","fullName":"Alice Archer","emailAddresses":["alice@example.com","a@example.com"]},'
        + '{"userName":"bob","distinguishedName":"uid=bob,ou=people,dc=example,dc=com","fullName":"Bob","emailAddresses":["bob@example.com"]},'
        + '{"userName":"dave,jr","distinguishedName":"uid=dave\\\\,jr,ou=users,o=10","fullName":"Dave \\"Jr\\" Ünal","emailAddresses":["dave@example.com"]},'
        + '{"userName":"locky","distinguishedName":"uid=locky,ou=users,o=10","fullName":"Locky","emailAddresses":["locky@example.com"]}'
        + ']');
      assert.equal((JSON.parse(answer.text) as Array<{ distinguishedName: string }>)[2]!.distinguishedName, 'uid=dave\\,jr,ou=users,o=10');
    });

    it('each account sees its own context only', async () => {
      const answer = await mailstore(endpoint, 'cmd=list', { authorization: basic('mailstore-other', 's3cret: with colon') });
      assert.equal(answer.status, 200);
      assert.deepEqual(JSON.parse(answer.text), [{ userName: 'zed', distinguishedName: 'uid=zed,ou=users,o=20', fullName: 'Zed', emailAddresses: ['zed@other.test'] }]);
    });

    it('accepts the path without trailing slash, with index.php, and a charset in the content type', async () => {
      for (const url of [`${keel.url}/mailstore-integration`, `${keel.url}/mailstore-integration/index.php`]) {
        const answer = await mailstore(url, 'cmd=list', { authorization: ARCHIVE, contentType: 'application/x-www-form-urlencoded; charset=UTF-8' });
        assert.equal(answer.status, 200, url);
        assert.equal((JSON.parse(answer.text) as unknown[]).length, 4);
      }
    });

    it('streams a large context across many directory batches and write chunks', async () => {
      const answer = await mailstore(endpoint, 'cmd=list', { authorization: basic('big', 'big-secret') });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('content-length'), null, 'streamed (chunked), not buffered');
      const listed = JSON.parse(answer.text) as Array<{ userName: string }>;
      assert.equal(listed.length, BIG_USERS);
      assert.deepEqual(listed.slice(0, 2).map((u) => u.userName), ['user1', 'user2']);
      assert.equal(listed.at(-1)!.userName, `user${BIG_USERS}`);
    });

    it('survives a client that hangs up mid-stream', async () => {
      await new Promise<void>((resolve, reject) => {
        const req = request(endpoint, { method: 'POST', headers: { authorization: basic('big', 'big-secret'), 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
          res.once('data', () => {
            res.destroy();
            resolve();
          });
        });
        req.on('error', reject);
        req.end('cmd=list');
      });
      const again = await mailstore(endpoint, 'cmd=list', { authorization: basic('big', 'big-secret') });
      assert.equal((JSON.parse(again.text) as unknown[]).length, BIG_USERS);
    });

    it('an empty context is an empty array', async () => {
      await keel.get(contextServiceRef)!.create({ id: 40, name: 'empty' });
      await writeFile(join(keel.configDir, 'appintegration.yml'), 'empty: { login: "e", password: "e", context: 40 }\n');
      // Not reloaded yet: the account does not exist.
      assert.equal((await mailstore(endpoint, 'cmd=list', { authorization: basic('e', 'e') })).status, 401);
      await keel.kernel.reload();
      const answer = await mailstore(endpoint, 'cmd=list', { authorization: basic('e', 'e') });
      assert.equal(answer.text, '[]');
      // The old accounts are gone with the reload.
      assert.equal((await mailstore(endpoint, 'cmd=list', { authorization: ARCHIVE })).status, 401);
      await restoreAccounts();
    });
  });

  async function restoreAccounts(): Promise<void> {
    await writeFile(join(keel.configDir, 'appintegration.yml'), [
      'archive: { login: "mailstore@example.test", password: "Passw0rd", context: 10 }',
      'ghost: { login: "ghost", password: "ghost-secret", context: 99 }',
      '',
    ].join('\n'));
    await keel.kernel.reload();
  }

  describe('cmd=auth', () => {
    const auth = (form: string, authorization = ARCHIVE) => mailstore(endpoint, form, { authorization });

    it('answers {"succeeded":true} for the right password, as exact JSON', async () => {
      const answer = await auth('cmd=auth&user=alice&pass=alice-pw');
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('content-type'), JSON_TYPE);
      assert.equal(answer.text, '{"succeeded":true}');
    });

    it('answers {"succeeded":false} for a wrong password, an unknown user and a disabled user', async () => {
      for (const form of ['cmd=auth&user=alice&pass=wrong', 'cmd=auth&user=nobody&pass=x', 'cmd=auth&user=carol&pass=carol-pw', 'cmd=auth&user=alice&pass=']) {
        const answer = await auth(form);
        assert.equal(answer.status, 200, form);
        assert.equal(answer.text, '{"succeeded":false}', form);
      }
    });

    it('form-encoded passwords with special characters and mail-address logins work', async () => {
      await users.setPassword(10, (await users.findByLogin(10, 'alice'))!.id, 'p&ss=w ord+ü');
      const form = new URLSearchParams({ cmd: 'auth', user: 'alice@example.com', pass: 'p&ss=w ord+ü' }).toString();
      assert.equal((await auth(form)).text, '{"succeeded":true}');
      await users.setPassword(10, (await users.findByLogin(10, 'alice'))!.id, 'alice-pw');
    });

    it('never vouches for a user of another context', async () => {
      assert.equal((await auth('cmd=auth&user=zed&pass=zed-pw')).text, '{"succeeded":false}');
      assert.equal((await auth('cmd=auth&user=zed@other.test&pass=zed-pw')).text, '{"succeeded":false}');
    });

    it('a locked-out login answers false with Retry-After, even with the right password', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await auth('cmd=auth&user=locky&pass=wrong')).text, '{"succeeded":false}');
      const locked = await auth('cmd=auth&user=locky&pass=locky-pw');
      assert.equal(locked.status, 200);
      assert.equal(locked.text, '{"succeeded":false}');
      assert.match(locked.headers.get('retry-after') ?? '', /^\d+$/);
    });

    it('wrong passwords for many users do not lock the whole MailStore server out', async () => {
      // keel.auth.maxFailuresPerAddress is 5; every request comes from the same address.
      for (let i = 0; i < 6; i++) await auth(`cmd=auth&user=stranger${i}&pass=x`);
      assert.equal((await auth('cmd=auth&user=alice&pass=alice-pw')).text, '{"succeeded":true}');
    });
  });

  describe('malformed requests', () => {
    async function expectError(answer: { status: number; headers: Headers | Record<string, string | string[] | undefined>; text: string }, status: number, code: string): Promise<void> {
      assert.equal(answer.status, status, answer.text);
      const type = answer.headers instanceof Headers ? answer.headers.get('content-type') : answer.headers['content-type'];
      assert.equal(type, JSON_TYPE);
      const body = JSON.parse(answer.text) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), ['code', 'error']);
      assert.equal(body['code'], code);
      assert.equal(typeof body['error'], 'string');
    }

    it('no credentials → 401 with WWW-Authenticate', async () => {
      const answer = await mailstore(endpoint, 'cmd=list');
      await expectError(answer, 401, 'AIS-0001');
      assert.equal(answer.headers.get('www-authenticate'), 'Basic realm="Keel Application Integration", charset="UTF-8"');
    });

    it('wrong password, unknown login, malformed header → 401', async () => {
      for (const authorization of [basic('mailstore@example.test', 'wrong'), basic('nobody', 'Passw0rd'), 'Basic !!!', 'Bearer abc', basic('mailstore@example.test', '')]) {
        const answer = await mailstore(endpoint, 'cmd=list', { authorization });
        await expectError(answer, 401, 'AIS-0001');
        assert.match(answer.headers.get('www-authenticate') ?? '', /^Basic realm=/);
      }
    });

    it('GET, PUT, DELETE → 405 with Allow: POST', async () => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const answer = await mailstore(endpoint, 'cmd=list', { authorization: ARCHIVE, method });
        await expectError(answer, 405, 'AIS-0002');
        assert.equal(answer.headers.get('allow'), 'POST');
      }
    });

    it('a body that is not a form → 400 AIS-0003', async () => {
      await expectError(await mailstore(endpoint, '{"cmd":"list"}', { authorization: ARCHIVE, contentType: 'application/json' }), 400, 'AIS-0003');
      await expectError(await mailstore(endpoint, 'cmd=list', { authorization: ARCHIVE, contentType: 'text/plain' }), 400, 'AIS-0003');
      await expectError(await mailstore(endpoint, '--x\r\nContent-Disposition: form-data; name="cmd"\r\n\r\nlist\r\n--x--\r\n', { authorization: ARCHIVE, contentType: 'multipart/form-data; boundary=x' }), 400, 'AIS-0003');
      await expectError(await rawPost(endpoint, 'cmd=list', { authorization: ARCHIVE }), 400, 'AIS-0003');
    });

    it('missing or unknown cmd → 400', async () => {
      await expectError(await mailstore(endpoint, '', { authorization: ARCHIVE }), 400, 'AIS-0004');
      await expectError(await mailstore(endpoint, 'user=alice', { authorization: ARCHIVE }), 400, 'AIS-0004');
      await expectError(await mailstore(endpoint, 'cmd=', { authorization: ARCHIVE }), 400, 'AIS-0004');
      const unknown = await mailstore(endpoint, 'cmd=delete', { authorization: ARCHIVE });
      await expectError(unknown, 400, 'AIS-0005');
      assert.match(unknown.text, /Unknown cmd 'delete'/);
    });

    it('cmd=auth without user or pass → 400 naming the parameter', async () => {
      const noUser = await mailstore(endpoint, 'cmd=auth&pass=x', { authorization: ARCHIVE });
      await expectError(noUser, 400, 'AIS-0006');
      assert.match(noUser.text, /'user'/);
      const noPass = await mailstore(endpoint, 'cmd=auth&user=alice', { authorization: ARCHIVE });
      await expectError(noPass, 400, 'AIS-0006');
      assert.match(noPass.text, /'pass'/);
    });

    it('an account whose context does not exist → 503 naming the account', async () => {
      const answer = await mailstore(endpoint, 'cmd=list', { authorization: basic('ghost', 'ghost-secret') });
      await expectError(answer, 503, 'AIS-0007');
      assert.match(answer.text, /'ghost'.*context 99/);
    });

    it('a broken appintegration.yml on reload keeps the previous accounts', async () => {
      await writeFile(join(keel.configDir, 'appintegration.yml'), 'archive: { login: "x", password: "y", context: "ten" }\n');
      await keel.kernel.reload();
      assert.equal((await mailstore(endpoint, 'cmd=auth&user=alice&pass=alice-pw', { authorization: ARCHIVE })).text, '{"succeeded":true}');
    });
  });
});
