// The override end to end, the way an operator does it: the real bundle packages are discovered
// from their folders, contacts-ldap is disabled by default, and enabling it in packages.yml (by its
// alias) plus a reload switches the global address book from SQL to LDAP — and back.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { contextServiceRef, userServiceRef } from '@keel/plugin-sdk';
import { createKernel, createLogger, type Kernel } from '@keel/core';
import { generatePeopleLdif, slapdSkipReason, startSlapd, type SlapdServer } from '@keel/test/harness';
import { call, login, ok, PEOPLE_BASE, type Client, type Json } from './support.js';

const PLUGINS = fileURLToPath(new URL('../../../', import.meta.url));
const BUNDLES = ['storage-sql', 'auth', 'auth-database', 'sessiond', 'contacts-sql', 'contacts', 'contacts-ldap'];

describe('contacts-ldap overrides the global address book at runtime (packages.yml + reload)', { skip: slapdSkipReason() }, () => {
  let slapd: SlapdServer;
  let root: string;
  let kernel: Kernel;
  let client: Client;

  const packages = (status: 'enabled' | 'disabled') => writeFile(join(root, 'config', 'packages.yml'), `packages:\n  status:\n    open-xchange-contacts-ldap: ${status}\n`);
  const gab = async () => (await ok<Json[]>(client, 'contacts', 'all', { folder: '6' })).map((c) => c['display_name']);
  const state = (name: string) => kernel.control.bundle(name)?.state;

  before(async () => {
    slapd = await startSlapd({ ldif: generatePeopleLdif(25) });
    root = await mkdtemp(join(tmpdir(), 'keel-contacts-override-'));
    const config = join(root, 'config');
    await mkdir(config);
    await writeFile(join(config, 'keel.properties'), [
      'keel.auth.baseDelayMs=1',
      'keel.auth.maxDelayMs=5',
      // every user of every context reads LDAP provider "corp" once the bundle runs
      'com.openexchange.contacts.ldap.accounts=corp',
    ].join('\n'));
    await writeFile(join(config, 'ldap-client-config.yml'), `connections:\n  corp:\n    hosts: ["${slapd.url}"]\n    bind: { mode: anonymous }\n`);
    await writeFile(join(config, 'contacts-ldap.yml'), [
      'providers:',
      '  corp:',
      '    connection: corp',
      '    folders:',
      '      mode: static',
      `      static: [{ id: "6", name: Corporate directory, base: "${PEOPLE_BASE}", filter: "(objectClass=inetOrgPerson)" }]`,
    ].join('\n'));

    kernel = await createKernel({
      root,
      configDir: config,
      dataDir: join(root, 'data'),
      bundleDirs: BUNDLES.map((name) => join(PLUGINS, name)),
      http: { host: '127.0.0.1', port: 0 },
      logger: createLogger({ level: process.env['KEEL_LOG_LEVEL'] ?? 'silent' }),
      env: { ...process.env, KEEL_BUNDLE_DIRS: '' },
      startTimeoutMs: 20_000,
    });
    await kernel.start();
    const context = await kernel.registry.get(contextServiceRef)!.create({ name: 'override', loginMappings: ['override.example'] });
    await kernel.registry.get(userServiceRef)!.create(context.id, { login: 'olga', password: 'olga-pw', displayName: 'Olga Operator', email: 'olga@override.example' });
    const address = kernel.address()!;
    client = await login(`http://${address.host}:${address.port}`, 'olga@override.example', 'olga-pw');
  });

  after(async () => {
    await kernel?.stop();
    await slapd?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('starts with contacts-ldap disabled by default: the global address book comes from SQL', async () => {
    for (const name of BUNDLES.filter((b) => b !== 'contacts-ldap')) assert.equal(state(name), 'ACTIVE', `${name}: ${JSON.stringify(kernel.control.bundle(name)?.error)}`);
    assert.equal(kernel.control.bundle('contacts-ldap')?.status, 'disabled');
    assert.equal(state('contacts-ldap'), 'UNINSTALLED');
    assert.deepEqual(await gab(), ['Olga Operator']);
  });

  it('enabled in packages.yml and reloaded: the same session now reads the directory', async () => {
    await packages('enabled');
    const { started } = await kernel.control.reload();
    assert.deepEqual(started, ['contacts-ldap']);
    assert.equal(state('contacts'), 'ACTIVE', 'the HTTP module was not restarted for it');
    const names = await gab();
    assert.equal(names.length, 25);
    assert.equal(names[0], 'Given1 Family1');
    const folders = await ok<Json[]>(client, 'contacts', 'folders');
    assert.equal(folders[0]!['title'], 'Corporate directory');
    const write = await call(client, 'contacts', 'new', {}, { folder_id: '6', display_name: 'x' });
    assert.equal(write.body['code'], 'CON-0003');
  });

  it('stopped and started at runtime: each request follows', async () => {
    await kernel.control.stopBundle('contacts-ldap');
    assert.deepEqual(await gab(), ['Olga Operator']);
    await kernel.control.startBundle('contacts-ldap');
    assert.equal((await gab()).length, 25);
  });

  it('disabled again and reloaded: back to SQL', async () => {
    await packages('disabled');
    const { stopped } = await kernel.control.reload();
    assert.deepEqual(stopped, ['contacts-ldap']);
    assert.equal(state('contacts-ldap'), 'UNINSTALLED');
    assert.deepEqual(await gab(), ['Olga Operator']);
  });
});
