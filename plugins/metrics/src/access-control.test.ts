import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKeelError, type ConfigService, type HttpRequest } from '@keel/plugin-sdk';
import { createAccessGuard, isAllowedAddress, parseBasic, parseNetworks, readAccessSettings } from './access-control.js';

function configOf(properties: Record<string, string>): ConfigService {
  return {
    get: (name: string) => properties[name],
    getList: (name: string, fallback: readonly string[] = []) => (name in properties ? properties[name]!.split(',').map((item) => item.trim()).filter((item) => item !== '') : [...fallback]),
    sourceOf: (name: string) => (name in properties ? 'config/metrics.properties:1' : undefined),
  } as unknown as ConfigService;
}

function requestFrom(ip: string, authorization?: string): HttpRequest {
  return { ip, headers: authorization === undefined ? {} : { authorization } } as unknown as HttpRequest;
}

const basic = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

function codeOf(run: () => void): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (isKeelError(error)) return error.code;
    throw error;
  }
}

describe('metrics access control', () => {
  it('allows loopback by default, IPv4 clients of dual-stack sockets included', () => {
    const { networks, credentials } = readAccessSettings(configOf({}));
    assert.equal(credentials, undefined);
    for (const address of ['127.0.0.1', '127.9.8.7', '::1', '::ffff:127.0.0.1']) assert.equal(isAllowedAddress(networks, address), true, address);
    for (const address of ['10.0.0.1', '::ffff:10.0.0.1', '::2', 'fd00::1', 'garbage', '']) assert.equal(isAllowedAddress(networks, address), false, address);
  });

  it('reads addresses and CIDR ranges of both families', () => {
    const networks = parseNetworks(['10.0.0.0/8', '192.0.2.7', 'fd00::/8', '2001:db8::1']);
    for (const address of ['10.200.1.1', '192.0.2.7', 'fd12::3', '2001:db8::1']) assert.equal(isAllowedAddress(networks, address), true, address);
    for (const address of ['11.0.0.1', '192.0.2.8', 'fe80::1', '2001:db8::2', '127.0.0.1']) assert.equal(isAllowedAddress(networks, address), false, address);
  });

  it('refuses an unusable entry, naming the property, its file and the entry', () => {
    for (const entry of ['10.0.0.0/33', 'example.com', '10.0.0.0/8/1', '10.0.0.0/', '::/129', '10.0.0.0/x']) {
      assert.throws(() => readAccessSettings(configOf({ 'keel.metrics.allowedNetworks': `127.0.0.1, ${entry}` })),
        new RegExp(`keel.metrics.allowedNetworks \\(config/metrics.properties:1\\): '${entry.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}' is neither`));
    }
  });

  it('wants login and password together', () => {
    assert.throws(() => readAccessSettings(configOf({ 'keel.metrics.login': 'prom' })), /keel.metrics.login .*set without keel.metrics.password/);
    assert.throws(() => readAccessSettings(configOf({ 'keel.metrics.password': 'pw' })), /keel.metrics.password .*set without keel.metrics.login/);
    assert.deepEqual(readAccessSettings(configOf({ 'keel.metrics.login': 'prom', 'keel.metrics.password': 'pw' })).credentials, { login: 'prom', password: 'pw' });
  });

  it('answers MET-0001 for an address outside the networks, before looking at credentials', () => {
    const guard = createAccessGuard(() => readAccessSettings(configOf({ 'keel.metrics.login': 'prom', 'keel.metrics.password': 'pw' })));
    assert.equal(codeOf(() => guard.verify(requestFrom('10.1.2.3', basic('prom', 'pw')))), 'MET-0001');
    assert.throws(() => guard.verify(requestFrom('10.1.2.3')), { status: 403, message: /^Address 10\.1\.2\.3 may not read metrics/ });
  });

  it('answers MET-0002 with WWW-Authenticate for missing or wrong credentials when configured', () => {
    const guard = createAccessGuard(() => readAccessSettings(configOf({ 'keel.metrics.login': 'prom', 'keel.metrics.password': 'pa:ss' })));
    assert.equal(codeOf(() => guard.verify(requestFrom('127.0.0.1'))), 'MET-0002');
    assert.equal(codeOf(() => guard.verify(requestFrom('127.0.0.1', basic('prom', 'wrong')))), 'MET-0002');
    assert.equal(codeOf(() => guard.verify(requestFrom('127.0.0.1', basic('other', 'pa:ss')))), 'MET-0002');
    assert.equal(codeOf(() => guard.verify(requestFrom('127.0.0.1', 'Bearer abc'))), 'MET-0002');
    assert.equal(codeOf(() => guard.verify(requestFrom('127.0.0.1', basic('prom', 'pa:ss')))), 'ok');
    assert.throws(() => guard.verify(requestFrom('127.0.0.1')), { status: 401, headers: { 'www-authenticate': 'Basic realm="Keel metrics", charset="UTF-8"' } });
    assert.equal(codeOf(() => createAccessGuard(() => readAccessSettings(configOf({}))).verify(requestFrom('::1'))), 'ok');
  });

  it('parseBasic: the password may contain colons; anything else is no credentials', () => {
    assert.deepEqual(parseBasic(basic('prom', 'a:b:c')), { login: 'prom', password: 'a:b:c' });
    assert.deepEqual(parseBasic([basic('a', 'b'), basic('c', 'd')]), { login: 'a', password: 'b' });
    for (const header of [undefined, 'Bearer x', 'Basic !!!', `Basic ${Buffer.from('nocolon').toString('base64')}`]) assert.equal(parseBasic(header), undefined);
  });
});
