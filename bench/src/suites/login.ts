import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { contextServiceRef, defineBundle, userServiceRef, type ConfigCascade } from '@keel/plugin-sdk';
import { loadBundles, startTestKernel } from '@keel/plugin-sdk/testing';
import { asyncOpsPerSecond, opsPerSecond, percentile, result, type BenchResult } from '../measure.js';

/** The cost parameters storage-sql hashes with; the baseline verifies with the same. */
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function scryptVerify(password: string, salt: Buffer, expected: Buffer): Promise<boolean> {
  return new Promise((resolve, reject) => scrypt(password, salt, expected.length, SCRYPT, (error, key) => (error ? reject(error) : resolve(timingSafeEqual(key, expected)))));
}

/**
 * Logins per second over HTTP with auth-database (scrypt-hashed passwords in SQLite), next to the
 * bare scrypt verify with the same cost; cascade views for a (user, context), cold and cached.
 */
export async function run(): Promise<BenchResult[]> {
  // A one-line bundle hands over the kernel's cascade, the way any bundle receives it.
  let cascade: ConfigCascade | undefined;
  const probe = defineBundle({ start: (ctx) => void (cascade = ctx.cascade) });
  const keel = await startTestKernel({
    bundles: { ...(await loadBundles('storage-sql', 'auth', 'auth-database', 'sessiond')), probe },
    properties: { 'keel.auth.maxFailures': '1000000', 'com.openexchange.sessiond.maxSessionPerUser': '1000000' },
  });
  try {
    const contexts = keel.get(contextServiceRef)!;
    const users = keel.get(userServiceRef)!;
    const context = await contexts.create({ name: 'bench', loginMappings: ['bench.example'] });
    const user = await users.create(context.id, { login: 'alice', password: 'bench-password', displayName: 'Alice', email: 'alice@bench.example' });
    await users.setConfig(context.id, user.id, { set: { 'com.openexchange.bench.user': 'true' } });
    await contexts.setConfig(context.id, { set: { 'com.openexchange.bench.context': 'true' } });

    const body = new URLSearchParams({ name: 'alice@bench.example', password: 'bench-password' }).toString();
    const login = async () => {
      const response = await fetch(`${keel.url}/appsuite/api/login?action=login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
    };
    await login();
    const http = await asyncOpsPerSecond(login, { durationMs: 3000, concurrency: 4 });

    const salt = randomBytes(16);
    const expected = await new Promise<Buffer>((resolve, reject) => scrypt('bench-password', salt, 32, SCRYPT, (e, k) => (e ? reject(e) : resolve(k))));
    const bare = await asyncOpsPerSecond(() => scryptVerify('bench-password', salt, expected), { durationMs: 3000, concurrency: 4 });

    const results = [
      result('auth', 'logins/s over HTTP (auth-database, scrypt N=16384)', http.rate, 'ops/s', 'higher', { name: 'bare scrypt verify', value: bare.rate }, `p99 ${percentile(http.latencies, 99).toFixed(1)} ms`),
    ];
    const loaded = cascade as ConfigCascade | undefined;
    if (loaded) {
      const cascade = loaded;
      const subject = { contextId: context.id, userId: user.id };
      const cold = await asyncOpsPerSecond(async () => {
        cascade.invalidate(subject);
        (await cascade.view(subject)).get('com.openexchange.bench.user');
      }, { durationMs: 1500, concurrency: 1 });
      const cached = await asyncOpsPerSecond(async () => { (await cascade.view(subject)).get('com.openexchange.bench.user'); }, { durationMs: 1500, concurrency: 1 });
      const view = await cascade.view(subject);
      const viewGet = opsPerSecond((i) => view.get(i % 2 ? 'com.openexchange.bench.user' : 'com.openexchange.bench.context'));
      const map = new Map([['com.openexchange.bench.user', 'true'], ['com.openexchange.bench.context', 'true']]);
      const mapGet = opsPerSecond((i) => map.get(i % 2 ? 'com.openexchange.bench.user' : 'com.openexchange.bench.context'));
      results.push(
        result('config', 'cascade view (user, context), cold: load scopes from SQLite + get', cold.rate, 'ops/s', 'higher', { name: 'Map.get', value: mapGet }),
        result('config', 'cascade view (user, context), cached + get', cached.rate, 'ops/s', 'higher', { name: 'Map.get', value: mapGet }),
        result('config', 'lookup on a loaded (user, context) view', viewGet, 'ops/s', 'higher', { name: 'Map.get', value: mapGet }),
      );
    }
    return results;
  } finally {
    await keel.stop();
  }
}
