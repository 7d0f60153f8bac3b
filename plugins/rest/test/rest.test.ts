import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defineBundle, restAuthRef } from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import rest from '../src/index.js';

/** A REST endpoint behind the guard, the way push-dovecot uses it. */
const endpoint = defineBundle({
  requires: { restAuth: restAuthRef },
  start({ services, http }) {
    http.route({
      method: ['GET', 'PUT'],
      path: '/rest/probe',
      handler: async (request) => {
        await services.restAuth.verify(request);
        return { success: true };
      },
    });
  },
});

const basic = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

async function call(kernel: TestKernel, authorization?: string) {
  const response = await fetch(`${kernel.url}/rest/probe`, { headers: authorization === undefined ? {} : { authorization } });
  return { status: response.status, authenticate: response.headers.get('www-authenticate'), body: (await response.json()) as Record<string, unknown> };
}

describe('rest: Basic auth guard', () => {
  let configured: TestKernel;
  let unconfigured: TestKernel;
  let halfConfigured: TestKernel;

  before(async () => {
    configured = await startTestKernel({
      bundles: { rest, endpoint },
      properties: { 'com.openexchange.rest.services.basic-auth.login': 'dovecot', 'com.openexchange.rest.services.basic-auth.password': 'pa:ss' },
    });
    unconfigured = await startTestKernel({ bundles: { rest, endpoint } });
    halfConfigured = await startTestKernel({ bundles: { rest, endpoint }, properties: { 'com.openexchange.rest.services.basic-auth.login': 'dovecot' } });
  });

  after(async () => {
    await Promise.all([configured?.stop(), unconfigured?.stop(), halfConfigured?.stop()]);
  });

  it('the right credentials pass', async () => {
    assert.deepEqual(await call(configured, basic('dovecot', 'pa:ss')), { status: 200, authenticate: null, body: { success: true } });
  });

  it('missing, wrong or malformed credentials: 401 with WWW-Authenticate', async () => {
    for (const authorization of [undefined, basic('dovecot', 'wrong'), basic('other', 'pa:ss'), basic('', ''), 'Basic %%%', 'Bearer x']) {
      const answer = await call(configured, authorization);
      assert.equal(answer.status, 401, String(authorization));
      assert.equal(answer.authenticate, 'Basic realm="OX REST"');
      assert.equal(answer.body['code'], 'REST-0002');
    }
  });

  it('no credentials configured: 403 for every call, naming the properties', async () => {
    for (const authorization of [undefined, basic('dovecot', 'pa:ss'), basic('', '')]) {
      const answer = await call(unconfigured, authorization);
      assert.equal(answer.status, 403);
      assert.equal(answer.body['code'], 'REST-0001');
      assert.match(String(answer.body['error']), /com\.openexchange\.rest\.services\.basic-auth\.login and com\.openexchange\.rest\.services\.basic-auth\.password/);
    }
  });

  it('only a login configured: still 403, naming the password property', async () => {
    const answer = await call(halfConfigured, basic('dovecot', ''));
    assert.equal(answer.status, 403);
    assert.match(String(answer.body['error']), /basic-auth\.password not configured/);
  });
});
