import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startFakeApns, type FakeApns } from './fake-apns.js';
import { createTestPki, opensslMissing, type TestPki } from './pki.js';

const skip = opensslMissing();
const P = 'com.openexchange.pns.transport.apn.ios.';
let pki: TestPki;
let fake: FakeApns;

before(async () => {
  if (skip) return;
  pki = createTestPki('Pkcs12-Passw0rd-Never-Logged');
  fake = await startFakeApns({ key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, jwt: { publicKey: pki.p8PublicKey, keyId: 'KID1234567', teamId: 'TEAM123456' } });
});

after(async () => {
  await fake?.close();
  pki?.remove();
});

/** Lines of base64 key material: none of them may reach the log. */
function keyLines(pem: string): string[] {
  return pem.split('\n').filter((line) => line.length >= 40 && !line.startsWith('-----'));
}

test('start-up errors name client, file and code; passwords, keys, JWTs and device tokens never reach the log', { skip }, async () => {
  const q = JSON.stringify;
  const inlinePem = readFileSync(pki.p8File, 'utf8');
  const yaml = [
    `good:\n  keystore: ${q(pki.clientP12File)}\n  password: ${q(pki.clientP12Password)}\n  topic: com.example.mail\n`,
    `inline:\n  authtype: jwt\n  privatekey: ${q(inlinePem)}\n  keyid: KID1234567\n  teamid: TEAM123456\n  topic: com.example.mail\n`,
    `missing:\n  keystore: ${q(`${pki.dir}/missing.p12`)}\n  password: Missing-Client-Secret\n`,
    `wrongpass:\n  keystore: ${q(pki.clientP12File)}\n  password: Wrong-Password-Never-Logged\n`,
    `rsakey:\n  authtype: jwt\n  privatekey: ${q(pki.rsaKeyFile)}\n  keyid: K\n  teamid: T\n  topic: t\n`,
  ].join('');
  const token = createHash('sha256').update('log-probe').digest('hex');
  const dead = createHash('sha256').update('log-probe-dead').digest('hex');
  fake.script(dead, { status: 410, reason: 'Unregistered' });
  const input = {
    properties: { [`${P}enabled`]: 'true', [`${P}url.production`]: fake.url, [`${P}trustedCaFile`]: pki.caFile, [`${P}retryBaseMillis`]: '1' },
    files: { 'pns-apns-options.yml': yaml },
    notification: { contextId: 1, userId: 3, topic: 'ox:mail:new', messageData: { subject: 'hi', email: 'a@b.c' } },
    matches: [token, dead].flatMap((t) => ['good', 'inline'].map((client) => ({ contextId: 1, userId: 3, token: t, client, transport: 'apn', topic: 'ox:mail:new' }))),
  };
  const probe = fileURLToPath(new URL('./log-probe.js', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [probe, JSON.stringify(input)], { env: { ...process.env, KEEL_LOG_LEVEL: 'debug' } });
  if (process.env["SHOW_PROBE"]) console.error(stdout);
  const lines = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

  const problem = (client: string) => lines.find((line) => line['client'] === client && line['level'] === 'error');
  assert.equal(problem('missing')?.['code'], 'PNS-APNS-0001');
  assert.match(String(problem('missing')?.['msg']), /missing\.p12 cannot be read \(ENOENT/);
  assert.equal(problem('wrongpass')?.['code'], 'PNS-APNS-0002');
  assert.equal(problem('rsakey')?.['code'], 'PNS-APNS-0003');
  assert.ok(lines.some((line) => line['msg'] === 'APNs clients ready' && String(line['clients']) === 'good,inline'));
  assert.equal(fake.pushes.filter((p) => p.token === token).length, 2, 'the working clients pushed');
  assert.ok(lines.some((line) => String(line['msg']).startsWith('removed the subscription') || String(line['msg']).includes('no subscription store')));

  const secrets = [pki.clientP12Password, 'Missing-Client-Secret', 'Wrong-Password-Never-Logged', ...keyLines(inlinePem), ...keyLines(readFileSync(pki.rsaKeyFile, 'utf8')), token, dead];
  const jwts = fake.pushes.map((p) => p.jwt).filter((jwt): jwt is string => jwt !== undefined);
  assert.ok(jwts.length > 0);
  for (const secret of [...secrets, ...jwts]) assert.ok(!stdout.includes(secret), `the log contains a secret (${secret.slice(0, 6)}…)`);
});
