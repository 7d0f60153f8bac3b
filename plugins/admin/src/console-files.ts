import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpReply, HttpRequest, HttpService } from '@keel/plugin-sdk';
import { unknownConsoleFile } from './errors.js';

export const CONSOLE_PATH = '/admin/console';

/**
 * The admin package's own folder, found from this module (`dist/src/console-files.js`) rather than
 * from the bundle record, whose directory is the config root for bundles loaded inline (tests).
 */
export const PACKAGE_DIRECTORY = fileURLToPath(new URL('../..', import.meta.url));

export interface ConsoleFile {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

/**
 * The pages hold no data (every figure comes from `/admin/v1` with the master admin's credentials),
 * so they are served without authentication. Scripts only from this origin and no inline code:
 * the console builds its DOM with createElement, never with HTML strings.
 */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // Names are not content-hashed: revalidate every time (cheap, with the ETag).
  'cache-control': 'no-cache',
};

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Compiled console modules: `dist/console/<name>.js`, nothing else from that folder. */
const SCRIPT_NAME = /^[a-z][a-z0-9-]*\.js$/;

/**
 * Reads the console once at start into a fixed table: the hand-written page and style sheet from
 * `console/static`, the compiled modules from `dist/console`. Requests are answered from this table
 * by exact name, so no request path ever reaches the file system and `..` cannot go anywhere.
 * Empty when the console was not built (the admin API works without it).
 */
export async function loadConsoleFiles(bundleDirectory = PACKAGE_DIRECTORY): Promise<Map<string, ConsoleFile>> {
  const files = new Map<string, ConsoleFile>();
  const add = async (name: string, path: string) => {
    const body = await readFile(path);
    const extension = name.slice(name.lastIndexOf('.'));
    files.set(name, { body, type: TYPES[extension] ?? 'application/octet-stream', etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  };
  const scripts = await readdir(join(bundleDirectory, 'dist', 'console')).catch(() => undefined);
  if (scripts === undefined) return files;
  for (const name of scripts.filter((entry) => SCRIPT_NAME.test(entry)).sort()) await add(name, join(bundleDirectory, 'dist', 'console', name));
  for (const name of ['index.html', 'console.css']) await add(name, join(bundleDirectory, 'console', 'static', name));
  return files;
}

/**
 * `GET /admin/console/` and `/admin/console/<file>`. The router ignores trailing slashes, so one
 * route answers both `/admin/console` and `/admin/console/`; the first is redirected because the
 * page's relative URLs (`main.js`, `../v1/`) only resolve from the folder. The route is declared
 * without the slash: the core router cannot replace a route declared with one when the bundle
 * restarts ('already declared').
 */
export function registerConsoleRoutes(http: HttpService, files: ReadonlyMap<string, ConsoleFile>): void {
  http.route({
    method: 'GET',
    path: CONSOLE_PATH,
    handler: (request, reply) => {
      if (!request.path.endsWith('/')) {
        reply.status(308).header('location', `${CONSOLE_PATH}/`);
        return undefined;
      }
      return serve(files, 'index.html', request, reply);
    },
  });
  http.route({ method: 'GET', path: `${CONSOLE_PATH}/:file`, handler: (request, reply) => serve(files, request.params['file'] ?? '', request, reply) });
}

export function serve(files: ReadonlyMap<string, ConsoleFile>, name: string, request: Pick<HttpRequest, 'headers'>, reply: HttpReply): Buffer | undefined {
  const file = files.get(name);
  if (file === undefined) throw unknownConsoleFile(name.slice(0, 80));
  for (const [header, value] of Object.entries(CONSOLE_HEADERS)) reply.header(header, value);
  reply.header('etag', file.etag);
  if (request.headers['if-none-match'] === file.etag) {
    reply.status(304);
    return undefined;
  }
  reply.header('content-type', file.type);
  return file.body;
}
