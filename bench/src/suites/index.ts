import type { BenchResult } from '../measure.js';
import { run as kernelBoot } from './kernel-boot.js';
import { run as lookups } from './lookups.js';
import { run as apns } from './apns.js';
import { run as appintegration } from './appintegration.js';
import { run as cluster } from './cluster.js';
import { run as contactsLdap } from './contacts-ldap.js';
import { run as login } from './login.js';
import { run as metrics } from './metrics.js';
import { run as pnsWebsocket } from './pns-websocket.js';
import { run as pushDovecot } from './push-dovecot.js';
import { run as pushImapidle } from './push-imapidle.js';
import { run as webhooks } from './webhooks.js';

export interface Suite { name: string; run(): Promise<BenchResult[]> }

/** Every suite `npm run bench` runs, in order. Add yours here. */
export const suites: Suite[] = [
  { name: 'lookups', run: lookups },
  { name: 'kernel-boot', run: kernelBoot },
  { name: 'login', run: login },
  { name: 'metrics', run: metrics },
  { name: 'pns-websocket', run: pnsWebsocket },
  { name: 'webhooks', run: webhooks },
  { name: 'apns', run: apns },
  { name: 'contacts-ldap', run: contactsLdap },
  { name: 'appintegration', run: appintegration },
  { name: 'push-dovecot', run: pushDovecot },
  { name: 'push-imapidle', run: pushImapidle },
  { name: 'cluster', run: cluster },
];
