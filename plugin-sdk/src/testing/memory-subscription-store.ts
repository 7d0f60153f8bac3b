import { topicMatches, type PushMatch, type PushSubscription, type SubscriptionStore } from '../index.js';

/**
 * The test's own subscription store: a complete, small in-memory implementation of the contract
 * that also records which dead tokens the transport asked it to remove.
 */
export class MemorySubscriptionStore implements SubscriptionStore {
  readonly subscriptions: PushSubscription[] = [];
  readonly removedTokens: Array<{ transport: string; token: string }> = [];

  async subscribe(subscription: PushSubscription): Promise<void> {
    const index = this.subscriptions.findIndex((s) => sameKey(s, subscription));
    if (index >= 0) this.subscriptions[index] = subscription;
    else this.subscriptions.push(subscription);
  }

  async unsubscribe(key: { contextId: number; userId: number; client: string; transport: string; token?: string }): Promise<number> {
    return this.removeWhere((s) => s.contextId === key.contextId && s.userId === key.userId && s.client === key.client
      && s.transport === key.transport && (key.token === undefined || s.token === key.token));
  }

  async removeToken(transport: string, token: string): Promise<number> {
    this.removedTokens.push({ transport, token });
    return this.removeWhere((s) => s.transport === transport && s.token === token);
  }

  async interested(contextId: number, userIds: readonly number[], topic: string): Promise<PushMatch[]> {
    const now = Date.now();
    return this.subscriptions
      .filter((s) => s.contextId === contextId && userIds.includes(s.userId) && (s.expires === undefined || s.expires > now) && s.topics.some((t) => topicMatches(t, topic)))
      .map((s) => ({ contextId, userId: s.userId, token: s.token, client: s.client, transport: s.transport, topic, ...(s.meta ? { meta: s.meta } : {}) }));
  }

  async list(contextId: number, userId: number): Promise<PushSubscription[]> {
    return this.subscriptions.filter((s) => s.contextId === contextId && s.userId === userId);
  }

  private removeWhere(predicate: (s: PushSubscription) => boolean): number {
    let removed = 0;
    for (let i = this.subscriptions.length - 1; i >= 0; i--) {
      if (predicate(this.subscriptions[i]!)) {
        this.subscriptions.splice(i, 1);
        removed++;
      }
    }
    return removed;
  }
}

function sameKey(a: PushSubscription, b: PushSubscription): boolean {
  return a.contextId === b.contextId && a.userId === b.userId && a.token === b.token && a.client === b.client;
}
