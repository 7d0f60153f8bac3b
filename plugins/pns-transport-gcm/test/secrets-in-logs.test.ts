import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startFakeFcm, type FakeFcm } from './fake-fcm.js';
import { createTestPki, opensslMissing, type TestPki } from './pki.js';

const skip = opensslMissing();
const P = 'com.openexchange.pns.transport.gcm.';
const EMAIL = 'pns@probe.iam.gserviceaccount.com';
const SERVER_KEY = 'AIzaSyProbeServerKeyNeverLogged0123456';
let pki: TestPki;
let fcm: FakeFcm;

before(async () => {
  if (skip) return;
  pki = createTestPki();
  fcm = await startFakeFcm({ key: pki.serverKey, cert: pki.serverCert, account: { clientEmail: EMAIL, publicKey: pki.rsaPublicKey, projectId: 'probe' }, serverKey: SERVER_KEY });
});

after(async () => {
  await fcm?.close();
  pki?.remove();
});

const keyLines = (pem: string): string[] => pem.split('\n').filter((line) => line.length >= 40 && !line.startsWith('-----'));

test('start-up errors name client, file and code; keys, server keys and access tokens never reach the log', { skip }, async () => {
  const account = join(pki.dir, 'probe.json');
  writeFileSync(account, JSON.stringify({ project_id: 'probe', client_email: EMAIL, private_key: pki.rsaKey, token_uri: fcm.tokenUrl }));
  const ecAccount = join(pki.dir, 'probe-ec.json');
  writeFileSync(ecAccount, JSON.stringify({ project_id: 'probe', client_email: EMAIL, private_key: pki.ecKey }));
  const q = JSON.stringify;
  const yaml = [
    `v1:\n  serviceAccount: ${q(account)}\n`,
    `legacy:\n  key: ${q(SERVER_KEY)}\n`,
    `wrongkey:\n  key: AIzaSyWrongKeyAlsoNeverLogged99\n`,
    `missing:\n  serviceAccount: ${q(join(pki.dir, 'missing.json'))}\n`,
    `eckey:\n  serviceAccount: ${q(ecAccount)}\n`,
    'numeric:\n  key: 1234567890123456789012345678901234567890\n',
  ].join('');
  const token = 'probe-device-token-0123456789abcdef';
  const gone = 'probe-device-gone-0123456789abcdef';
  fcm.scriptV1(gone, 'UNREGISTERED');
  const input = {
    properties: { [`${P}enabled`]: 'true', [`${P}url`]: fcm.url, [`${P}trustedCaFile`]: pki.caFile, [`${P}retryBaseMillis`]: '1' },
    files: { 'pns-gcm-options.yml': yaml },
    notification: { contextId: 1, userId: 3, topic: 'ox:mail:new', messageData: { subject: 'hi' } },
    matches: [token, gone].flatMap((t) => ['v1', 'legacy', 'wrongkey'].map((client) => ({ contextId: 1, userId: 3, token: t, client, transport: 'gcm', topic: 'ox:mail:new' }))),
  };
  const probe = fileURLToPath(new URL('./log-probe.js', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [probe, JSON.stringify(input)], { env: { ...process.env, KEEL_LOG_LEVEL: 'debug' } });
  if (process.env["SHOW_PROBE"]) console.error(stdout);
  const lines = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

  const problem = (client: string) => lines.find((line) => line['client'] === client && line['level'] === 'error');
  assert.equal(problem('missing')?.['code'], 'PNS-GCM-0001');
  assert.match(String(problem('missing')?.['msg']), /missing\.json cannot be read/);
  assert.equal(problem('eckey')?.['code'], 'PNS-GCM-0002');
  assert.equal(problem('numeric')?.['code'], 'PNS-GCM-0003');
  assert.match(String(problem('numeric')?.['msg']), /quote it/);
  assert.equal(problem('wrongkey')?.['code'], 'PNS-GCM-0004');
  assert.match(String(problem('wrongkey')?.['msg']), /401 the server key was refused/);
  assert.ok(fcm.v1.some((p) => p.token === token && p.answered === 200));

  const accessTokens = fcm.v1.map((p) => String(p.headers['authorization']).replace('Bearer ', ''));
  const secrets = [SERVER_KEY, 'AIzaSyWrongKeyAlsoNeverLogged99', ...keyLines(pki.rsaKey), ...keyLines(pki.ecKey), ...accessTokens, token, gone];
  assert.ok(accessTokens.length > 0);
  for (const secret of secrets) assert.ok(!stdout.includes(secret), `the log contains a secret (${secret.slice(0, 6)}…)`);
});
