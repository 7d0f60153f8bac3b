import { contextServiceRef, userServiceRef } from '@keel/plugin-sdk';
import { loadBundles, startTestKernel } from '@keel/plugin-sdk/testing';
import { generatePeopleLdif, slapdSkipReason, startSlapd } from '@keel/test/harness';
import { Client, FilterParser } from 'ldapts';
import { percentile, result, type BenchResult } from '../measure.js';

const ENTRIES = 10_000;
const PAGE = 500;
const WARMUP = 30;
const ROUNDS = 300;

/** user1000 … user9999: each pattern matches one or two entries (user1000 also finds user10000). */
const patternOf = (i: number) => `user${1000 + ((i * 7919) % 9000)}`;

/**
 * `contacts?action=search` in the LDAP global address book (10,000 entries, private slapd) over
 * HTTP with session checks, routing, cascade lookup, the pooled paged LDAP search and JSON, next
 * to the same search (same filter, attributes and page size) made directly with ldapts. The two
 * run interleaved, one at a time, so both see the same machine.
 */
export async function run(): Promise<BenchResult[]> {
  const skip = slapdSkipReason();
  if (skip !== undefined) {
    process.stderr.write(`contacts-ldap search skipped: ${skip}\n`);
    return [];
  }
  const slapd = await startSlapd({ ldif: generatePeopleLdif(ENTRIES) });
  const base = 'ou=people,dc=example,dc=com';
  const keel = await startTestKernel({
    bundles: await loadBundles('storage-sql', 'auth', 'auth-database', 'sessiond', 'contacts-sql', 'contacts', 'contacts-ldap'),
    properties: { 'com.openexchange.contacts.ldap.accounts': 'corp' },
    files: {
      'ldap-client-config.yml': `connections:\n  corp:\n    hosts: ["${slapd.url}"]\n    pool: { size: 4 }\n    bind: { mode: anonymous }\n`,
      'contacts-ldap.yml': `providers:\n  corp:\n    connection: corp\n    maxPageSize: ${PAGE}\n    folders: { mode: static, static: [{ id: "6", name: Directory, base: "${base}", scope: one, filter: "(objectClass=inetOrgPerson)" }] }\n`,
    },
    startTimeoutMs: 30_000,
  });
  const direct = new Client({ url: slapd.url, timeout: 10_000 });
  try {
    const context = await keel.get(contextServiceRef)!.create({ name: 'bench', loginMappings: ['bench.example'] });
    await keel.get(userServiceRef)!.create(context.id, { login: 'alice', password: 'bench-password', displayName: 'Alice', email: 'alice@bench.example' });
    const login = await fetch(`${keel.url}/appsuite/api/login?action=login`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ name: 'alice@bench.example', password: 'bench-password' }),
    });
    const session = String(((await login.json()) as { session: string }).session);
    const cookie = login.headers.getSetCookie().map((line) => line.split(';')[0]!).find((pair) => pair.startsWith('open-xchange-secret-'))!;

    const viaHttp = async (i: number) => {
      const response = await fetch(`${keel.url}/appsuite/api/contacts?action=search&folder=6&columns=1,500,555&session=${session}&pattern=${patternOf(i)}`, { headers: { cookie } });
      const body = (await response.json()) as { data?: unknown[] };
      if (!response.ok || !Array.isArray(body.data) || body.data.length === 0) throw new Error(`search ${patternOf(i)} answered ${response.status} ${JSON.stringify(body)}`);
    };
    // What contacts-ldap sends for the default mapping: the folder filter AND the pattern over the name and mail attributes.
    const attributes = ['displayName', 'cn', 'givenName', 'sn', 'o', 'departmentNumber', 'ou', 'title', 'description', 'labeledURI', 'mail', 'modifyTimestamp', 'telephoneNumber', 'mobile', 'homePhone', 'facsimileTelephoneNumber', 'street', 'l', 'postalCode', 'st'];
    const viaLdapts = async (i: number) => {
      const p = patternOf(i);
      const filter = FilterParser.parseString(`(&(objectClass=inetOrgPerson)(|(displayName=${p}*)(cn=${p}*)(givenName=${p}*)(sn=${p}*)(mail=${p}*)))`);
      let found = 0;
      for await (const page of direct.searchPaginated(base, { scope: 'one', filter, attributes, paged: { pageSize: PAGE } })) found += page.searchEntries.length;
      if (found === 0) throw new Error(`ldapts found nothing for ${p}`);
    };

    for (let i = 0; i < WARMUP; i++) {
      await viaHttp(i);
      await viaLdapts(i);
    }
    const http: number[] = [];
    const ldap: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      let start = performance.now();
      await viaHttp(i);
      http.push(performance.now() - start);
      start = performance.now();
      await viaLdapts(i);
      ldap.push(performance.now() - start);
    }
    const note = `${ENTRIES.toLocaleString('en')} entries, ${ROUNDS} sequential searches, 1–2 hits each`;
    return [
      result('contacts', 'contacts?action=search over LDAP, p50', percentile(http, 50), 'ms', 'lower', { name: 'ldapts search p50', value: percentile(ldap, 50) }, note),
      result('contacts', 'contacts?action=search over LDAP, p99', percentile(http, 99), 'ms', 'lower', { name: 'ldapts search p99', value: percentile(ldap, 99) }, note),
    ];
  } finally {
    await direct.unbind().catch(() => undefined);
    await keel.stop();
    await slapd.stop();
  }
}
