import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { contactStorageRef, contextServiceRef, userServiceRef, type ContactCaller, type ContactStorage } from '@keel/plugin-sdk';
import { loadBundle, readMetrics, startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import { slapdSkipReason, startSlapd, type SlapdServer } from '@keel/test/harness';
import contactsLdap from '../src/index.js';
import { directoryLdif, PEOPLE_BASE } from './support.js';

describe('contacts-ldap metrics source', { skip: slapdSkipReason() }, () => {
  let slapd: SlapdServer;
  let kernel: TestKernel;
  let storage: ContactStorage;
  let caller: ContactCaller;

  before(async () => {
    slapd = await startSlapd({ suffix: 'dc=example,dc=com', ldif: await directoryLdif(3) });
    kernel = await startTestKernel({
      bundles: { 'storage-sql': await loadBundle('storage-sql'), 'contacts-ldap': contactsLdap },
      files: {
        'ldap-client-config.yml': `connections:\n  anon:\n    hosts: ["${slapd.url}"]\n    pool: { size: 2 }\n    bind: { mode: anonymous }\n`,
        'contacts-ldap.yml': `providers:\n  gab:\n    connection: anon\n    folders: { mode: static, static: [{ id: "6", name: Directory, base: "${PEOPLE_BASE}", scope: one, filter: "(objectClass=inetOrgPerson)" }] }\n`,
        'contacts-ldap-mappings.yml': 'mappings: {}\n',
      },
      http: false,
      startTimeoutMs: 20_000,
    });
    assert.equal(kernel.bundle('contacts-ldap')?.state, 'ACTIVE', JSON.stringify(kernel.bundle('contacts-ldap')?.error));
    const context = await kernel.get(contextServiceRef)!.create({ name: 'example', loginMappings: ['example.com'] });
    const users = kernel.get(userServiceRef)!;
    const user = await users.create(context.id, { login: 'reader', password: 'reader-pw', displayName: 'Reader', email: 'reader@example.com' });
    await users.setConfig(context.id, user.id, { set: { 'com.openexchange.contacts.ldap.accounts': 'gab' } });
    caller = { contextId: context.id, userId: user.id };
    storage = kernel.getAll(contactStorageRef).find((candidate) => candidate.name === 'ldap')!;
  });

  after(async () => {
    await kernel?.stop();
    await slapd?.stop();
  });

  it('counts pooled connections: none before the first request, one kept for reuse after it', async () => {
    const pooled = async () => (await readMetrics(kernel, 'contacts-ldap')).value('keel_ldap_connections', { bundle: 'contacts-ldap' });
    assert.equal(await pooled(), 0, 'pools open connections lazily');
    assert.ok((await storage.list(caller, '6')).contacts.length > 0);
    assert.equal(await pooled(), 1);
    await storage.list(caller, '6');
    assert.equal(await pooled(), 1, 'the idle connection was reused, not a second one opened');
  });
});
