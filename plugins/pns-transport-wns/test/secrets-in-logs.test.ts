import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startFakeWns, type FakeWns } from './fake-wns.js';
import { createTestPki, opensslMissing, type TestPki } from './pki.js';

const skip = opensslMissing();
const P = 'com.openexchange.pns.transport.wns.';
const SID = 'ms-app://s-1-15-2-probe';
const SECRET = 'WnsProbeClientSecretNeverLogged42';
let pki: TestPki;
let wns: FakeWns;

before(async () => {
  if (skip) return;
  pki = createTestPki();
  wns = await startFakeWns({ key: pki.serverKey, cert: pki.serverCert, sid: SID, secret: SECRET });
});

after(async () => {
  await wns?.close();
  pki?.remove();
});

test('start-up errors name client and code; client secrets, access tokens and channel tokens never reach the log', { skip }, async () => {
  const q = JSON.stringify;
  const yaml = [
    `good:\n  sid: ${q(SID)}\n  secret: ${q(SECRET)}\n`,
    `wrongsecret:\n  sid: ${q(SID)}\n  secret: WrongSecretAlsoNeverLogged77\n`,
    `nosecret:\n  sid: ${q(SID)}\n`,
  ].join('');
  const ok = wns.channel();
  const gone = wns.channel();
  wns.script(gone, 410);
  const input = {
    properties: { [`${P}enabled`]: 'true', [`${P}oauth.tokenUrl`]: wns.tokenUrl, [`${P}channelHosts`]: '127.0.0.1', [`${P}trustedCaFile`]: pki.caFile, [`${P}retryBaseMillis`]: '1' },
    files: { 'pns-wns-options.yml': yaml },
    notification: { contextId: 1, userId: 3, topic: 'ox:mail:new', messageData: { subject: 'hi', email: 'a@b.c' } },
    matches: [ok, gone].flatMap((t) => ['good', 'wrongsecret'].map((client) => ({ contextId: 1, userId: 3, token: t, client, transport: 'wns', topic: 'ox:mail:new' }))),
  };
  const probe = fileURLToPath(new URL('./log-probe.js', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [probe, JSON.stringify(input)], { env: { ...process.env, KEEL_LOG_LEVEL: 'debug' } });
  if (process.env['SHOW_PROBE']) console.error(stdout);
  const lines = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

  const problem = (client: string) => lines.find((line) => line['client'] === client && line['level'] === 'error');
  assert.equal(problem('nosecret')?.['code'], 'PNS-WNS-0001');
  assert.match(String(problem('nosecret')?.['msg']), /needs secret/);
  assert.equal(problem('wrongsecret')?.['code'], 'PNS-WNS-0002');
  assert.match(String(problem('wrongsecret')?.['msg']), /HTTP 400 invalid_client/);
  assert.ok(wns.notifications.some((n) => n.channel === ok && n.answered === 200));

  const accessTokens = wns.notifications.map((n) => String(n.headers['authorization']).replace('Bearer ', ''));
  const channelTokens = [ok, gone].map((c) => new URL(c).searchParams.get('token')!);
  assert.ok(accessTokens.length > 0);
  for (const secret of [SECRET, 'WrongSecretAlsoNeverLogged77', ...accessTokens, ...channelTokens]) {
    assert.ok(!stdout.includes(secret), `the log contains a secret (${secret.slice(0, 6)}…)`);
  }
});
