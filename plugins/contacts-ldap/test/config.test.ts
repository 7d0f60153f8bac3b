// The option files: a broken one stops contacts-ldap from starting with CLDAP-0010 naming the file
// and key; a reload with a broken file keeps the running configuration.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { contactStorageRef } from '@keel/plugin-sdk';
import { startTestKernel } from '@keel/plugin-sdk/testing';
import contactsLdap from '../src/index.js';

const CLIENT = 'connections:\n  corp:\n    hosts: ["ldap://127.0.0.1:1"]\n    bind: { mode: anonymous }\n';
const PROVIDERS = 'providers:\n  corp:\n    connection: corp\n    folders: { mode: static, static: [{ name: Directory, base: "dc=example,dc=com" }] }\n';

async function startWith(files: Record<string, string>, properties: Record<string, string> = {}) {
  return startTestKernel({ bundles: { 'contacts-ldap': contactsLdap }, files, properties, http: false });
}

describe('contacts-ldap configuration', () => {
  const broken: Array<[string, Record<string, string>, RegExp]> = [
    ['an unknown bind mode', { 'ldap-client-config.yml': CLIENT.replace('anonymous', 'kerberos'), 'contacts-ldap.yml': PROVIDERS },
      /ldap-client-config\.yml: connections\.corp\.bind\.mode must be one of anonymous \| admindn \| userdn \| userdnresolved, got "kerberos"/],
    ['a host that is no LDAP URL', { 'ldap-client-config.yml': CLIENT.replace('ldap://127.0.0.1:1', 'http://x'), 'contacts-ldap.yml': PROVIDERS },
      /connections\.corp\.hosts entry 0 "http:\/\/x" is not an ldap:\/\/host:port/],
    ['a typo in a key', { 'ldap-client-config.yml': CLIENT.replace('hosts:', 'hostz:'), 'contacts-ldap.yml': PROVIDERS },
      /connections\.corp has an unknown key "hostz"/],
    ['an admin DN without password', { 'ldap-client-config.yml': CLIENT.replace('{ mode: anonymous }', '{ mode: admindn, dn: "cn=admin" }'), 'contacts-ldap.yml': PROVIDERS },
      /connections\.corp\.bind needs "password" or "passwordProperty"/],
    ['a user DN template without placeholder', { 'ldap-client-config.yml': CLIENT.replace('{ mode: anonymous }', '{ mode: userdn, template: "uid=fixed" }'), 'contacts-ldap.yml': PROVIDERS },
      /bind\.template must contain a placeholder/],
    ['an unknown connection', { 'ldap-client-config.yml': CLIENT, 'contacts-ldap.yml': PROVIDERS.replace('connection: corp', 'connection: other') },
      /contacts-ldap\.yml: providers\.corp\.connection names "other", which ldap-client-config\.yml does not define/],
    ['a broken folder filter', { 'ldap-client-config.yml': CLIENT, 'contacts-ldap.yml': PROVIDERS.replace('base: "dc=example,dc=com"', 'base: "dc=example,dc=com", filter: "(cn=x"') },
      /providers\.corp\.folders\.static\[0\]\.filter is not a valid LDAP filter/],
    ['an unknown folder mode', { 'ldap-client-config.yml': CLIENT, 'contacts-ldap.yml': PROVIDERS.replace('mode: static', 'mode: magic') },
      /providers\.corp\.folders\.mode must be one of static \| fixedAttributes \| dynamicAttributes/],
    ['a CA file missing from the config directory', { 'ldap-client-config.yml': CLIENT.replace('bind:', 'tls: { caFile: ldap-ca.pem }\n    bind:'), 'contacts-ldap.yml': PROVIDERS },
      /connections\.corp\.tls\.caFile cannot be read: .*ENOENT.*config[^ ]*\/ldap-ca\.pem/],
    ['an unknown mapping', { 'ldap-client-config.yml': CLIENT, 'contacts-ldap.yml': PROVIDERS.replace('connection: corp', 'connection: corp\n    mappings: hr') },
      /providers\.corp\.mappings names "hr", which contacts-ldap-mappings\.yml does not define/],
  ];

  for (const [what, files, message] of broken) {
    it(`refuses to start with ${what}`, async () => {
      const kernel = await startWith(files);
      try {
        const info = kernel.bundle('contacts-ldap')!;
        assert.equal(info.state, 'RESOLVED');
        assert.equal(info.error?.code, 'KEEL-BUNDLE-START');
        assert.match(info.error!.message, message);
      } finally {
        await kernel.stop();
      }
    });
  }

  it('reads a relative CA file from the config directory', async () => {
    const kernel = await startWith({
      'ldap-ca.pem': '-----BEGIN CERTIFICATE-----\nnot checked until a TLS connection is made\n-----END CERTIFICATE-----\n',
      'ldap-client-config.yml': CLIENT.replace('bind:', 'tls: { caFile: ldap-ca.pem }\n    bind:'),
      'contacts-ldap.yml': PROVIDERS,
    });
    try {
      assert.equal(kernel.bundle('contacts-ldap')?.state, 'ACTIVE', kernel.bundle('contacts-ldap')?.error?.message);
    } finally {
      await kernel.stop();
    }
  });

  it('starts without any file (no providers) and registers at ranking 100, or as configured', async () => {
    const bare = await startWith({});
    try {
      assert.equal(bare.bundle('contacts-ldap')?.state, 'ACTIVE');
      assert.deepEqual(bare.kernel.services().filter((s) => s.id === contactStorageRef.id).map((s) => s.ranking), [100]);
    } finally {
      await bare.stop();
    }
    const ranked = await startWith({ 'ldap-client-config.yml': CLIENT, 'contacts-ldap.yml': PROVIDERS }, { 'keel.contacts.ldap.ranking': '250' });
    try {
      assert.deepEqual(ranked.kernel.services().filter((s) => s.id === contactStorageRef.id).map((s) => s.ranking), [250]);
    } finally {
      await ranked.stop();
    }
  });

  it('keeps the running configuration when a reload brings a broken file', async () => {
    const kernel = await startWith({ 'ldap-client-config.yml': CLIENT, 'contacts-ldap.yml': PROVIDERS }, { 'com.openexchange.contacts.ldap.accounts': 'corp' });
    try {
      const storage = kernel.get(contactStorageRef)!;
      const caller = { contextId: 1, userId: 1 };
      assert.deepEqual((await storage.folders(caller)).map((f) => f.id), ['ldap.corp.0']);
      await writeFile(join(kernel.configDir, 'contacts-ldap.yml'), 'providers:\n  corp:\n    connection: nowhere\n');
      await kernel.kernel.reload();
      assert.equal(kernel.bundle('contacts-ldap')?.state, 'ACTIVE');
      assert.deepEqual((await storage.folders(caller)).map((f) => f.id), ['ldap.corp.0'], 'still the old providers');
      await writeFile(join(kernel.configDir, 'contacts-ldap.yml'), PROVIDERS.replace('name: Directory', 'id: ldap.corp.people, name: People'));
      await kernel.kernel.reload();
      assert.deepEqual((await storage.folders(caller)).map((f) => f.id), ['ldap.corp.people'], 'a valid file is picked up');
    } finally {
      await kernel.stop();
    }
  });
});
