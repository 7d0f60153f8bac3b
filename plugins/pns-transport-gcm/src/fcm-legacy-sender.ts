import { abortableDelay, backoffMillis, briefErrorMessage, retryAfterMillis, type HttpsExchange, type PushMatch } from '@keel/plugin-sdk';
import type { DeliveryEvents } from './delivery-events.js';
import { gcmError } from './errors.js';
import type { FcmMessage } from './fcm-message.js';
import type { GcmSettings } from './gcm-settings.js';

/** The legacy API takes at most this many registration ids per request. */
export const LEGACY_BATCH = 1000;

/** Per-device errors: the token is dead, the device may be retried, or anything else (logged). */
const DEAD = new Set(['NotRegistered', 'InvalidRegistration', 'MissingRegistration']);
const RETRY = new Set(['Unavailable', 'InternalServerError']);

interface LegacyAnswer {
  results?: Array<{ message_id?: string; error?: string; registration_id?: string }>;
}

/**
 * The legacy FCM HTTP API: `POST <url>/fcm/send` with `Authorization: key=<server key>` and up to
 * 1000 `registration_ids` per request. The answer lists one result per id, in order; 5xx and 429
 * retry the whole batch (honouring Retry-After), per-device Unavailable/InternalServerError retry
 * only those devices, 401 means the server key was refused.
 */
export function createFcmLegacySender(deps: {
  client: string;
  serverKey: string;
  settings: () => GcmSettings;
  http: HttpsExchange;
  message: FcmMessage;
  events: DeliveryEvents;
  signal: AbortSignal;
}) {
  const { client, message, events, signal } = deps;
  const url = `${deps.settings().fcmUrl}/fcm/send`;

  async function sendBatch(batch: readonly PushMatch[]): Promise<void> {
    const settings = deps.settings();
    const policy = { maxRetries: settings.maxRetries, baseMillis: settings.retryBaseMillis, maxMillis: settings.retryMaxMillis };
    let pending = [...batch];
    for (let attempt = 1; pending.length > 0; attempt++) {
      const body = JSON.stringify({ registration_ids: pending.map((m) => m.token), data: message.data, priority: message.priority, time_to_live: settings.timeToLiveSeconds });
      let detail: string;
      let waitAtLeast: number | undefined;
      try {
        const answer = await deps.http.post(url, { authorization: `key=${deps.serverKey}`, 'content-type': 'application/json' }, body);
        waitAtLeast = retryAfterMillis(answer.headers);
        if (answer.status === 200) {
          const results = parseResults(answer.body, pending.length);
          if (results === undefined) {
            events.failed(pending, gcmError('PNS-GCM-0004', { client, status: 200, reason: 'unreadable answer (no results list)' }));
            return;
          }
          const again: PushMatch[] = [];
          const rejected = new Map<string, PushMatch[]>();
          let delivered = 0;
          await Promise.all(results.map(async (result, index) => {
            const match = pending[index]!;
            if (result.message_id !== undefined) delivered++;
            else if (result.error !== undefined && DEAD.has(result.error)) await events.dead(match, result.error);
            else if (result.error !== undefined && RETRY.has(result.error)) again.push(match);
            else rejected.set(result.error ?? 'no message id', [...(rejected.get(result.error ?? 'no message id') ?? []), match]);
          }));
          events.delivered(delivered);
          for (const [reason, matches] of rejected) events.failed(matches, gcmError('PNS-GCM-0004', { client, status: 200, reason }));
          pending = again;
          detail = 'Unavailable';
        } else if (answer.status === 429 || answer.status >= 500) {
          detail = `HTTP ${answer.status}`;
        } else {
          const reason = answer.status === 401 ? 'the server key was refused' : firstLine(answer.body);
          events.failed(pending, gcmError('PNS-GCM-0004', { client, status: answer.status, reason }));
          return;
        }
      } catch (error) {
        if (signal.aborted) return;
        detail = briefErrorMessage(error);
      }
      if (pending.length === 0) return;
      if (attempt > policy.maxRetries) {
        events.failed(pending, gcmError('PNS-GCM-0005', { client, attempts: attempt, detail }));
        return;
      }
      events.retrying(pending.length, detail);
      if (!(await abortableDelay(backoffMillis(policy, attempt, waitAtLeast), signal))) return;
    }
  }

  return {
    async send(matches: readonly PushMatch[]): Promise<void> {
      const batches: PushMatch[][] = [];
      for (let i = 0; i < matches.length; i += LEGACY_BATCH) batches.push(matches.slice(i, i + LEGACY_BATCH));
      await Promise.all(batches.map(sendBatch));
    },
  };
}

function parseResults(text: string, expected: number): NonNullable<LegacyAnswer['results']> | undefined {
  try {
    const results = (JSON.parse(text) as LegacyAnswer).results;
    return Array.isArray(results) && results.length === expected ? results : undefined;
  } catch {
    return undefined;
  }
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0]?.trim() ?? '';
  return line === '' ? '(empty answer)' : line.slice(0, 200);
}
