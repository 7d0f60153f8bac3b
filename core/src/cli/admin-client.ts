import { CliError, type AdminClient } from '@keel/plugin-sdk';

/** Talks to a running server's admin API with the master credentials. */
export function createAdminClient(options: { url: string; login: string; password: string | undefined }): AdminClient {
  const baseUrl = options.url.replace(/\/+$/, '');
  return {
    baseUrl,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      if (options.password === undefined) {
        throw new CliError('Master admin password missing: pass -P <password> or set KEEL_MASTER_PASSWORD', 2);
      }
      const headers: Record<string, string> = {
        authorization: `Basic ${Buffer.from(`${options.login}:${options.password}`).toString('base64')}`,
      };
      if (body !== undefined) headers['content-type'] = 'application/json';
      let response: Response;
      try {
        response = await fetch(`${baseUrl}/admin/v1${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      } catch (error) {
        throw new CliError(`Cannot reach the Keel server at ${baseUrl} (${(error as Error).cause ? String((error as Error & { cause: Error }).cause.message) : (error as Error).message}); is it running? Use --url to point elsewhere.`, 3);
      }
      const text = await response.text();
      let parsed: unknown = undefined;
      if (text.length > 0) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      }
      if (!response.ok) {
        const error = parsed as { error?: string; code?: string } | undefined;
        const message = typeof error === 'object' && error?.error ? `${error.error}${error.code ? ` (${error.code})` : ''}` : `HTTP ${response.status}`;
        throw new CliError(message, response.status === 401 || response.status === 403 ? 4 : 1);
      }
      return parsed as T;
    },
    fetch(path: string, init?: RequestInit) {
      return fetch(`${baseUrl}${path}`, init);
    },
  };
}
