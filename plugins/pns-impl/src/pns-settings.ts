// The com.openexchange.pns.* properties pns-impl reads (server scope), with the original defaults.
import type { ConfigService } from '@keel/plugin-sdk';

export interface PnsSettings {
  /** How long a notification waits in the buffer for identical ones (ms). 0 delivers at once. */
  delayDuration: number;
  /** The latest a buffered notification is delivered after it first arrived (ms). */
  maxDelayDuration: number;
  /** How often the buffer is checked for due notifications (ms). */
  timerFrequency: number;
  /** Concurrent delivery tasks ("threads" in the original). */
  numProcessorThreads: number;
  /** Pending delivery tasks before the caller has to do the work itself. */
  maxProcessorTasks: number;
  /** Subscriptions per (user, transport, client); 0 = no limit. */
  maxSubscriptionsPerClient: number;
  /** How often expired subscriptions are deleted (ms). */
  subscriptionCleanupInterval: number;
}

export const PNS_PROPERTY = {
  delayDuration: 'com.openexchange.pns.delayDuration',
  maxDelayDuration: 'com.openexchange.pns.maxDelayDuration',
  timerFrequency: 'com.openexchange.pns.timerFrequency',
  numProcessorThreads: 'com.openexchange.pns.numProcessorThreads',
  maxProcessorTasks: 'com.openexchange.pns.maxProcessorTasks',
  maxSubscriptionsPerClient: 'com.openexchange.pns.maxSubscriptionsPerClient',
  subscriptionCleanupInterval: 'com.openexchange.pns.subscriptionCleanupInterval',
} as const;

export function readPnsSettings(config: ConfigService): PnsSettings {
  const number = (name: string, fallback: number, min: number): number => {
    const value = config.getNumber(name, fallback);
    if (value < min) {
      const source = config.sourceOf(name);
      throw new Error(`Property ${name}=${value}${source ? ` (${source})` : ''} must be at least ${min}`);
    }
    return value;
  };
  const delayDuration = number(PNS_PROPERTY.delayDuration, 1000, 0);
  return {
    delayDuration,
    // A cap below the delay would make the delay meaningless; keep the cap at least the delay.
    maxDelayDuration: Math.max(delayDuration, number(PNS_PROPERTY.maxDelayDuration, 10_000, 0)),
    timerFrequency: number(PNS_PROPERTY.timerFrequency, 500, 1),
    numProcessorThreads: number(PNS_PROPERTY.numProcessorThreads, 10, 1),
    maxProcessorTasks: number(PNS_PROPERTY.maxProcessorTasks, 65_536, 1),
    maxSubscriptionsPerClient: number(PNS_PROPERTY.maxSubscriptionsPerClient, 0, 0),
    subscriptionCleanupInterval: number(PNS_PROPERTY.subscriptionCleanupInterval, 3_600_000, 1000),
  };
}
