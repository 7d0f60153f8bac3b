import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { authenticatorRef, contextServiceRef, type Authenticator } from '@keel/plugin-sdk';
import { loadBundle, readMetrics, startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import { generatePeopleLdif, slapdSkipReason, startSlapd, type SlapdServer } from '@keel/test/harness';
import authLdap from '../src/index.js';

const skip = slapdSkipReason() ?? false;

describe('auth-ldap metrics source', { skip }, () => {
  let slapd: SlapdServer;
  let kernel: TestKernel;
  let ldap: Authenticator;
  // The first URL accepts connections and never answers, so a login holds its connection there until the operation timeout.
  const silent = createServer((socket) => {
    silentSockets.push(socket);
    socket.on('error', () => undefined);
  });
  const silentSockets: Socket[] = [];

  before(async () => {
    slapd = await startSlapd({ ldif: generatePeopleLdif(1) });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    kernel = await startTestKernel({
      bundles: { 'storage-sql': await loadBundle('storage-sql'), 'auth-ldap': authLdap },
      properties: {
        'keel.auth.ldap.url': `ldap://127.0.0.1:${(silent.address() as { port: number }).port}, ${slapd.url}`,
        'keel.auth.ldap.operationTimeoutMs': '300',
        'keel.auth.ldap.mode': 'search',
        'keel.auth.ldap.bindDn': slapd.rootDn,
        'keel.auth.ldap.bindPassword': slapd.rootPassword,
        'keel.auth.ldap.search.baseDn': 'ou=people,dc=example,dc=com',
        'keel.auth.ldap.search.filter': '(&(objectClass=inetOrgPerson)(uid={login}))',
      },
      http: false,
    });
    assert.equal(kernel.bundle('auth-ldap')?.state, 'ACTIVE', JSON.stringify(kernel.bundle('auth-ldap')?.error));
    await kernel.get(contextServiceRef)!.create({ name: 'default', loginMappings: ['defaultcontext'] });
    ldap = kernel.getAll(authenticatorRef).find((candidate) => candidate.name === 'ldap')!;
  });

  after(async () => {
    await kernel?.stop();
    for (const socket of silentSockets) socket.destroy();
    silent.close();
    await slapd?.stop();
  });

  it('counts the connection a login holds, and none once it is done', async () => {
    const open = async () => (await readMetrics(kernel, 'auth-ldap')).value('keel_ldap_connections', { bundle: 'auth-ldap' });
    assert.equal(await open(), 0);
    const login = ldap.authenticate({ login: 'user1', password: 'secret1', ip: '127.0.0.1' });
    for (let i = 0; i < 2000 && silentSockets.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(silentSockets.length, 1, 'the silent server accepted the connection');
    assert.equal(await open(), 1, 'held while the silent server does not answer');
    assert.equal((await login).outcome, 'success', 'failed over to slapd');
    assert.equal(await open(), 0, 'both connections closed');
  });
});
