// cmd=list: the context's users as one JSON array, written while it is read from the directory.
import type { ServerResponse } from 'node:http';
import type { Logger, User } from '@keel/plugin-sdk';
import { distinguishedNameOf } from './distinguished-name.js';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** What MailStore reads per user. */
export interface ListedUser {
  userName: string;
  distinguishedName: string;
  fullName: string;
  emailAddresses: string[];
}

export function listedUser(user: User): ListedUser {
  return {
    userName: user.login,
    distinguishedName: distinguishedNameOf(user),
    fullName: user.displayName,
    emailAddresses: [user.email, ...user.aliases].filter((address) => address !== ''),
  };
}

/** Bytes collected before a write: fewer, larger writes, still far from holding the whole list. */
const CHUNK_BYTES = 64 * 1024;

/** Resolves when the response can take more data, or when the client went away (then `destroyed` is set). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export interface ListStreamResult {
  count: number;
  /** False when the client disconnected or the directory failed half-way. */
  complete: boolean;
}

/**
 * Writes `[`, each user, `]` with backpressure: when the socket's buffer is full the directory is not
 * read further until it drains, so memory stays at one directory batch plus one chunk whatever the
 * context's size. `users` must already have produced its first element (`first`), so that a directory
 * that fails at once still gets a proper JSON error rather than a broken 200.
 */
export async function writeUserList(
  res: ServerResponse,
  first: IteratorResult<User>,
  rest: AsyncIterator<User>,
  options: { includeDisabled: boolean; logger: Logger },
): Promise<ListStreamResult> {
  res.writeHead(200, { 'content-type': JSON_CONTENT_TYPE, 'cache-control': 'no-store' });
  let chunk = '[';
  let count = 0;
  let next = first;
  try {
    while (!next.done) {
      const user = next.value;
      if (user.enabled || options.includeDisabled) {
        chunk += (count === 0 ? '' : ',') + JSON.stringify(listedUser(user));
        count++;
        if (chunk.length >= CHUNK_BYTES) {
          const more = res.write(chunk);
          chunk = '';
          if (!more) await drained(res);
          if (res.destroyed) {
            // Stops the directory query too (the generator's finally runs).
            await rest.return?.();
            options.logger.info({ listed: count }, 'cmd=list: the client closed the connection before the list was complete');
            return { count, complete: false };
          }
        }
      }
      next = await rest.next();
    }
  } catch (error) {
    // The status line is gone: cut the connection so the client sees a broken answer, never a short list.
    options.logger.error({ listed: count, err: { message: (error as Error).message } }, 'cmd=list: reading the directory failed half-way; connection closed');
    res.destroy();
    return { count, complete: false };
  }
  res.end(`${chunk}]`);
  return { count, complete: true };
}
