import type { ConfigService } from '@keel/plugin-sdk';

export interface EndpointSettings {
  /** Where MailStore POSTs; with and without the trailing slash (property `keel.appintegration.path`). */
  path: string;
  /** The Basic realm announced with a 401. */
  realm: string;
  /** Whether cmd=list also lists disabled users (default false: MailStore only sees active accounts). */
  listDisabledUsers: boolean;
  /** Users read from the directory per query while streaming cmd=list. */
  listBatchSize: number;
}

export const DEFAULT_PATH = '/mailstore-integration/';

export function readEndpointSettings(config: ConfigService): EndpointSettings {
  const configured = config.getString('keel.appintegration.path', DEFAULT_PATH).trim();
  const path = `/${configured.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
  return {
    path,
    realm: config.getString('keel.appintegration.realm', 'Keel Application Integration'),
    listDisabledUsers: config.getBoolean('keel.appintegration.listDisabledUsers', false),
    listBatchSize: Math.min(Math.max(config.getNumber('keel.appintegration.listBatchSize', 1000), 1), 10_000),
  };
}
