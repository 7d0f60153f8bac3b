import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ConfigService } from '@keel/plugin-sdk';
import { invalidSetting } from './errors.js';

/** How emits reach other nodes: per-room sharded channels (only nodes holding the room get them), one pattern channel for all, or none. */
export type AdapterMode = 'sharded' | 'classic' | 'none';

export interface ClusterSettings {
  redisUrl: string;
  nodeId: string;
  heartbeatMs: number;
  memberTtlMs: number;
  /** Prefix of every key and channel, so several installations can share one Redis. */
  prefix: string;
  connectTimeoutMs: number;
  /** This node may run permanent mail push listeners. */
  permanentPush: boolean;
  adapter: AdapterMode;
  /** Safety expiry of a session in Redis; sessiond removes idle and expired sessions long before. */
  sessionTtlMs: number;
  credentials: { enabled: boolean; rdb: boolean; passcrypt: string | undefined };
}

export const URL_PROPERTY = 'keel.cluster.redis.url';
export const NODE_ID_PROPERTY = 'keel.cluster.nodeId';
export const ADAPTER_PROPERTY = 'keel.cluster.socketio.adapter';
export const PASSCRYPT_PROPERTY = 'com.openexchange.push.credstorage.passcrypt';

const NODE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function positive(config: ConfigService, name: string, fallback: number): number {
  const value = config.getNumber(name, fallback);
  if (value <= 0) throw invalidSetting(name, String(value), 'a positive number of milliseconds is required', config.sourceOf(name));
  return value;
}

export function readClusterSettings(config: ConfigService): ClusterSettings {
  const redisUrl = config.getString(URL_PROPERTY, 'redis://127.0.0.1:6379');
  if (!/^rediss?:\/\//.test(redisUrl)) throw invalidSetting(URL_PROPERTY, redisUrl, 'a redis:// or rediss:// URL is required', config.sourceOf(URL_PROPERTY));
  const nodeId = config.get(NODE_ID_PROPERTY)?.trim() || `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  if (!NODE_ID.test(nodeId)) throw invalidSetting(NODE_ID_PROPERTY, nodeId, 'letters, digits and . _ : - only (at most 128)', config.sourceOf(NODE_ID_PROPERTY));
  const heartbeatMs = positive(config, 'keel.cluster.heartbeatMs', 1000);
  const memberTtlMs = positive(config, 'keel.cluster.memberTtlMs', 3000);
  if (memberTtlMs < 2 * heartbeatMs) {
    throw invalidSetting('keel.cluster.memberTtlMs', String(memberTtlMs), `at least twice keel.cluster.heartbeatMs (${heartbeatMs}), or a slow heartbeat looks like a death`, config.sourceOf('keel.cluster.memberTtlMs'));
  }
  const adapter = config.getString(ADAPTER_PROPERTY, 'sharded');
  if (adapter !== 'sharded' && adapter !== 'classic' && adapter !== 'none') {
    throw invalidSetting(ADAPTER_PROPERTY, adapter, 'sharded, classic or none', config.sourceOf(ADAPTER_PROPERTY));
  }
  const passcrypt = config.get(PASSCRYPT_PROPERTY);
  return {
    redisUrl,
    nodeId,
    heartbeatMs,
    memberTtlMs,
    prefix: config.getString('keel.cluster.prefix', 'keel:'),
    connectTimeoutMs: positive(config, 'keel.cluster.redis.connectTimeoutMs', 5000),
    permanentPush: config.getBoolean('com.openexchange.push.allowPermanentPush', true),
    adapter,
    sessionTtlMs: positive(config, 'keel.cluster.sessionTtlMs', 7 * 86_400_000 + 3_600_000),
    credentials: {
      enabled: config.getBoolean('com.openexchange.push.credstorage.enabled', false),
      rdb: config.getBoolean('com.openexchange.push.credstorage.rdb', false),
      passcrypt: passcrypt === undefined || passcrypt === '' ? undefined : passcrypt,
    },
  };
}
