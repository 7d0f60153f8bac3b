// The provisioning REST API through the real kernel, storage-sql on SQLite.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { contextServiceRef, userServiceRef } from '@keel/plugin-sdk';
import type { TestKernel } from '@keel/plugin-sdk/testing';
import { MASTER, basicHeader } from './master-admin.js';
import { api, startProvisioningKernel, type ApiResponse } from './provisioning-kernel.js';

function assertError(response: ApiResponse, status: number, code: string, message?: RegExp): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.equal(response.body?.code, code, JSON.stringify(response.body));
  if (message) assert.match(response.body.error, message);
  assert.ok(!JSON.stringify(response.body).includes('    at '), 'no stack trace');
}

describe('provisioning admin API', () => {
  let kernel: TestKernel;
  before(async () => {
    kernel = await startProvisioningKernel();
  });
  after(async () => {
    await kernel?.stop();
  });

  describe('master admin authentication', () => {
    it('answers 401 with WWW-Authenticate without credentials or with a wrong password', async () => {
      for (const authorization of [null, basicHeader(MASTER.login, 'wrong'), basicHeader('someone', MASTER.password), 'Bearer x']) {
        for (const [method, path] of [['GET', '/contexts'], ['POST', '/contexts'], ['DELETE', '/contexts/1'], ['PUT', '/contexts/1/users/1/password']] as const) {
          const response = await api(kernel, method, path, method === 'GET' || method === 'DELETE' ? undefined : { name: 'x' }, { authorization });
          assertError(response, 401, 'ADM-0001');
          assert.match(response.headers.get('www-authenticate') ?? '', /^Basic realm=/);
        }
      }
      assert.deepEqual(await kernel.get(contextServiceRef)!.list(), [], 'nothing was created');
    });
  });

  describe('contexts', () => {
    it('creates, reads, lists and pages contexts', async () => {
      const created = await api(kernel, 'POST', '/contexts', { id: 1, name: 'First', loginMappings: ['first.example'] });
      assert.equal(created.status, 201);
      assert.equal(created.headers.get('location'), '/admin/v1/contexts/1');
      assert.deepEqual(created.body, { id: 1, name: 'First', enabled: true, loginMappings: ['first.example'], attributes: {}, config: {} });
      const second = await api(kernel, 'POST', '/contexts', { name: 'Second', attributes: { 'taxonomy/types': 'gold' } });
      assert.equal(second.status, 201);
      assert.equal(second.body.id, 2);
      assert.deepEqual((await api(kernel, 'GET', '/contexts/2')).body.attributes, { 'taxonomy/types': 'gold' });
      const listed = await api(kernel, 'GET', '/contexts');
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body.contexts.map((context: { id: number }) => context.id), [1, 2]);
      assert.deepEqual({ offset: listed.body.offset, limit: listed.body.limit }, { offset: 0, limit: 100 });
      const paged = await api(kernel, 'GET', '/contexts?offset=1&limit=1');
      assert.deepEqual(paged.body.contexts.map((context: { id: number }) => context.id), [2]);
      assertError(await api(kernel, 'GET', '/contexts?limit=0'), 400, 'PRV-0002', /limit/);
      assertError(await api(kernel, 'GET', '/contexts?limit=5000'), 400, 'PRV-0002', /limit/);
    });

    it('changes, enables and disables a context', async () => {
      const patched = await api(kernel, 'PATCH', '/contexts/2', { name: 'Zweite', loginMappings: ['second.example'], attributes: { 'taxonomy/types': null } });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.name, 'Zweite');
      assert.deepEqual(patched.body.loginMappings, ['second.example']);
      assert.deepEqual(patched.body.attributes, {});
      assert.equal((await api(kernel, 'POST', '/contexts/2/disable')).body.enabled, false);
      assert.equal((await api(kernel, 'GET', '/contexts/2')).body.enabled, false);
      assert.equal((await api(kernel, 'POST', '/contexts/2/enable')).body.enabled, true);
    });

    it('sets and removes config values', async () => {
      const set = await api(kernel, 'PUT', '/contexts/1/config', { set: { 'com.openexchange.a': '1', 'com.openexchange.b': '2' } });
      assert.equal(set.status, 200);
      assert.deepEqual(set.body.config, { 'com.openexchange.a': '1', 'com.openexchange.b': '2' });
      const removed = await api(kernel, 'PUT', '/contexts/1/config', { remove: ['com.openexchange.a'] });
      assert.deepEqual(removed.body.config, { 'com.openexchange.b': '2' });
      assertError(await api(kernel, 'PUT', '/contexts/1/config', { set: { a: 1 } }), 400, 'PRV-0001', /Field 'set' must be an object of string values/);
      assertError(await api(kernel, 'PUT', '/contexts/1/config', { put: {} }), 400, 'PRV-0001', /Unknown field 'put'/);
      assertError(await api(kernel, 'PUT', '/contexts/1/config', { set: { x: 'y' }, remove: ['x'] }), 400, 'CTX-0003', /both set and removed/);
    });

    it('answers 404 CTX-0001 for an unknown context', async () => {
      assertError(await api(kernel, 'GET', '/contexts/999'), 404, 'CTX-0001', /Context 999 does not exist/);
      assertError(await api(kernel, 'PATCH', '/contexts/999', { name: 'x' }), 404, 'CTX-0001');
      assertError(await api(kernel, 'DELETE', '/contexts/999'), 404, 'CTX-0001');
      assertError(await api(kernel, 'PUT', '/contexts/999/config', { set: { a: 'b' } }), 404, 'CTX-0001');
      assertError(await api(kernel, 'POST', '/contexts/999/enable'), 404, 'CTX-0001');
      assertError(await api(kernel, 'GET', '/contexts/999/users'), 404, 'CTX-0001');
      assertError(await api(kernel, 'POST', '/contexts/999/users', { login: 'a', password: 'p', displayName: 'A', email: 'a@example.com' }), 404, 'CTX-0001');
    });

    it('refuses bad bodies and parameters, naming the field', async () => {
      assertError(await api(kernel, 'POST', '/contexts', { name: 'X', colour: 'red' }), 400, 'PRV-0001', /Unknown field 'colour'/);
      assertError(await api(kernel, 'POST', '/contexts', { name: 5 }), 400, 'PRV-0001', /Field 'name' must be a string, got a number/);
      assertError(await api(kernel, 'POST', '/contexts', { id: '7', name: 'X' }), 400, 'PRV-0001', /Field 'id' must be a whole number, got a string/);
      assertError(await api(kernel, 'POST', '/contexts', { id: 1.5, name: 'X' }), 400, 'PRV-0001', /Field 'id'/);
      assertError(await api(kernel, 'POST', '/contexts', { name: 'X', loginMappings: 'x.example' }), 400, 'PRV-0001', /Field 'loginMappings' must be a list of strings/);
      assertError(await api(kernel, 'POST', '/contexts', { loginMappings: [] }), 400, 'PRV-0001', /Field 'name' is required/);
      assertError(await api(kernel, 'POST', '/contexts', [1, 2]), 400, 'PRV-0001', /must be a JSON object/);
      assertError(await api(kernel, 'POST', '/contexts', undefined, { raw: '{"name": "X",' }), 400, 'KEEL-HTTP-BODY');
      assertError(await api(kernel, 'POST', '/contexts', undefined, { raw: 'name=X', contentType: 'application/x-www-form-urlencoded' }), 415, 'PRV-0003');
      assertError(await api(kernel, 'POST', '/contexts', { name: 'N'.repeat(256) }), 400, 'CTX-0003', /name exceeds 255 characters/);
      assertError(await api(kernel, 'POST', '/contexts', { name: 'X', id: 0 }), 400, 'CTX-0003', /id must be a whole number from 1/);
      assertError(await api(kernel, 'GET', '/contexts/abc'), 400, 'PRV-0002', /context id/);
      assertError(await api(kernel, 'GET', '/contexts/99999999999'), 400, 'PRV-0002');
    });

    it('refuses a duplicate id or login mapping and writes nothing', async () => {
      assertError(await api(kernel, 'POST', '/contexts', { id: 1, name: 'Again' }), 409, 'CTX-0002', /Context 1 already exists/);
      assertError(await api(kernel, 'POST', '/contexts', { id: 50, name: 'Clash', loginMappings: ['new.example', 'FIRST.example'] }), 409, 'CTX-0002', /first.example/);
      assertError(await api(kernel, 'GET', '/contexts/50'), 404, 'CTX-0001');
      assert.equal(await kernel.get(contextServiceRef)!.findByLoginMapping('new.example'), undefined);
    });
  });

  describe('users', () => {
    const anna = { login: 'anna', password: 'pw-anna', displayName: 'Anna A', email: 'anna@first.example' };
    let annaId: number;

    it('creates a user and never shows a password or hash', async () => {
      const created = await api(kernel, 'POST', '/contexts/1/users', { ...anna, aliases: ['a@first.example'] });
      assert.equal(created.status, 201);
      annaId = created.body.id;
      assert.equal(annaId, 1);
      assert.equal(created.headers.get('location'), `/admin/v1/contexts/1/users/${annaId}`);
      assert.deepEqual(created.body, {
        contextId: 1, id: 1, login: 'anna', displayName: 'Anna A', email: 'anna@first.example', aliases: ['a@first.example'],
        enabled: true, attributes: {}, config: {}, source: 'local',
      });
      const everything = JSON.stringify([created.body, (await api(kernel, 'GET', '/contexts/1/users/1')).body, (await api(kernel, 'GET', '/contexts/1/users')).body]);
      assert.ok(!/pw-anna|scrypt|password/i.test(everything), everything);
      assert.equal(await kernel.get(userServiceRef)!.verifyPassword(1, annaId, 'pw-anna'), true);
    });

    it('refuses a duplicate login or mail with 409 and writes nothing', async () => {
      assertError(await api(kernel, 'POST', '/contexts/1/users', { ...anna, email: 'other@first.example' }), 409, 'USR-0002', /Login 'anna' is already used/);
      assertError(
        await api(kernel, 'POST', '/contexts/1/users', { login: 'bert', password: 'pw', displayName: 'Bert', email: 'bert@first.example', aliases: ['A@first.example'] }),
        409, 'USR-0002', /a@first.example/,
      );
      const listed = await api(kernel, 'GET', '/contexts/1/users');
      assert.deepEqual(listed.body.users.map((user: { login: string }) => user.login), ['anna']);
    });

    it('refuses invalid users with 400 and the field named', async () => {
      const bert = { login: 'bert', password: 'pw', displayName: 'Bert', email: 'bert@first.example' };
      assertError(await api(kernel, 'POST', '/contexts/1/users', { ...bert, email: 'bert.first.example' }), 400, 'USR-0003', /email 'bert.first.example' is not a valid mail address/);
      assertError(await api(kernel, 'POST', '/contexts/1/users', { ...bert, displayName: 'B'.repeat(256) }), 400, 'USR-0003', /displayName exceeds 255 characters/);
      assertError(await api(kernel, 'POST', '/contexts/1/users', { ...bert, login: 'b'.repeat(300) }), 400, 'USR-0003', /login exceeds 255 characters/);
      assertError(await api(kernel, 'POST', '/contexts/1/users', { ...bert, login: '' }), 400, 'USR-0003', /login must not be empty/);
      assertError(await api(kernel, 'POST', '/contexts/1/users', { ...bert, password: undefined }), 400, 'PRV-0001', /Field 'password' is required/);
      assertError(await api(kernel, 'POST', '/contexts/1/users', { ...bert, displayname: 'x' }), 400, 'PRV-0001', /Unknown field 'displayname'/);
      assertError(await api(kernel, 'POST', '/contexts/1/users', { ...bert, aliases: [1] }), 400, 'PRV-0001', /Field 'aliases' must be a list of strings/);
      assertError(await api(kernel, 'POST', '/contexts/1/users', { ...bert, enabled: 'yes' }), 400, 'PRV-0001', /Field 'enabled' must be true or false/);
      assertError(await api(kernel, 'POST', '/contexts/1/users', undefined, { raw: '{login:' }), 400, 'KEEL-HTTP-BODY');
      assert.equal(await kernel.get(userServiceRef)!.count(1), 1);
    });

    it('answers 404 USR-0001 for an unknown user', async () => {
      assertError(await api(kernel, 'GET', '/contexts/1/users/77'), 404, 'USR-0001', /User 77 does not exist in context 1/);
      assertError(await api(kernel, 'PATCH', '/contexts/1/users/77', { displayName: 'x' }), 404, 'USR-0001');
      assertError(await api(kernel, 'DELETE', '/contexts/1/users/77'), 404, 'USR-0001');
      assertError(await api(kernel, 'PUT', '/contexts/1/users/77/config', { set: { a: 'b' } }), 404, 'USR-0001');
      assertError(await api(kernel, 'PUT', '/contexts/1/users/77/password', { password: 'x' }), 404, 'USR-0001');
      assertError(await api(kernel, 'GET', '/contexts/999/users/1'), 404, 'CTX-0001');
      assertError(await api(kernel, 'GET', '/contexts/1/users/x'), 400, 'PRV-0002', /user id/);
    });

    it('finds a user by login, changes and pages users', async () => {
      await api(kernel, 'POST', '/contexts/1/users', { login: 'bert', password: 'pw-bert', displayName: 'Bert', email: 'bert@first.example' });
      const found = await api(kernel, 'GET', '/contexts/1/users?login=BERT');
      assert.deepEqual(found.body.users.map((user: { id: number }) => user.id), [2]);
      assert.deepEqual((await api(kernel, 'GET', '/contexts/1/users?login=nobody')).body.users, []);
      assert.deepEqual((await api(kernel, 'GET', '/contexts/1/users?offset=1&limit=1')).body.users.map((user: { login: string }) => user.login), ['bert']);
      const patched = await api(kernel, 'PATCH', `/contexts/1/users/${annaId}`, { displayName: 'Anna B', aliases: ['ab@first.example'], enabled: false });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.displayName, 'Anna B');
      assert.deepEqual(patched.body.aliases, ['ab@first.example']);
      assert.equal(patched.body.enabled, false);
      assertError(await api(kernel, 'PATCH', `/contexts/1/users/${annaId}`, { login: 'renamed' }), 400, 'PRV-0001', /Unknown field 'login'/);
      // A clash leaves every part of the change out.
      assertError(await api(kernel, 'PATCH', `/contexts/1/users/${annaId}`, { displayName: 'Half', email: 'bert@first.example' }), 409, 'USR-0002');
      assert.equal((await api(kernel, 'GET', `/contexts/1/users/${annaId}`)).body.displayName, 'Anna B');
    });

    it('sets config values and passwords', async () => {
      const configured = await api(kernel, 'PUT', '/contexts/1/users/2/config', { set: { 'com.openexchange.x': 'on' } });
      assert.deepEqual(configured.body.config, { 'com.openexchange.x': 'on' });
      assert.deepEqual((await api(kernel, 'PUT', '/contexts/1/users/2/config', { remove: ['com.openexchange.x'] })).body.config, {});
      const changed = await api(kernel, 'PUT', '/contexts/1/users/2/password', { password: 'new-pw' });
      assert.equal(changed.status, 204);
      assert.equal(changed.body, undefined);
      const users = kernel.get(userServiceRef)!;
      assert.equal(await users.verifyPassword(1, 2, 'new-pw'), true);
      assert.equal(await users.verifyPassword(1, 2, 'pw-bert'), false);
      assertError(await api(kernel, 'PUT', '/contexts/1/users/2/password', { password: '' }), 400, 'USR-0003', /password must not be empty/);
      assertError(await api(kernel, 'PUT', '/contexts/1/users/2/password', { password: 'p'.repeat(2000) }), 400, 'USR-0003', /password exceeds 1024 characters/);
      assertError(await api(kernel, 'PUT', '/contexts/1/users/2/password', {}), 400, 'PRV-0001', /Field 'password' is required/);
    });

    it('deletes users, and contexts with their users', async () => {
      const deleted = await api(kernel, 'DELETE', '/contexts/1/users/2');
      assert.equal(deleted.status, 204);
      assertError(await api(kernel, 'GET', '/contexts/1/users/2'), 404, 'USR-0001');
      assert.equal((await api(kernel, 'DELETE', '/contexts/1')).status, 204);
      assertError(await api(kernel, 'GET', '/contexts/1'), 404, 'CTX-0001');
      assert.equal(await kernel.get(userServiceRef)!.count(1), 0);
    });
  });
});
