// The placeholders of bind templates and user-search filters: [login], [uid], [domain], [mail].
import type { ContactCaller } from '@keel/plugin-sdk';

export interface LoginValues {
  login: string;
  uid: string;
  domain: string;
  mail?: string;
}

export function loginValues(caller: ContactCaller, mail?: string): LoginValues {
  const login = caller.loginName ?? '';
  const at = login.lastIndexOf('@');
  return { login, uid: at < 0 ? login : login.slice(0, at), domain: at < 0 ? '' : login.slice(at + 1), ...(mail !== undefined ? { mail } : {}) };
}

/** Replaces placeholders with `escape(value)`; an unknown value (no mail) leaves the result undefined. */
export function fillTemplate(template: string, values: LoginValues, escape: (value: string) => string): string | undefined {
  let missing = false;
  const filled = template.replace(/\[(login|uid|domain|mail)\]/g, (_, name: keyof LoginValues) => {
    const value = values[name];
    if (value === undefined || value === '') {
      missing = true;
      return '';
    }
    return escape(value);
  });
  return missing ? undefined : filled;
}

export function templateNeedsMail(template: string): boolean {
  return template.includes('[mail]');
}
