import { contextServiceRef, userServiceRef, type Context, type ContextService, type UserService } from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel, type TestKernelOptions } from '@keel/plugin-sdk/testing';

/** Sibling bundles are loaded by name from plugins/<name>, as the kernel would find them. */
import { loadBundle } from '@keel/plugin-sdk/testing';
export { loadBundle };

/** Polls until `probe` gives a value (bounded; only the outcome is asserted, never the time). */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, limitMs = 15_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface Login {
  session: string;
  /** `open-xchange-secret-<hash>=<secret>`, ready for a Cookie header. */
  cookie: string;
  contextId: number;
  userId: number;
}

/** Logs in over HTTP as the App Suite UI does. */
export async function login(url: string, name: string, password: string): Promise<Login> {
  const response = await fetch(`${url}/appsuite/api/login?action=login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'keel-websockets-test/1.0' },
    body: new URLSearchParams({ name, password, client: 'open-xchange-appsuite' }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200 || typeof body['session'] !== 'string') throw new Error(`login of ${name} failed: ${response.status} ${JSON.stringify(body)}`);
  const secret = response.headers.getSetCookie().map((line) => line.split(';')[0]!.trim()).find((pair) => pair.startsWith('open-xchange-secret-'));
  if (secret === undefined) throw new Error(`login of ${name} set no secret cookie`);
  return { session: body['session'], cookie: secret, contextId: Number(body['context_id']), userId: Number(body['user_id']) };
}

export async function logout(url: string, login: Login): Promise<void> {
  const response = await fetch(`${url}/appsuite/api/login?action=logout&session=${encodeURIComponent(login.session)}`, {
    method: 'POST',
    headers: { cookie: login.cookie, 'user-agent': 'keel-websockets-test/1.0' },
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`logout failed: ${response.status}`);
}

export interface Directory {
  kernel: TestKernel;
  contexts: ContextService;
  users: UserService;
  context: Context;
}

/**
 * The real kernel with the real storage (embedded SQLite in the test's data directory), auth,
 * auth-database and sessiond bundles, plus `bundles`; one context `example.com` with `users`
 * (login = name, password = `<name>-secret`). `options` go to the config directory.
 */
export async function startDirectoryKernel(
  bundles: TestKernelOptions['bundles'],
  users: readonly string[],
  options: Pick<TestKernelOptions, 'properties' | 'files'> = {},
): Promise<Directory> {
  const kernel = await startTestKernel({
    bundles: {
      'storage-sql': await loadBundle('storage-sql'),
      auth: await loadBundle('auth'),
      'auth-database': await loadBundle('auth-database'),
      sessiond: await loadBundle('sessiond'),
      ...bundles,
    },
    ...options,
  });
  try {
    const contexts = kernel.get(contextServiceRef)!;
    const userService = kernel.get(userServiceRef)!;
    const context = await contexts.create({ name: 'example', loginMappings: ['example.com'] });
    for (const name of users) {
      await userService.create(context.id, { login: name, password: `${name}-secret`, displayName: name, email: `${name}@example.com` });
    }
    return { kernel, contexts, users: userService, context };
  } catch (error) {
    await kernel.stop();
    throw error;
  }
}
