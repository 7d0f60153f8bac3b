// After a directory change commits: the cascade forgets the subject, then the SDK hooks fire.
import { directoryChangedHook, userDeletedHook, userPasswordChangedHook, type BundleHooks, type ConfigCascade, type Logger } from '@keel/plugin-sdk';

export interface DirectoryEvents {
  contextChanged(contextId: number): Promise<void>;
  userChanged(contextId: number, userId: number): Promise<void>;
  /** One or many users deleted (a context deletion removes all of them). */
  usersDeleted(contextId: number, userIds: readonly number[]): Promise<void>;
  passwordChanged(contextId: number, userId: number, password: string): Promise<void>;
}

/**
 * The change is committed when these run, so a failing listener cannot undo it: its error is
 * logged and the caller still gets its answer.
 */
export function createDirectoryEvents(hooks: BundleHooks, cascade: ConfigCascade, logger: Logger): DirectoryEvents {
  async function fire(what: string, subject: { contextId: number; userId?: number }, call: () => Promise<void>): Promise<void> {
    try {
      await call();
    } catch (error) {
      logger.error({ err: error, ...subject }, `a ${what} listener failed; the change itself is stored`);
    }
  }

  return {
    async contextChanged(contextId) {
      cascade.invalidate({ contextId });
      await fire('directory.changed', { contextId }, () => hooks.get(directoryChangedHook).promise({ contextId }));
    },
    async userChanged(contextId, userId) {
      cascade.invalidate({ contextId, userId });
      await fire('directory.changed', { contextId, userId }, () => hooks.get(directoryChangedHook).promise({ contextId, userId }));
    },
    async usersDeleted(contextId, userIds) {
      for (const userId of userIds) {
        cascade.invalidate({ contextId, userId });
        await fire('directory.user-deleted', { contextId, userId }, () => hooks.get(userDeletedHook).promise({ contextId, userId }));
        await fire('directory.changed', { contextId, userId }, () => hooks.get(directoryChangedHook).promise({ contextId, userId }));
      }
    },
    async passwordChanged(contextId, userId, password) {
      await fire('directory.user-password-changed', { contextId, userId }, () => hooks.get(userPasswordChangedHook).promise({ contextId, userId, password }));
    },
  };
}
