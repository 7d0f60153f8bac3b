import type { KeelError, PushMatch } from '@keel/plugin-sdk';

/** How a sender reports what happened to its matches; the transport counts, logs and removes. */
export interface DeliveryEvents {
  delivered(count: number): void;
  /** The device is gone (UNREGISTERED, NotRegistered, InvalidRegistration): remove its subscriptions. */
  dead(match: PushMatch, why: string): Promise<void>;
  /** Given up (rejected, or retries exhausted): logged once for the whole group. */
  failed(matches: readonly PushMatch[], error: KeelError): void;
  /** Attempts about to be repeated. */
  retrying(count: number, detail: string): void;
}

/** Sends one FCM message to a client's matches, retrying within the configured bounds. */
export interface FcmSender {
  send(matches: readonly PushMatch[]): Promise<void>;
}
