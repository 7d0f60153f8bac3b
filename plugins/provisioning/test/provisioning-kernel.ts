// The real kernel with storage-sql (embedded SQLite in the temp data dir), provisioning and a test AdminAuth.
import { adminAuthRef } from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import storageSql from '@keel/storage-sql/dist/src/index.js';
import provisioning from '../src/index.js';
import { MASTER, basicHeader, createTestAdminAuth } from './master-admin.js';

export async function startProvisioningKernel(): Promise<TestKernel> {
  const kernel = await startTestKernel({
    bundles: { 'storage-sql': storageSql, provisioning },
    services: [[adminAuthRef, createTestAdminAuth()]],
    startTimeoutMs: 20_000,
  });
  for (const name of ['storage-sql', 'provisioning']) {
    const info = kernel.bundle(name);
    if (info?.state !== 'ACTIVE') {
      await kernel.stop();
      throw new Error(`${name} did not start: ${info?.error?.message ?? info?.state}`);
    }
  }
  return kernel;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: any;
}

/** Calls the admin API as the master admin (or with the given Authorization header; null sends none). */
export async function api(
  kernel: TestKernel,
  method: string,
  path: string,
  body?: unknown,
  options: { authorization?: string | null; contentType?: string; raw?: string } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  const authorization = options.authorization === undefined ? basicHeader(MASTER.login, MASTER.password) : options.authorization;
  if (authorization !== null) headers['authorization'] = authorization;
  const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  if (payload !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(`${kernel.url}/admin/v1${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}
