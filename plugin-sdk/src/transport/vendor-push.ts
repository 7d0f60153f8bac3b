import type { ConfigCascade, ConfigView } from '../contracts/cascade.js';
import type { Logger } from '../contracts/logger.js';
import type { PushMatch, SubscriptionStore } from '../contracts/pns.js';

/**
 * The matches whose client the transport can serve and whose cascade switch
 * (`<switchName>[.<client>[.<topic>]]`) is on for their user; off unless `fallback`. Each user's
 * view is loaded once per call however many of their devices match.
 */
export async function enabledMatches(options: {
  cascade: ConfigCascade;
  switchName: string;
  fallback: boolean;
  matches: readonly PushMatch[];
  servesClient(client: string): boolean;
}): Promise<PushMatch[]> {
  const views = new Map<string, Promise<ConfigView>>();
  const decisions = await Promise.all(options.matches.map(async (match) => {
    if (!options.servesClient(match.client)) return false;
    const key = `${match.contextId}/${match.userId}`;
    let view = views.get(key);
    if (view === undefined) views.set(key, (view = options.cascade.view({ contextId: match.contextId, userId: match.userId })));
    return (await view).switchFor(options.switchName, options.fallback, match.client, match.topic);
  }));
  return options.matches.filter((_, index) => decisions[index]);
}

/**
 * Removes the subscriptions of a token the vendor reported dead (unregistered app, expired
 * channel) and logs it; errors are logged, never thrown. Returns how many subscriptions went.
 * `what` names the token in log lines (`APNs device token`), `fields` identify it without
 * revealing it (client, a shortened label).
 */
export async function removeDeadToken(options: {
  store: SubscriptionStore | undefined;
  transport: string;
  token: string;
  why: string;
  what: string;
  fields: Record<string, unknown>;
  logger: Logger;
}): Promise<number> {
  const { store, logger, what, why, fields } = options;
  if (store === undefined) {
    logger.warn({ ...fields, why }, `a dead ${what} was reported, but no subscription store is registered to remove it`);
    return 0;
  }
  try {
    const removed = await store.removeToken(options.transport, options.token);
    logger.info({ ...fields, why, removed }, `removed the subscription of a dead ${what}`);
    return removed;
  } catch (error) {
    logger.error({ ...fields, err: error }, `could not remove a dead ${what}`);
    return 0;
  }
}

/** Enough of a device token to tell devices apart in the log, not enough to push to them. */
export function tokenLabel(token: string): string {
  return token.length <= 8 ? '…' : `${token.slice(0, 8)}…`;
}
