import { authenticatorRef, defineBundle, type Authenticator } from '@keel/plugin-sdk';
import { parseAccounts, verifyPassword } from './accounts-file.js';

/**
 * Asked before the database authenticator (ranking 100): logins listed in acme-accounts.yml get a
 * definite answer here; every other login is "not mine" and goes on down the chain.
 */
export default defineBundle({
  provides: [authenticatorRef],
  start({ register, config, logger }) {
    let accounts = parseAccounts(config.yaml('acme-accounts.yml'));
    const unsubscribe = config.onReload(() => {
      accounts = parseAccounts(config.yaml('acme-accounts.yml'));
      logger.info({ accounts: accounts.size }, 'accounts file re-read');
    });
    const authenticator: Authenticator = {
      name: 'acme-file',
      async authenticate({ login, password }) {
        const account = accounts.get(login.toLowerCase());
        if (!account) return { outcome: 'not-mine' };
        if (!verifyPassword(password, account.hash)) return { outcome: 'failure', reason: 'wrong password' };
        return { outcome: 'success', contextId: account.contextId, userId: account.userId };
      },
    };
    register(authenticatorRef, authenticator, { ranking: 100 });
    logger.info({ accounts: accounts.size }, 'acme file authentication ready');
    return unsubscribe;
  },
});
