import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canConnect, dovecotSkipReason, isAlive, openImapSession, startDovecot, type DovecotServer } from './index.js';

const skip = dovecotSkipReason();

interface PushRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

// Stands in for Keel's push endpoint: it only records what Dovecot's OX driver sends.
const pushes: PushRequest[] = [];
let pushServer: Server | undefined;
let dovecot: DovecotServer | undefined;

function server(): DovecotServer {
  assert.ok(dovecot, 'dovecot started');
  return dovecot;
}

before(async () => {
  if (skip) return;
  pushServer = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      pushes.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"success":true}');
    });
  });
  await new Promise<void>((resolve) => pushServer!.listen(0, '127.0.0.1', resolve));
  const address = pushServer.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  dovecot = await startDovecot({
    users: [
      { login: 'alice', password: 'alice-secret' },
      { login: 'bob', password: 'bob-secret' },
    ],
    pushUrl: `http://pushuser:pushpass@127.0.0.1:${port}/preliminary/http-notify/v1/notify`,
  });
});

after(async () => {
  await dovecot?.stop();
  await new Promise<void>((resolve) => (pushServer ? pushServer.close(() => resolve()) : resolve()));
});

const message = (subject: string, body: string): string =>
  `From: Bob Sender <bob@example.org>\nTo: alice@example.com\nSubject: ${subject}\nMessage-ID: <${Date.now()}.${Math.random()}@example.org>\n\n${body}\n`;

async function newMessages(login: string): Promise<string[]> {
  const dir = join(server().maildir(login), 'new');
  const names = await readdir(dir).catch(() => [] as string[]);
  return Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')));
}

test('IMAP LOGIN accepts the configured password and rejects a wrong one', { skip }, async () => {
  const good = await openImapSession(server().imapPort);
  try {
    assert.match(good.greeting, /^\* OK/);
    assert.equal((await good.command('LOGIN alice alice-secret')).status, 'OK');
    const select = await good.command('SELECT INBOX');
    assert.equal(select.status, 'OK');
  } finally {
    await good.close();
  }
  const bad = await openImapSession(server().imapPort);
  try {
    assert.equal((await bad.command('LOGIN alice wrong')).status, 'NO');
  } finally {
    await bad.close();
  }
});

test('LMTP delivery lands the message in the maildir, dot-stuffing undone', { skip }, async () => {
  const before = (await newMessages('bob')).length;
  await server().deliver('bob', message('lmtp check', 'line one\n.leading dot\n..two dots\nlast'));
  const messages = await newMessages('bob');
  assert.equal(messages.length, before + 1);
  const delivered = messages.find((text) => text.includes('Subject: lmtp check'));
  assert.ok(delivered, 'delivered message found');
  assert.match(delivered, /\n\.leading dot\r?\n\.\.two dots\r?\nlast/);
});

test('setMetadata / getMetadata round trip through doveadm', { skip }, async () => {
  assert.equal(await server().getMetadata('bob'), null);
  await server().setMetadata('bob', 'user=7@3');
  assert.equal(await server().getMetadata('bob'), 'user=7@3');
  await server().setMetadata('bob', null);
  assert.equal(await server().getMetadata('bob'), null);
  await assert.rejects(server().getMetadata('nobody'), /doesn't exist|nobody/);
});

test('the OX push driver PUTs messageNew for users with http-notify METADATA only', { skip }, async () => {
  pushes.length = 0;
  // no METADATA on bob: Dovecot must not notify (the request would come before LMTP's 250)
  await server().deliver('bob', message('not pushed', 'nobody listens'));
  assert.equal(pushes.length, 0, `unexpected push: ${JSON.stringify(pushes)}\n${await server().logTail(20)}`);

  await server().setMetadata('alice', 'user=3@1');
  await server().deliver('alice', message('Hello push', 'This is the body of the pushed mail.'));
  assert.equal(pushes.length, 1, `expected one push\n${await server().logTail(40)}`);
  const push = pushes[0]!;
  assert.equal(push.method, 'PUT');
  assert.equal(push.url, '/preliminary/http-notify/v1/notify');
  assert.equal(push.headers.authorization, `Basic ${Buffer.from('pushuser:pushpass').toString('base64')}`);
  assert.match(push.headers['content-type'] ?? '', /^application\/json/);
  const body = JSON.parse(push.body) as Record<string, unknown>;
  assert.equal(body['event'], 'messageNew');
  assert.equal(body['user'], '3@1');
  assert.equal(body['folder'], 'INBOX');
  assert.equal(typeof body['imap-uidvalidity'], 'number');
  assert.equal(body['imap-uid'], 1);
  assert.equal(body['from'], 'Bob Sender <bob@example.org>');
  assert.equal(body['subject'], 'Hello push');
  assert.equal(body['snippet'], 'This is the body of the pushed mail.');
  assert.equal(body['unseen'], 1);
});

test('restart keeps ports and mail', { skip }, async () => {
  await server().restart();
  const session = await openImapSession(server().imapPort);
  try {
    assert.equal((await session.command('LOGIN bob bob-secret')).status, 'OK');
    const status = await session.command('STATUS INBOX (MESSAGES)');
    assert.equal(status.status, 'OK');
    assert.match(status.untagged.join('\n'), /MESSAGES [1-9]/);
  } finally {
    await session.close();
  }
});

test('stop ends every Dovecot process and removes the temp dir', { skip }, async () => {
  const scratch = await startDovecot({ users: [{ login: 'carol', password: 'pw' }] });
  const master = Number((await readFile(join(scratch.baseDir, 'run', 'master.pid'), 'utf8')).trim());
  assert.ok(isAlive(master));
  await scratch.stop();
  assert.equal(isAlive(master), false);
  assert.equal(await canConnect(scratch.imapPort), false);
  assert.equal(await canConnect(scratch.lmtpPort), false);
  assert.equal(existsSync(scratch.baseDir), false);
});
