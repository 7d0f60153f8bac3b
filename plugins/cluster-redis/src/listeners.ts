import type { Logger } from '@keel/plugin-sdk';

/** A set of change listeners; one failing listener is logged and does not stop the others. */
export class Listeners<A extends unknown[] = []> {
  readonly #listeners = new Set<(...args: A) => void>();

  constructor(private readonly logger: Logger, private readonly what: string) {}

  add(listener: (...args: A) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  fire(...args: A): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(...args);
      } catch (error) {
        this.logger.error({ err: { message: (error as Error).message } }, `a ${this.what} listener failed`);
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
