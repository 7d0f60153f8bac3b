// Every action runs for the user of a validated session (session id plus its secret cookie).
import type { ContactCaller, HttpRequest, Session, SessionService } from '@keel/plugin-sdk';

export interface CallerOf {
  session: Session;
  caller: ContactCaller;
}

/** Throws SES-0203 (401) / SES-0205 (403) from the session service for a bad session. */
export async function callerOf(sessions: SessionService, request: HttpRequest): Promise<CallerOf> {
  const session = await sessions.validate(request.query['session'], request.cookies);
  const caller: ContactCaller = {
    contextId: session.contextId,
    userId: session.userId,
    loginName: session.loginName,
    ...(session.password !== undefined ? { password: session.password } : {}),
  };
  return { session, caller };
}
