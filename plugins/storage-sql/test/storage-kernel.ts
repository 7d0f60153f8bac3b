// Boots the real kernel with storage-sql and a probe bundle that records directory hooks.
import {
  configScopeProviderRef, contextServiceRef, databaseRef, defineBundle, directoryChangedHook, userDeletedHook, userPasswordChangedHook, userServiceRef,
  type ConfigCascade, type ContextService, type Database, type UserService,
} from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import storageSql from '../src/index.js';

export interface HookEvent {
  hook: 'changed' | 'deleted' | 'password';
  contextId: number;
  userId?: number;
  password?: string;
}

export interface StorageKernel {
  kernel: TestKernel;
  database: Database;
  contexts: ContextService;
  users: UserService;
  cascade: ConfigCascade;
  events: HookEvent[];
  stop(): Promise<void>;
}

export async function startStorageKernel(url: string, properties: Record<string, string> = {}): Promise<StorageKernel> {
  const events: HookEvent[] = [];
  let cascade: ConfigCascade | undefined;
  const probe = defineBundle({
    requires: { contexts: contextServiceRef, scopes: configScopeProviderRef },
    start(context) {
      cascade = context.cascade;
      context.hooks.get(directoryChangedHook).tapPromise('probe', async (event) => {
        events.push({ hook: 'changed', ...event });
      });
      context.hooks.get(userDeletedHook).tapPromise('probe', async (event) => {
        events.push({ hook: 'deleted', ...event });
      });
      context.hooks.get(userPasswordChangedHook).tapPromise('probe', async (event) => {
        events.push({ hook: 'password', ...event });
      });
    },
  });
  const kernel = await startTestKernel({
    bundles: { 'storage-sql': storageSql, probe },
    properties: { 'keel.database.url': url, ...properties },
    http: false,
    startTimeoutMs: 20_000,
  });
  const info = kernel.bundle('storage-sql');
  if (info?.state !== 'ACTIVE') {
    await kernel.stop();
    throw new Error(`storage-sql did not start: ${info?.error?.message ?? info?.state}`);
  }
  return {
    kernel,
    database: kernel.get(databaseRef)!,
    contexts: kernel.get(contextServiceRef)!,
    users: kernel.get(userServiceRef)!,
    cascade: cascade!,
    events,
    stop: () => kernel.stop(),
  };
}
