import type { CredentialCipher, Logger, Session } from '@keel/plugin-sdk';

/** A session as a Redis hash: `data` (JSON), `lastActiveAt` (touched on its own), `password` (sealed, optional). */
export type SessionFields = Record<string, string>;

export interface SessionCodec {
  encode(session: Session): Promise<SessionFields>;
  /** undefined for an empty (missing) hash or an unreadable one. */
  decode(fields: SessionFields, localPassword?: string): Promise<Session | undefined>;
}

/**
 * The password is never stored in clear: sealed with the passcrypt cipher when there is one,
 * otherwise not stored at all (it then stays in the memory of the node that created the session).
 */
export function createSessionCodec(cipher: CredentialCipher | undefined, logger: Logger): SessionCodec {
  let warned = false;
  return {
    async encode(session) {
      const { password, lastActiveAt, ...rest } = session;
      const fields: SessionFields = { data: JSON.stringify(rest), lastActiveAt: String(lastActiveAt) };
      if (password !== undefined && cipher !== undefined) fields['password'] = await cipher.encrypt(password);
      return fields;
    },
    async decode(fields, localPassword) {
      const data = fields['data'];
      if (data === undefined) return undefined;
      let session: Session;
      try {
        session = JSON.parse(data) as Session;
      } catch {
        return undefined;
      }
      session.lastActiveAt = Number(fields['lastActiveAt']) || session.createdAt;
      const sealed = fields['password'];
      if (sealed !== undefined && cipher !== undefined) {
        try {
          session.password = await cipher.decrypt(sealed);
        } catch (error) {
          if (!warned) logger.warn({ err: { message: (error as Error).message } }, 'a retained session password cannot be decrypted (passcrypt differs between members?)');
          warned = true;
        }
      } else if (localPassword !== undefined) {
        session.password = localPassword;
      }
      return session;
    },
  };
}
