import { loadBundle } from '@keel/plugin-sdk/testing';

/** Sibling bundles are loaded by name from plugins/<name>, as the kernel would find them. */
export { loadBundle };

export function basic(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  /** The body exactly as sent. */
  text: string;
}

/** A request the way MailStore sends one: POST, form body, Basic credentials. */
export async function mailstore(url: string, form: string, options: { authorization?: string; contentType?: string | null; method?: string } = {}): Promise<RawAnswer> {
  const headers: Record<string, string> = {};
  if (options.authorization !== undefined) headers['authorization'] = options.authorization;
  if (options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/x-www-form-urlencoded';
  const method = options.method ?? 'POST';
  const response = await fetch(url, { method, headers, ...(method === 'GET' || method === 'HEAD' ? {} : { body: form }) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A POST through node:http, which (unlike fetch) can send a body without any Content-Type. */
export async function rawPost(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
