import type { ConfigService } from '@keel/plugin-sdk';

export const LOGIN_PROPERTY = 'com.openexchange.rest.services.basic-auth.login';
export const PASSWORD_PROPERTY = 'com.openexchange.rest.services.basic-auth.password';

export interface RestSettings {
  login: string | undefined;
  password: string | undefined;
  /** The properties that are not set (empty counts as not set); non-empty means REST is off. */
  missing: string[];
}

export function readRestSettings(config: ConfigService): RestSettings {
  const value = (name: string) => {
    const raw = config.get(name);
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const login = value(LOGIN_PROPERTY);
  const password = value(PASSWORD_PROPERTY);
  const missing = [...(login === undefined ? [LOGIN_PROPERTY] : []), ...(password === undefined ? [PASSWORD_PROPERTY] : [])];
  return { login, password, missing };
}
