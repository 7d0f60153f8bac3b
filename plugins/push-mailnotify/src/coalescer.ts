import type { PushUser } from '@keel/plugin-sdk';

/**
 * One notification per user and window: the first packet opens a window of `delayMs`, later ones
 * inside it are absorbed, and when it closes `emit` runs once.
 */
export interface Coalescer {
  /** Returns false when the packet was absorbed by an open window. */
  schedule(user: PushUser): boolean;
  readonly pending: number;
  /** Drops every open window without emitting (bundle stop). */
  close(): void;
}

export function createCoalescer(delayMs: number, emit: (user: PushUser) => void): Coalescer {
  const windows = new Map<string, NodeJS.Timeout>();
  return {
    schedule(user) {
      const key = `${user.contextId}:${user.userId}`;
      if (windows.has(key)) return false;
      windows.set(key, setTimeout(() => {
        windows.delete(key);
        emit(user);
      }, delayMs));
      return true;
    },
    get pending() {
      return windows.size;
    },
    close() {
      for (const timer of windows.values()) clearTimeout(timer);
      windows.clear();
    },
  };
}
