import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { authenticatorRef, contextServiceRef } from '@keel/plugin-sdk';
import { loadBundle, startTestKernel } from '@keel/plugin-sdk/testing';
import { binaryPath, generatePeopleLdif, makeTempDir, removeTempDir, requireBinary, runCommand, slapdSkipReason, startSlapd, type SlapdServer } from '@keel/test/harness';
import authLdap from '../src/index.js';

const skip = slapdSkipReason() ?? requireBinary('openssl') ?? false;

/** A self-signed certificate (its own CA) for the given subjectAltName. */
async function selfSigned(dir: string, name: string, subjectAltName: string): Promise<{ key: string; cert: string; certFile: string }> {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.pem`);
  await runCommand(binaryPath('openssl'), [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', `/CN=${name}`, '-addext', `subjectAltName=${subjectAltName}`, '-keyout', keyFile, '-out', certFile,
  ]);
  return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8'), certFile };
}

/** ldaps:// in front of the real slapd: TLS is terminated here, LDAP is forwarded as it is. */
async function startLdapsFront(slapd: SlapdServer, identity: { key: string; cert: string }): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createTlsServer({ key: identity.key, cert: identity.cert }, (secure) => {
    const upstream = createConnection(slapd.port, slapd.host);
    for (const socket of [secure, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        secure.destroy();
        upstream.destroy();
      });
    }
    secure.pipe(upstream);
    upstream.pipe(secure);
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('auth-ldap over ldaps://: CA file, certificate and host name checks', { skip }, () => {
  let slapd: SlapdServer;
  let dir: string;
  let forIp: { key: string; cert: string; certFile: string };
  let forOtherName: { key: string; cert: string; certFile: string };
  let ipFront: { port: number; close(): Promise<void> };
  let nameFront: { port: number; close(): Promise<void> };

  /** The outcome of one login through a kernel started with these TLS settings. */
  async function loginWith(properties: Record<string, string>): Promise<{ outcome: string; reason?: string }> {
    const kernel = await startTestKernel({ bundles: { 'storage-sql': await loadBundle('storage-sql'), 'auth-ldap': authLdap }, http: false, properties: {
      'keel.auth.ldap.search.baseDn': 'ou=people,dc=example,dc=com',
      'keel.auth.ldap.bindDn': slapd.rootDn,
      'keel.auth.ldap.bindPassword': slapd.rootPassword,
      'keel.auth.ldap.connectTimeoutMs': '3000',
      ...properties,
    } });
    try {
      assert.equal(kernel.bundle('auth-ldap')?.state, 'ACTIVE', JSON.stringify(kernel.bundle('auth-ldap')?.error));
      await kernel.get(contextServiceRef)!.create({ name: 'default', loginMappings: ['defaultcontext'] });
      const ldap = kernel.getAll(authenticatorRef).find((candidate) => candidate.name === 'ldap')!;
      return (await ldap.authenticate({ login: 'user1', password: 'secret1', ip: '127.0.0.1' })) as { outcome: string; reason?: string };
    } finally {
      await kernel.stop();
    }
  }

  before(async () => {
    slapd = await startSlapd({ ldif: generatePeopleLdif(1) });
    dir = await makeTempDir('keel-auth-ldap-tls');
    forIp = await selfSigned(dir, 'ldap-ip', 'IP:127.0.0.1');
    forOtherName = await selfSigned(dir, 'ldap.test', 'DNS:ldap.test');
    ipFront = await startLdapsFront(slapd, forIp);
    nameFront = await startLdapsFront(slapd, forOtherName);
  });

  after(async () => {
    await ipFront?.close();
    await nameFront?.close();
    await slapd?.stop();
    if (dir !== undefined) await removeTempDir(dir);
  });

  it('logs in when the server certificate is signed by the configured CA file', async () => {
    const result = await loginWith({ 'keel.auth.ldap.url': `ldaps://127.0.0.1:${ipFront.port}`, 'keel.auth.ldap.tls.caFile': forIp.certFile });
    assert.equal(result.outcome, 'success', JSON.stringify(result));
  });

  it('refuses a certificate no configured CA signed (not-mine, the reason says why)', async () => {
    const withoutCa = await loginWith({ 'keel.auth.ldap.url': `ldaps://127.0.0.1:${ipFront.port}` });
    assert.equal(withoutCa.outcome, 'not-mine');
    assert.match(withoutCa.reason ?? '', /self[- ]signed/i);
    const otherCa = await loginWith({ 'keel.auth.ldap.url': `ldaps://127.0.0.1:${ipFront.port}`, 'keel.auth.ldap.tls.caFile': forOtherName.certFile });
    assert.equal(otherCa.outcome, 'not-mine');
  });

  it('checks that the certificate names the host', async () => {
    const result = await loginWith({ 'keel.auth.ldap.url': `ldaps://127.0.0.1:${nameFront.port}`, 'keel.auth.ldap.tls.caFile': forOtherName.certFile });
    assert.equal(result.outcome, 'not-mine');
    assert.match(result.reason ?? '', /ERR_TLS_CERT_ALTNAME_INVALID|not in the cert's list/);
  });

  it('accepts any certificate only when rejectUnauthorized is false', async () => {
    const result = await loginWith({ 'keel.auth.ldap.url': `ldaps://127.0.0.1:${nameFront.port}`, 'keel.auth.ldap.tls.rejectUnauthorized': 'false' });
    assert.equal(result.outcome, 'success', JSON.stringify(result));
  });
});
