import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  USER_LOGIN, USER_MAIL, USER_PASSWORD, anyText, assemble, authorization, basic, body, contentType, extraHeaders, fuzzSeed, fuzzWithMemoryCheck, method,
  queryPart, queryString, startFuzzServer, stopAndScanLog, type FuzzRequest, type FuzzServer,
} from './support.js';

// The MailStore Application Integration endpoint (appintegration-server, `/mailstore-integration/`)
// with cmd=list, cmd=auth and garbage. Two integration accounts: one for the fuzz context and an
// orphan whose context does not exist.
//
// Intended 5xx: 503 AIS-0007, and only for the orphan account's cmd=list ("the account's context
// does not exist" is the server's misconfiguration, not the client's error). Everything else is 4xx
// (AIS-0001…0006, KEEL-HTTP-…) or 200.
const SEED = fuzzSeed(16_180_339);
const AIS_LOGIN = 'mailstore-fuzz';
const AIS_PASSWORD = 'ais-account-secret-5d7e1f';
const ORPHAN_LOGIN = 'mailstore-orphan';
const ORPHAN_PASSWORD = 'ais-orphan-secret-0b3c9a';

describe('fuzz: Application Integration endpoint', () => {
  let server: FuzzServer | undefined;

  before(async () => {
    server = await startFuzzServer({
      files: {
        'appintegration.yml': [
          'fuzz:', `  login: ${AIS_LOGIN}`, `  password: "${AIS_PASSWORD}"`, '  context: 31',
          'orphan:', `  login: ${ORPHAN_LOGIN}`, `  password: "${ORPHAN_PASSWORD}"`, '  context: 999',
        ].join('\n') + '\n',
      },
      secrets: [
        { name: 'integration account password', value: AIS_PASSWORD, basicLogin: AIS_LOGIN },
        { name: 'orphan integration account password', value: ORPHAN_PASSWORD, basicLogin: ORPHAN_LOGIN },
      ],
    });
  });

  after(async () => {
    await stopAndScanLog(server);
  });

  test('cmd=list, cmd=auth and garbage answer JSON with stable codes', async (t) => {
    const fuzz = server!;
    const orphanAuth = basic(ORPHAN_LOGIN, ORPHAN_PASSWORD);
    const form = fc.record({
      cmd: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('list', 'auth', 'auth', 'LIST', ' Auth ', '') }, { weight: 1, arbitrary: anyText }),
      // A few names only, so the per-login lockout soon answers the wrong passwords without an scrypt run each.
      user: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(USER_LOGIN, USER_MAIL, 'nobody', '') }, { weight: 1, arbitrary: anyText }),
      pass: fc.oneof({ weight: 1, arbitrary: fc.constant(USER_PASSWORD) }, { weight: 2, arbitrary: anyText }),
    }, { requiredKeys: [] });
    const formBody = fc.tuple(form, fc.boolean()).map(([fields, twice]) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(fields)) params.append(key, value);
      if (twice) params.append('cmd', 'auth');
      return params.toString();
    });

    const requests: fc.Arbitrary<FuzzRequest> = fc.record({
      method: fc.oneof({ weight: 5, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: method }),
      path: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('/mailstore-integration/', '/mailstore-integration', '/mailstore-integration/index.php') }, { weight: 1, arbitrary: fc.constantFrom('/mailstore-integration//', '/mailstore-integration/index.php/x', '/MAILSTORE-integration/') }),
      query: fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: queryString(fc.constantFrom('cmd', 'user', 'pass')) }),
      auth: fc.oneof({ weight: 5, arbitrary: authorization(AIS_LOGIN, AIS_PASSWORD) }, { weight: 1, arbitrary: fc.constant(orphanAuth) }),
      contentType: fc.oneof({ weight: 4, arbitrary: fc.constant('application/x-www-form-urlencoded') }, { weight: 2, arbitrary: contentType }),
      body: fc.oneof({ weight: 4, arbitrary: formBody }, { weight: 2, arbitrary: body(form) }, { weight: 1, arbitrary: fc.array(fc.tuple(queryPart, queryPart), { maxLength: 8 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')) }),
      chunked: fc.boolean(),
      extra: extraHeaders,
    }).map((r) => assemble({ method: r.method, target: `${r.path}${r.query}`, headers: { ...r.extra, 'content-type': r.contentType, authorization: r.auth }, body: r.body, chunked: r.chunked }));

    await fuzzWithMemoryCheck(t, {
      name: 'application integration',
      server: fuzz,
      requests,
      rules: {
        style: 'rest',
        bodyLimit: 65_536,
        expected5xx: (request, response) => {
          const code = (JSON.parse(response.body.toString('utf8')) as { code?: string }).code;
          return response.status === 503 && code === 'AIS-0007' && request.headers['authorization'] === orphanAuth ? 'the orphan account has no context' : undefined;
        },
      },
      seed: SEED,
      runs: 250,
      check(request, response) {
        if (response.status !== 200 || request.method === 'HEAD') return;
        const answer = JSON.parse(response.body.toString('utf8')) as unknown;
        assert.ok(Array.isArray(answer) || typeof (answer as { succeeded?: unknown }).succeeded === 'boolean', `200 answers a list or {succeeded}: ${response.body.toString('utf8').slice(0, 200)}`);
      },
    });
  });
});
