import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  API, USER_LOGIN, USER_MAIL, USER_PASSWORD, anyText, assemble, body, contentType, cookieHeader, extraHeaders, fuzzSeed, fuzzWithMemoryCheck,
  method, queryPart, queryString, startFuzzServer, stopAndScanLog, type FuzzRequest, type FuzzServer,
} from './support.js';

// The login module (sessiond): `login`, `logout` and `session?action=whoami` with malformed
// methods, queries, forms, JSON, cookies. No 5xx is intended here: every failure is a client error
// (LGI-…, SES-…, KEEL-HTTP-…), including the brute-force lockout (429 LGI-0020) the wrong passwords
// run into after `keel.auth.maxFailuresPerAddress`.
const SEED = fuzzSeed(20261203);

describe('fuzz: login module', () => {
  let server: FuzzServer | undefined;

  before(async () => {
    server = await startFuzzServer();
  });

  after(async () => {
    await stopAndScanLog(server);
  });

  test('malformed logins, logouts and whoami calls answer client errors with stable codes', async (t) => {
    const fuzz = server!;
    const names = fc.oneof(fc.constantFrom(USER_MAIL, USER_LOGIN, `${USER_LOGIN}@fuzz.example`, ` ${USER_MAIL} `, USER_MAIL.toUpperCase(), 'nobody@fuzz.example', '@', ''), anyText);
    const passwords = fc.oneof({ weight: 1, arbitrary: fc.constant(USER_PASSWORD) }, { weight: 4, arbitrary: anyText });
    const fields = fc.record({
      name: fc.option(names, { nil: undefined }),
      password: fc.option(passwords, { nil: undefined }),
      client: fc.option(anyText, { nil: undefined }),
    });
    // A form (duplicated fields sometimes), the same fields as JSON, or any body at all.
    const loginBody = fc.oneof(
      { weight: 4, arbitrary: fc.tuple(fields, fc.boolean()).map(([f, twice]) => {
        const form = new URLSearchParams();
        for (const [key, value] of Object.entries(f)) if (value !== undefined) form.append(key, value);
        if (twice && f.name !== undefined) form.append('name', 'other@fuzz.example');
        return form.toString();
      }) },
      { weight: 1, arbitrary: fields.map((f) => JSON.stringify(f)) },
      { weight: 2, arbitrary: body(fields) },
    );
    const sessionParam = fc.oneof(fc.constant(fuzz.session.id), queryPart).map((s): Array<[string, string]> => [['session', s]]);
    const target = fc.tuple(
      fc.constantFrom('login', 'login', 'login', 'session', 'LOGIN', 'login/', 'login;x', 'login%00', ''),
      queryString(fc.constantFrom('action', 'session', 'client', 'name', 'authId', 'rampup'),
        fc.tuple(fc.constantFrom('login', 'login', 'logout', 'whoami', 'LOGIN', 'autologin', 'redirect', 'store', ''), fc.option(sessionParam, { nil: undefined }))
          .map(([action, session]): Array<[string, string]> => [['action', action], ...(session ?? [])])),
    ).map(([module, query]) => `${API}/${module}${query}`);

    const requests: fc.Arbitrary<FuzzRequest> = fc.record({
      method: fc.oneof({ weight: 4, arbitrary: fc.constant('POST') }, { weight: 2, arbitrary: method }),
      target,
      contentType: fc.oneof({ weight: 3, arbitrary: fc.constant('application/x-www-form-urlencoded') }, { weight: 2, arbitrary: contentType }),
      cookie: cookieHeader(() => fuzz.session.cookie),
      body: loginBody,
      chunked: fc.boolean(),
      extra: extraHeaders,
    }).map((r) => assemble({ method: r.method, target: r.target, headers: { ...r.extra, 'content-type': r.contentType, cookie: r.cookie }, body: r.body, chunked: r.chunked }));

    await fuzzWithMemoryCheck(t, {
      name: 'login',
      server: fuzz,
      requests,
      rules: { style: 'action' },
      seed: SEED,
      runs: 250,
      check(request, response) {
        if (response.status === 200 && request.target.includes('action=login') && request.method === 'POST') {
          const answer = JSON.parse(response.body.toString('utf8')) as { session?: unknown };
          assert.equal(typeof answer.session, 'string', 'a successful login answers a session');
        }
      },
    });
  });
});
