import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Key material made by `openssl` for one test run, in a temp directory. */
export interface TestPki {
  dir: string;
  caFile: string;
  serverKey: string;
  serverCert: string;
  ca: string;
  /** PKCS#12 with the client certificate (CN=keel-apns-client) and its key. */
  clientP12File: string;
  clientP12Password: string;
  /** APNs token-auth key as Apple ships it: EC P-256, PKCS#8 PEM (.p8). */
  p8File: string;
  p8PublicKey: string;
  /** An RSA key (PKCS#8 PEM) where an EC key is expected. */
  rsaKeyFile: string;
  remove(): void;
}

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Skip reason for tests that need openssl: loud locally, a failure under CI=true. */
export function opensslMissing(): string | false {
  if (hasOpenssl()) return false;
  const message = 'openssl is not installed: the APNs transport tests need it to generate certificates and keystores';
  if (process.env['CI'] === 'true') throw new Error(message);
  console.warn(`\n!!! SKIPPING: ${message}\n`);
  return message;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA, a server certificate for 127.0.0.1/localhost, a client PKCS#12, an ES256 .p8 and an RSA key. */
export function createTestPki(clientP12Password = 'k33l-p12-secret'): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'keel-apns-pki-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, 'req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Keel Test CA');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(dir, 'req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  openssl(dir, 'x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl(dir, 'req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=keel-apns-client/UID=com.example.mail');
  openssl(dir, 'x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '2', '-extfile', 'client.ext');
  openssl(dir, 'pkcs12', '-export', '-in', 'client.pem', '-inkey', 'client.key', '-out', 'client.p12', '-name', 'apns', '-passout', `pass:${clientP12Password}`);
  openssl(dir, 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'AuthKey_TEST.p8');
  openssl(dir, 'pkey', '-in', 'AuthKey_TEST.p8', '-pubout', '-out', 'AuthKey_TEST.pub.pem');
  openssl(dir, 'genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.key');
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    ca: read('ca.pem'),
    serverKey: read('server.key'),
    serverCert: read('server.pem'),
    clientP12File: join(dir, 'client.p12'),
    clientP12Password,
    p8File: join(dir, 'AuthKey_TEST.p8'),
    p8PublicKey: read('AuthKey_TEST.pub.pem'),
    rsaKeyFile: join(dir, 'rsa.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
