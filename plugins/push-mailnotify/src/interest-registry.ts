import type { PushUser } from '@keel/plugin-sdk';

/**
 * Users with a running mailnotify listener, indexed by the mailbox names their packets may carry.
 * Only these users are notified; a packet costs one map lookup, never a directory query.
 */
export class InterestRegistry {
  private readonly byName = new Map<string, Set<string>>();
  private readonly users = new Map<string, { user: PushUser; refs: number; names: string[] }>();

  static keyOf(user: PushUser): string {
    return `${user.contextId}:${user.userId}`;
  }

  /** Adds one listener of `user`; returns its release function (idempotent). */
  add(user: PushUser, names: readonly string[]): () => void {
    const key = InterestRegistry.keyOf(user);
    const entry = this.users.get(key);
    if (entry === undefined) {
      this.users.set(key, { user: { contextId: user.contextId, userId: user.userId }, refs: 1, names: [] });
      this.index(key, names);
    } else {
      entry.refs++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const current = this.users.get(key);
      if (current === undefined || --current.refs > 0) return;
      this.remove(current.user);
    };
  }

  /** Replaces the names of a registered user (its addresses or login changed). */
  update(user: PushUser, names: readonly string[]): void {
    const key = InterestRegistry.keyOf(user);
    if (this.users.has(key)) this.index(key, names);
  }

  /** Forgets a user whatever its listener count (the user was deleted). */
  remove(user: PushUser): void {
    const key = InterestRegistry.keyOf(user);
    this.index(key, []);
    this.users.delete(key);
  }

  has(user: PushUser): boolean {
    return this.users.has(InterestRegistry.keyOf(user));
  }

  /** Registered users of a context (optionally one user), for directory changes. */
  inContext(contextId: number, userId?: number): PushUser[] {
    return [...this.users.values()].map((e) => e.user).filter((u) => u.contextId === contextId && (userId === undefined || u.userId === userId));
  }

  match(name: string): PushUser[] {
    const keys = this.byName.get(name.toLowerCase());
    if (keys === undefined) return [];
    return [...keys].map((key) => this.users.get(key)!.user);
  }

  get size(): number {
    return this.users.size;
  }

  private index(key: string, names: readonly string[]): void {
    const entry = this.users.get(key);
    if (entry === undefined) return;
    for (const name of entry.names) {
      const keys = this.byName.get(name);
      keys?.delete(key);
      if (keys?.size === 0) this.byName.delete(name);
    }
    entry.names = [...new Set(names.map((n) => n.toLowerCase()))];
    for (const name of entry.names) {
      let keys = this.byName.get(name);
      if (keys === undefined) this.byName.set(name, (keys = new Set()));
      keys.add(key);
    }
  }
}
