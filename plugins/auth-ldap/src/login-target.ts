import type { Context, ContextService } from '@keel/plugin-sdk';
import type { TemplateValues } from './ldap-escape.js';

export interface LoginTarget {
  context: Context;
  values: TemplateValues;
}

/**
 * The context a login belongs to and the values the LDAP templates see. With a fixed context (setting
 * or `Credentials.contextId`) that context is used; `name@mapping` drops the `@mapping` when it is one of
 * the context's login mappings. Otherwise `name@mapping` picks the context with that login mapping and
 * `{login}` is `name`; anything else goes to the default context with `{login}` the whole input.
 */
export async function resolveLoginTarget(
  contexts: ContextService,
  input: string,
  fixed: { settingContextId?: number; requestContextId?: number },
): Promise<LoginTarget | undefined> {
  const at = input.lastIndexOf('@');
  const name = at > 0 ? input.slice(0, at) : input;
  const mapping = at > 0 ? input.slice(at + 1).toLowerCase() : '';
  const { settingContextId, requestContextId } = fixed;

  if (settingContextId !== undefined || requestContextId !== undefined) {
    if (settingContextId !== undefined && requestContextId !== undefined && settingContextId !== requestContextId) return undefined;
    const context = await contexts.get((requestContextId ?? settingContextId)!);
    if (context === undefined) return undefined;
    const strip = mapping !== '' && context.loginMappings.some((candidate) => candidate.toLowerCase() === mapping);
    return { context, values: { login: strip ? name : input, input } };
  }

  if (mapping !== '') {
    const context = await contexts.findByLoginMapping(mapping);
    if (context !== undefined) return { context, values: { login: name, input } };
  }
  const fallback = await contexts.defaultContext();
  return fallback === undefined ? undefined : { context: fallback, values: { login: input, input } };
}
