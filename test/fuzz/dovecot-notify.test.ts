import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CONTEXT_ID, USER_LOGIN, USER_MAIL, anyText, assemble, authorization, body, contentType, extraHeaders, fuzzSeed, fuzzWithMemoryCheck, method, queryString,
  startFuzzServer, stopAndScanLog, type FuzzRequest, type FuzzServer,
} from './support.js';

// push-dovecot's notify endpoint (`/preliminary/http-notify/v1/notify`, `/rest/http-notify/v1/notify`)
// behind the rest bundle's Basic auth, with REST credentials configured. Answers: 200
// {"success":true}, 400 DOV-0001/DOV-0002/KEEL-HTTP-BODY, 401 REST-0002, 404/405, 413. Accepted
// notifications are routed afterwards (to the PNS, which buffers them; no subscription exists), and
// that routing must not log errors either. No 5xx is intended.
const SEED = fuzzSeed(2_718_281);
const REST_LOGIN = 'dovecot-notifier';
const REST_PASSWORD = 'rest-basic-secret-91c2e4';

/** RFC 2047 words, good and broken: what the From and Subject headers may carry. */
const encodedWord = fc.oneof(
  anyText,
  fc.tuple(fc.constantFrom('UTF-8', 'utf-8', 'ISO-8859-1', 'x-unknown', '', 'UTF-7', 'Shift_JIS'), fc.constantFrom('B', 'Q', 'b', 'q', 'X', ''), fc.oneof(fc.base64String({ maxLength: 40 }), anyText))
    .map(([charset, encoding, text]) => `=?${charset}?${encoding}?${text}?=`),
  fc.tuple(anyText, fc.emailAddress()).map(([name, address]) => `"${name}" <${address}>`),
  fc.constantFrom('=?', '?=', '=?UTF-8?B?=', '=?UTF-8?Q?=FF=FE?=', '<>', '<<a@b>>', '"unterminated <a@b.c>', 'a@b.c, , ,', '=?UTF-8?B?' + 'QUFB'.repeat(5000) + '?='),
);

describe('fuzz: push-dovecot notify endpoint', () => {
  let server: FuzzServer | undefined;

  before(async () => {
    server = await startFuzzServer({
      properties: {
        'com.openexchange.rest.services.basic-auth.login': REST_LOGIN,
        'com.openexchange.rest.services.basic-auth.password': REST_PASSWORD,
      },
      secrets: [{ name: 'REST basic-auth password', value: REST_PASSWORD, basicLogin: REST_LOGIN }],
    });
  });

  after(async () => {
    await stopAndScanLog(server);
  });

  test('malformed notifications answer 4xx with stable codes; accepted ones are routed without errors', async (t) => {
    const fuzz = server!;
    const users = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(`${fuzz.session.userId}@${CONTEXT_ID}`, USER_LOGIN, USER_MAIL, `${USER_LOGIN}@fuzz.example`) },
      { weight: 2, arbitrary: fc.constantFrom('0@0', '-1@31', '1@', '@31', '99999999999999999999@31', `${fuzz.session.userId}@${CONTEXT_ID}@x`, 'nobody@nowhere.example') },
      { weight: 2, arbitrary: anyText },
      { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })) },
    );
    const event = fc.record({
      user: users,
      event: fc.oneof({ weight: 4, arbitrary: fc.constant('messageNew') }, { weight: 1, arbitrary: fc.constantFrom('MessageNew', 'messageRead', 'flagsSet', '', 'mailboxCreate') }, { weight: 1, arbitrary: fc.oneof(anyText, fc.integer(), fc.constant(null)) }),
      folder: fc.oneof(fc.constant('INBOX'), anyText, fc.integer()),
      'imap-uid': fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER + 2), anyText, fc.constant(null)),
      'imap-uidvalidity': fc.oneof(fc.nat(), anyText, fc.constant(-1)),
      from: fc.oneof(encodedWord, fc.integer()),
      subject: fc.oneof(encodedWord, fc.array(fc.string(), { maxLength: 2 })),
      snippet: fc.oneof(anyText, fc.constant('x'.repeat(70_000))),
      unseen: fc.oneof(fc.nat(), fc.integer({ min: -5, max: -1 }), anyText, fc.double()),
    }, { requiredKeys: [] });

    const requests: fc.Arbitrary<FuzzRequest> = fc.record({
      method: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('PUT', 'POST') }, { weight: 1, arbitrary: method }),
      path: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('/preliminary/http-notify/v1/notify', '/rest/http-notify/v1/notify') }, { weight: 1, arbitrary: fc.constantFrom('/preliminary/http-notify/v1/notify/', '/preliminary/http-notify/v1/', '/rest/http-notify/v2/notify', '/preliminary/HTTP-notify/v1/notify', '/preliminary//http-notify/v1/notify') }),
      query: fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: queryString(fc.constantFrom('user', 'event', 'session')) }),
      auth: authorization(REST_LOGIN, REST_PASSWORD),
      contentType: fc.oneof({ weight: 4, arbitrary: fc.constant('application/json; charset=utf-8') }, { weight: 2, arbitrary: contentType }),
      body: fc.oneof({ weight: 3, arbitrary: event.map((e) => JSON.stringify(e)) }, { weight: 2, arbitrary: body(event) }),
      chunked: fc.boolean(),
      extra: extraHeaders,
    }).map((r) => assemble({ method: r.method, target: `${r.path}${r.query}`, headers: { ...r.extra, 'content-type': r.contentType, authorization: r.auth }, body: r.body, chunked: r.chunked }));

    await fuzzWithMemoryCheck(t, {
      name: 'dovecot notify',
      server: fuzz,
      requests,
      rules: { style: 'rest', bodyLimit: 65_536 },
      seed: SEED,
      runs: 250,
      check(request, response) {
        if (response.status === 401) assert.match(String(response.headers['www-authenticate']), /^Basic realm=/, 'a 401 names the Basic realm');
        if (response.status === 200) assert.deepEqual(JSON.parse(response.body.toString('utf8')), { success: true }, `answer to ${request.method} ${request.target}`);
      },
    });
  });
});
