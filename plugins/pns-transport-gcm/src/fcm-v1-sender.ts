import { abortableDelay, backoffMillis, briefErrorMessage, retryAfterMillis, type HttpsAnswer, type HttpsExchange, type PushMatch } from '@keel/plugin-sdk';
import type { DeliveryEvents } from './delivery-events.js';
import { gcmError } from './errors.js';
import type { FcmMessage } from './fcm-message.js';
import type { ServiceAccount } from './gcm-options.js';
import type { GcmSettings } from './gcm-settings.js';
import type { AccessTokenSource } from './oauth-access-token.js';

type Verdict = 'delivered' | 'dead' | 'refresh-token' | 'retry' | 'rejected';

interface FcmErrorBody {
  error?: {
    code?: number;
    status?: string;
    message?: string;
    details?: Array<{ '@type'?: string; errorCode?: string; fieldViolations?: Array<{ field?: string }> }>;
  };
}

/**
 * FCM HTTP v1 answers: UNREGISTERED (404), and INVALID_ARGUMENT (400) whose BadRequest details
 * blame `message.token`, mean the token is dead; 401 asks for a fresh access token; 429
 * QUOTA_EXCEEDED, 500 INTERNAL and 503 UNAVAILABLE are retried; anything else (SENDER_ID_MISMATCH,
 * INVALID_ARGUMENT about the payload, THIRD_PARTY_AUTH_ERROR …) is logged, not retried.
 */
export function v1Verdict(answer: HttpsAnswer): { verdict: Verdict; reason: string } {
  if (answer.status === 200) return { verdict: 'delivered', reason: 'OK' };
  let body: FcmErrorBody = {};
  try {
    body = JSON.parse(answer.body) as FcmErrorBody;
  } catch {
    // A proxy's HTML page: judged by the status alone.
  }
  const details = body.error?.details ?? [];
  const errorCode = details.find((d) => typeof d.errorCode === 'string')?.errorCode ?? body.error?.status ?? '';
  const blamesToken = details.some((d) => d.fieldViolations?.some((v) => v.field === 'message.token'));
  const reason = errorCode || `HTTP ${answer.status}`;
  if (errorCode === 'UNREGISTERED') return { verdict: 'dead', reason };
  if (errorCode === 'INVALID_ARGUMENT' && blamesToken) return { verdict: 'dead', reason: `${reason} (message.token)` };
  if (answer.status === 401 || errorCode === 'UNAUTHENTICATED') return { verdict: 'refresh-token', reason };
  if (answer.status === 429 || answer.status >= 500 || errorCode === 'QUOTA_EXCEEDED' || errorCode === 'UNAVAILABLE' || errorCode === 'INTERNAL') return { verdict: 'retry', reason };
  return { verdict: 'rejected', reason };
}

export function createFcmV1Sender(deps: {
  client: string;
  account: ServiceAccount;
  settings: () => GcmSettings;
  http: HttpsExchange;
  tokens: AccessTokenSource;
  message: FcmMessage;
  events: DeliveryEvents;
  signal: AbortSignal;
}) {
  const { client, message, events, signal } = deps;
  const url = `${deps.settings().fcmUrl}/v1/projects/${encodeURIComponent(deps.account.projectId)}/messages:send`;

  function body(token: string): string {
    const android = { priority: message.priority === 'high' ? 'HIGH' : 'NORMAL', ttl: `${deps.settings().timeToLiveSeconds}s` };
    return JSON.stringify({ message: { token, data: message.data, android } });
  }

  async function pushOne(match: PushMatch): Promise<void> {
    const settings = deps.settings();
    const policy = { maxRetries: settings.maxRetries, baseMillis: settings.retryBaseMillis, maxMillis: settings.retryMaxMillis };
    for (let attempt = 1; ; attempt++) {
      let verdict: Verdict;
      let reason: string;
      let status = 0;
      let waitAtLeast: number | undefined;
      let generation: number | undefined;
      try {
        const accessToken = await deps.tokens.get();
        generation = accessToken.generation;
        const answer = await deps.http.post(url, { authorization: `Bearer ${accessToken.value}`, 'content-type': 'application/json; charset=UTF-8' }, body(match.token));
        ({ verdict, reason } = v1Verdict(answer));
        status = answer.status;
        waitAtLeast = retryAfterMillis(answer.headers);
      } catch (error) {
        if (signal.aborted) return;
        verdict = 'retry';
        reason = briefErrorMessage(error);
      }
      if (verdict === 'delivered') return events.delivered(1);
      if (verdict === 'dead') return events.dead(match, reason);
      if (verdict === 'rejected') return events.failed([match], gcmError('PNS-GCM-0004', { client, status, reason }));
      if (attempt > policy.maxRetries) return events.failed([match], gcmError('PNS-GCM-0005', { client, attempts: attempt, detail: reason }));
      events.retrying(1, reason);
      if (verdict === 'refresh-token') {
        if (generation !== undefined) deps.tokens.invalidate(generation);
        continue;
      }
      if (!(await abortableDelay(backoffMillis(policy, attempt, waitAtLeast), signal))) return;
    }
  }

  /** One access token before fanning out, so a broken credential is reported once and not per device. */
  async function tokenReady(matches: readonly PushMatch[]): Promise<boolean> {
    const settings = deps.settings();
    const policy = { maxRetries: settings.maxRetries, baseMillis: settings.retryBaseMillis, maxMillis: settings.retryMaxMillis };
    for (let attempt = 1; ; attempt++) {
      try {
        await deps.tokens.get();
        return true;
      } catch (error) {
        if (signal.aborted) return false;
        if (attempt > policy.maxRetries) {
          events.failed(matches, error as ReturnType<typeof gcmError>);
          return false;
        }
        events.retrying(matches.length, briefErrorMessage(error));
        if (!(await abortableDelay(backoffMillis(policy, attempt), signal))) return false;
      }
    }
  }

  return {
    async send(matches: readonly PushMatch[]): Promise<void> {
      if (await tokenReady(matches)) await Promise.all(matches.map(pushOne));
    },
  };
}
