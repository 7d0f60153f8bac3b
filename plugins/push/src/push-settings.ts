import type { ConfigService } from '@keel/plugin-sdk';
import { createClientMatcher, DEFAULT_ALLOWED_CLIENTS, type ClientMatcher } from './allowed-clients.js';
import { passcryptMissing } from './errors.js';

export const PASSCRYPT_PROPERTY = 'com.openexchange.push.credstorage.passcrypt';

export interface PushSettings {
  allowPermanentPush: boolean;
  allowedClients: ClientMatcher;
  credstorage: { enabled: boolean; rdb: boolean; passcrypt: string | undefined };
  /** From com.openexchange.mail.*: whether the master password gives access without user passwords. */
  passwordSource: 'session' | 'global';
  masterPasswordSet: boolean;
  /** Membership changes are re-planned once they have been quiet this long… */
  replanDelayMs: number;
  /** …checked this often. */
  replanIntervalMs: number;
  /** How many listeners start at once (node start, re-plan). */
  startConcurrency: number;
}

function allowedClients(config: ConfigService): ClientMatcher {
  // The seed article calls it `allowedClient`; the plural is the property's real name and wins.
  for (const name of ['com.openexchange.push.allowedClients', 'com.openexchange.push.allowedClient']) {
    if (config.get(name) !== undefined) return createClientMatcher(config.getList(name));
  }
  return createClientMatcher(DEFAULT_ALLOWED_CLIENTS);
}

export function readPushSettings(config: ConfigService): PushSettings {
  const enabled = config.getBoolean('com.openexchange.push.credstorage.enabled', false);
  const passcrypt = config.get(PASSCRYPT_PROPERTY);
  if (enabled && (passcrypt === undefined || passcrypt === '')) throw passcryptMissing(PASSCRYPT_PROPERTY);
  const masterPassword = config.get('com.openexchange.mail.masterPassword');
  return {
    allowPermanentPush: config.getBoolean('com.openexchange.push.allowPermanentPush', true),
    allowedClients: allowedClients(config),
    credstorage: { enabled, rdb: config.getBoolean('com.openexchange.push.credstorage.rdb', false), passcrypt: enabled ? passcrypt : undefined },
    passwordSource: config.getString('com.openexchange.mail.passwordSource', 'session').trim().toLowerCase() === 'global' ? 'global' : 'session',
    masterPasswordSet: masterPassword !== undefined && masterPassword !== '',
    replanDelayMs: Math.max(0, config.getNumber('keel.push.replanDelay', 5000)),
    replanIntervalMs: Math.max(1, config.getNumber('keel.push.replanInterval', 2000)),
    startConcurrency: Math.max(1, config.getNumber('keel.push.startConcurrency', 4)),
  };
}
