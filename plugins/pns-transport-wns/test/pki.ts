import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A CA and a server certificate for 127.0.0.1/localhost made by `openssl`, in a temp directory. */
export interface TestPki {
  dir: string;
  caFile: string;
  serverKey: string;
  serverCert: string;
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
  const message = 'openssl is not installed: the WNS transport tests need it to generate certificates';
  if (process.env['CI'] === 'true') throw new Error(message);
  console.warn(`\n!!! SKIPPING: ${message}\n`);
  return message;
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'keel-wns-pki-'));
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Keel Test CA');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext');
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
  return { dir, caFile: join(dir, 'ca.pem'), serverKey: read('server.key'), serverCert: read('server.pem'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
