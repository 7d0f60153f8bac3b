import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import {
  API, anyText, assemble, body, contentType, cookieHeader, extraHeaders, fuzzSeed, fuzzWithMemoryCheck, method, queryPart, queryString,
  startFuzzServer, stopAndScanLog, type FuzzRequest, type FuzzServer,
} from './support.js';

// The module API (`/appsuite/api/<module>?action=…`) with random modules, actions and parameters,
// with the fuzz user's valid session (and cookie) and with invalid ones. The real modules behind a
// session are contacts, export and session; login and pns have their own suites. Login's `logout`
// is left out here so the valid session survives the campaign. No 5xx is intended.
const SEED = fuzzSeed(31_4159);

const ACTIONS: Record<string, string[]> = {
  contacts: ['folders', 'all', 'get', 'list', 'search', 'new', 'update', 'delete', 'updates', 'ALL', ''],
  export: ['VCARD', 'vcard', 'CSV', ''],
  session: ['whoami', 'WHOAMI', 'refresh', ''],
  folders: ['list', 'root', 'get'],
  mail: ['all', 'get', 'new'],
  config: ['get'],
  jslob: ['all'],
  system: ['ping'],
};

const PARAM_NAMES = ['folder', 'id', 'columns', 'sort', 'order', 'limit', 'offset', 'left_hand_limit', 'right_hand_limit', 'timestamp', 'version', 'pattern', 'session', 'action', 'tree'];

/** Values the contacts parameters care about, plus anything. */
const paramValue = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('6', '1', '0', '-1', '999999999999999', '1e3', '1,2,3', '500,501,502', '555', 'asc', 'desc', '3.0', '4.0', 'default0/INBOX', '*', 'con://6/1') },
  { weight: 3, arbitrary: queryPart },
);

describe('fuzz: module API', () => {
  let server: FuzzServer | undefined;

  before(async () => {
    server = await startFuzzServer();
  });

  after(async () => {
    await stopAndScanLog(server);
  });

  test('random modules, actions and parameters with valid and invalid sessions answer client errors with stable codes', async (t) => {
    const fuzz = server!;
    // Mostly real module/action pairs, sometimes any module with any action (chain() was slow here).
    const pairs = Object.entries(ACTIONS).flatMap(([module, actions]) => actions.map((action): [string, string] => [module, action]));
    const anyModule = fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...Object.keys(ACTIONS)) }, { weight: 1, arbitrary: queryPart });
    const anyAction = fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...pairs.map(([, action]) => action)) }, { weight: 1, arbitrary: queryPart });
    const moduleAction = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...pairs) }, { weight: 1, arbitrary: fc.tuple(anyModule, anyAction) });
    const session = fc.oneof({ weight: 3, arbitrary: fc.constant(fuzz.session.id) }, { weight: 2, arbitrary: queryPart }, { weight: 1, arbitrary: fc.stringMatching(/^[a-f0-9]{32}$/) });
    const target = fc.tuple(moduleAction, fc.option(session, { nil: undefined }), fc.array(fc.tuple(fc.constantFrom(...PARAM_NAMES), paramValue), { maxLength: 5 }))
      .chain(([[module, action], id, params]) => queryString(fc.constantFrom(...PARAM_NAMES), fc.constant([['action', action], ...(id === undefined ? [] : [['session', id] as [string, string]]), ...params] as Array<[string, string]>))
        .map((query) => `${API}/${module}${query}`));

    const contact = fc.record({
      folder_id: fc.oneof(fc.constant('6'), fc.constant('1'), anyText),
      display_name: anyText,
      email1: anyText,
      first_name: fc.oneof(anyText, fc.integer(), fc.constant(null)),
      id: fc.oneof(fc.constant('1'), anyText, fc.integer()),
    }, { requiredKeys: [] });
    const bodies = body(fc.oneof(contact, fc.array(fc.record({ id: anyText, folder: anyText }, { requiredKeys: [] }), { maxLength: 3 })));

    const requests: fc.Arbitrary<FuzzRequest> = fc.record({
      method: fc.oneof({ weight: 3, arbitrary: fc.constant('GET') }, { weight: 2, arbitrary: fc.constant('PUT') }, { weight: 2, arbitrary: method }),
      target,
      contentType: fc.oneof({ weight: 3, arbitrary: fc.constant('application/json') }, { weight: 2, arbitrary: contentType }),
      cookie: fc.oneof({ weight: 3, arbitrary: fc.constant(fuzz.session.cookie) }, { weight: 2, arbitrary: cookieHeader(() => fuzz.session.cookie) }),
      body: bodies,
      chunked: fc.boolean(),
      extra: extraHeaders,
    }).map((r) => assemble({ method: r.method, target: r.target, headers: { ...r.extra, 'content-type': r.contentType, cookie: r.cookie }, body: r.body, chunked: r.chunked }));

    await fuzzWithMemoryCheck(t, { name: 'module API', server: fuzz, requests, rules: { style: 'action' }, seed: SEED, runs: 250 });
  });
});
