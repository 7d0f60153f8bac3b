import type { AuthenticationService, HttpReply, HttpRequest, HttpService, Session, UserService } from '@keel/plugin-sdk';
import { missingLoginFields } from './errors.js';
import type { SessionServiceImpl } from './session-service.js';
import type { SessionSettings } from './session-settings.js';

export interface LoginModuleOptions {
  http: HttpService;
  sessions: SessionServiceImpl;
  auth: AuthenticationService;
  settings: () => SessionSettings;
  /** For the user's locale, when a directory is there. */
  users: () => UserService | undefined;
}

const DEFAULT_LOCALE = 'en_US';

function field(request: HttpRequest, name: string): string | undefined {
  const body = request.body;
  if (typeof body === 'object' && body !== null) {
    const value = (body as Record<string, unknown>)[name];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

function header(request: HttpRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The answer of a successful login, top-level like the original (no `data` envelope). */
function sendLoginAnswer(reply: HttpReply, body: Record<string, unknown>): void {
  const response = reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-store').raw();
  response.end(JSON.stringify(body));
}

/**
 * The `login` module (`login`, `logout`) and `session?action=whoami`, which tells a client whose
 * session it holds (and lets tests use a session without any other module).
 */
export function registerLoginModule(options: LoginModuleOptions): void {
  const { http, sessions, auth } = options;

  http.action({
    module: 'login',
    action: 'login',
    methods: ['POST'],
    async handler(request, reply) {
      // Credentials only from the body: never from the query string, which ends up in access logs.
      const name = field(request, 'name');
      const password = field(request, 'password');
      if (name === undefined || name.trim() === '' || password === undefined || password === '') throw missingLoginFields();
      const settings = options.settings();
      const client = field(request, 'client') ?? request.query['client'] ?? settings.defaultClient;
      const userAgent = header(request, 'user-agent');
      const user = await auth.authenticate({ login: name, password, ip: request.ip, client });
      const session = await sessions.create({
        contextId: user.contextId,
        userId: user.userId,
        loginName: name.trim(),
        client,
        ip: request.ip,
        password,
        ...(userAgent !== undefined ? { userAgent } : {}),
      });
      const secure = settings.secureCookie || header(request, 'x-forwarded-proto') === 'https';
      reply.setCookie(sessions.cookieName(session), session.secret, { path: '/', httpOnly: true, sameSite: 'lax', secure });
      const locale = (await options.users()?.get(user.contextId, user.userId))?.attributes['locale'] ?? DEFAULT_LOCALE;
      sendLoginAnswer(reply, {
        session: session.sessionId,
        user: session.loginName,
        user_id: session.userId,
        context_id: session.contextId,
        locale,
        requires_multifactor: false,
      });
    },
  });

  http.action({
    module: 'login',
    action: 'logout',
    methods: ['GET', 'POST'],
    async handler(request, reply) {
      const session = await sessions.validate(request.query['session'], request.cookies);
      await sessions.remove(session.sessionId, 'logout');
      reply.clearCookie(sessions.cookieName(session), { path: '/' });
      return undefined;
    },
  });

  http.action({
    module: 'session',
    action: 'whoami',
    methods: ['GET'],
    async handler(request) {
      return describe(await sessions.validate(request.query['session'], request.cookies));
    },
  });
}

function describe(session: Session): Record<string, unknown> {
  return {
    session: session.sessionId,
    user: session.loginName,
    user_id: session.userId,
    context_id: session.contextId,
    client: session.client,
    created: session.createdAt,
    last_active: session.lastActiveAt,
  };
}
