import type { ConfigService } from '@keel/plugin-sdk';
import { badMailServer } from './errors.js';
import { parseMailServer, type MailServer } from './mail-server-url.js';

export const MAIL_SERVER_PROPERTY = 'com.openexchange.mail.mailServer';

/** User attributes read when the server or the IMAP login is per user. */
export const USER_SERVER_ATTRIBUTE = 'mail/imapServer';
export const USER_LOGIN_ATTRIBUTE = 'mail/imapLogin';

export interface MailSettings {
  mailServerSource: 'global' | 'user';
  /** The parsed `com.openexchange.mail.mailServer`. */
  mailServer: MailServer;
  loginSource: 'login' | 'mail' | 'name';
  passwordSource: 'session' | 'global';
  masterPassword: string | undefined;
  authProxyDelimiter: string | undefined;
  /** The master user for `user<delimiter>master` logins (`keel.mail.masterLogin`). */
  masterLogin: string | undefined;
  maxConnections: number;
  /** How long a caller waits for a free connection slot. */
  acquireTimeoutMs: number;
  connectTimeoutMs: number;
  greetingTimeoutMs: number;
  socketTimeoutMs: number;
  rejectUnauthorized: boolean;
}

function oneOf<T extends string>(config: ConfigService, name: string, allowed: readonly T[], fallback: T): T {
  const value = config.getString(name, fallback).trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(value)) {
    throw badMailServer(`${name}=${value} (${config.sourceOf(name) ?? 'config'}) is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function positive(config: ConfigService, name: string, fallback: number): number {
  const value = config.getNumber(name, fallback);
  if (value <= 0) throw badMailServer(`${name}=${value} (${config.sourceOf(name) ?? 'config'}) must be positive`);
  return value;
}

export function readMailSettings(config: ConfigService): MailSettings {
  const nonEmpty = (name: string) => {
    const value = config.get(name);
    return value === undefined || value === '' ? undefined : value;
  };
  const settings: MailSettings = {
    mailServerSource: oneOf(config, 'com.openexchange.mail.mailServerSource', ['global', 'user'], 'global'),
    mailServer: parseMailServer(config.getString(MAIL_SERVER_PROPERTY, 'imap://127.0.0.1:143'), MAIL_SERVER_PROPERTY),
    loginSource: oneOf(config, 'com.openexchange.mail.loginSource', ['login', 'mail', 'name'], 'login'),
    passwordSource: oneOf(config, 'com.openexchange.mail.passwordSource', ['session', 'global'], 'session'),
    masterPassword: nonEmpty('com.openexchange.mail.masterPassword'),
    authProxyDelimiter: nonEmpty('com.openexchange.mail.authProxyDelimiter'),
    masterLogin: nonEmpty('keel.mail.masterLogin'),
    maxConnections: positive(config, 'keel.mail.maxConnections', 100),
    acquireTimeoutMs: positive(config, 'keel.mail.acquireTimeout', 10_000),
    connectTimeoutMs: positive(config, 'keel.mail.connectTimeout', 10_000),
    greetingTimeoutMs: positive(config, 'keel.mail.greetingTimeout', 10_000),
    socketTimeoutMs: positive(config, 'keel.mail.socketTimeout', 60_000),
    rejectUnauthorized: config.getBoolean('keel.mail.tls.rejectUnauthorized', true),
  };
  if (settings.passwordSource === 'global' && settings.masterPassword === undefined) {
    throw badMailServer('com.openexchange.mail.passwordSource=global needs com.openexchange.mail.masterPassword');
  }
  if (settings.passwordSource === 'global' && settings.authProxyDelimiter !== undefined && settings.masterLogin === undefined) {
    throw badMailServer('com.openexchange.mail.authProxyDelimiter with passwordSource=global needs keel.mail.masterLogin (the master user of the user<delimiter>master login)');
  }
  return settings;
}
