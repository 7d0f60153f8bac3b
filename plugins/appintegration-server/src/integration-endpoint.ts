// The HTTP handler MailStore talks to: checks in the order method → credentials → body → command.
import type { AuthenticationService, ContextService, HttpHandler, HttpRequest, Logger, UserService } from '@keel/plugin-sdk';
import { parseBasicCredentials } from './basic-credentials.js';
import type { EndpointSettings } from './endpoint-settings.js';
import { contextUnavailable, credentialsRequired, methodNotAllowed, missingCommand, missingParameter, notAForm, unknownCommand } from './errors.js';
import type { AccountDirectory, IntegrationAccount } from './integration-accounts.js';
import { checkPassword } from './password-check.js';
import { JSON_CONTENT_TYPE, writeUserList } from './user-list-stream.js';

export interface EndpointDependencies {
  /** Read per request: a config reload replaces both. */
  accounts: () => AccountDirectory;
  settings: () => EndpointSettings;
  authentication: AuthenticationService;
  users: UserService;
  contexts: ContextService;
  logger: Logger;
}

const FORM_TYPE = 'application/x-www-form-urlencoded';

function mediaTypeOf(request: HttpRequest): string | undefined {
  const header = request.headers['content-type'];
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(';')[0]!.trim().toLowerCase();
}

/** The form fields; the HTTP layer parses form bodies into a plain object of strings. */
function formOf(request: HttpRequest): Record<string, string> {
  const contentType = request.headers['content-type'];
  if (mediaTypeOf(request) !== FORM_TYPE) throw notAForm(Array.isArray(contentType) ? contentType[0] : contentType);
  const body = request.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, string>) : {};
}

export function createIntegrationHandler(deps: EndpointDependencies): HttpHandler {
  const { logger } = deps;

  async function accountOf(request: HttpRequest): Promise<IntegrationAccount> {
    const { realm } = deps.settings();
    const credentials = parseBasicCredentials(request.headers['authorization']);
    // A request without credentials is how HTTP clients discover the realm: not worth a warning.
    if (credentials === undefined) throw credentialsRequired(realm, 'no credentials were sent');
    const account = await deps.accounts().authenticate(credentials.login, credentials.password);
    if (account === undefined) {
      logger.warn({ login: credentials.login, address: request.ip }, 'Application Integration request with a wrong login or password');
      throw credentialsRequired(realm, 'wrong login or password');
    }
    return account;
  }

  return async (request, reply) => {
    if (request.method !== 'POST') throw methodNotAllowed(request.method);
    const account = await accountOf(request);
    const form = formOf(request);
    const cmd = form['cmd'];
    if (cmd === undefined || cmd === '') throw missingCommand();

    switch (cmd.trim().toLowerCase()) {
      case 'list': {
        if ((await deps.contexts.get(account.contextId)) === undefined) throw contextUnavailable(account.name, account.contextId);
        const settings = deps.settings();
        const users = deps.users.stream(account.contextId, settings.listBatchSize)[Symbol.asyncIterator]();
        // The first batch is read before the status line, so a failing directory still gets a JSON error.
        const first = await users.next();
        const started = performance.now();
        const result = await writeUserList(reply.raw(), first, users, { includeDisabled: settings.listDisabledUsers, logger });
        logger.info({ account: account.name, contextId: account.contextId, listed: result.count, complete: result.complete, ms: Math.round(performance.now() - started) }, 'cmd=list answered');
        return undefined;
      }
      case 'auth': {
        const user = form['user'];
        const pass = form['pass'];
        if (user === undefined) throw missingParameter('user', 'auth');
        if (pass === undefined) throw missingParameter('pass', 'auth');
        const answer = await checkPassword(deps.authentication, account, { user, pass, address: request.ip }, logger);
        reply.status(200).header('content-type', JSON_CONTENT_TYPE).header('cache-control', 'no-store');
        if (answer.retryAfter !== undefined) reply.header('retry-after', answer.retryAfter);
        return { succeeded: answer.succeeded };
      }
      default:
        throw unknownCommand(cmd);
    }
  };
}
