import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { createServiceRef, defineBundle, type DefinedBundle, type ServiceRef } from '@keel/plugin-sdk';
import { startTestKernel } from '@keel/plugin-sdk/testing';
import { chromium } from 'playwright-core';
import admin from '../src/index.js';
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing } from './support.js';

const MASTER = { login: 'oxadminmaster', password: 'graph-master' };
const WAIT = { timeout: 30_000 };
const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/admin-console/', import.meta.url));

const ref = (id: string, multiple = false): ServiceRef<object, boolean> =>
  multiple ? createServiceRef<object>({ id: `graph.${id}`, version: '1.0.0', multiple: true }) : createServiceRef<object>({ id: `graph.${id}`, version: '1.0.0' });

/**
 * A deployment shaped like Keel's own (~30 bundles: storage, directory, sessions, authentication,
 * five PNS transports, three push managers, contacts …), with stand-in bundles that only register
 * what they declare. Two are broken on purpose so the picture shows failure colours.
 */
function deploymentLike(): Record<string, DefinedBundle<any, any>> {
  const r = {
    database: ref('database'), users: ref('users'), sessions: ref('sessions'), authenticator: ref('authenticator', true), auth: ref('auth'),
    sockets: ref('sockets'), pns: ref('pns'), transport: ref('transport', true), push: ref('push'), manager: ref('manager', true),
    mail: ref('mail'), contactStorage: ref('contact-storage', true), contacts: ref('contacts'), cluster: ref('cluster'), rest: ref('rest'),
    appintegration: ref('appintegration'), provisioning: ref('provisioning'), nobody: ref('nobody-provides-this'),
  };
  const bundle = (provides: ServiceRef<object, boolean>[], requires: Record<string, ServiceRef<object, boolean>> = {}, optional: Record<string, ServiceRef<object, boolean>> = {}, fail = false) =>
    defineBundle({
      provides, requires, optional,
      start({ register }) {
        if (fail) throw new Error('stand-in failure for the picture');
        for (const provided of provides) register(provided, {});
      },
    });
  return {
    'storage-sql': bundle([r.database, r.users]),
    sessiond: bundle([r.sessions], { users: r.users }),
    auth: bundle([r.auth], { authenticators: r.authenticator, users: r.users }),
    'auth-database': bundle([r.authenticator], { users: r.users }),
    'auth-ldap': bundle([r.authenticator], { users: r.users }),
    'auth-appintegration': bundle([r.authenticator], { appintegration: r.appintegration }),
    'appintegration-server': bundle([r.appintegration], { sessions: r.sessions }),
    websockets: bundle([r.sockets], { sessions: r.sessions }),
    'pns-impl': bundle([r.pns], { database: r.database, sessions: r.sessions }, { transports: r.transport }),
    'pns-transport-apns': bundle([r.transport], { database: r.database }),
    'pns-transport-gcm': bundle([r.transport], { database: r.database }),
    'pns-transport-wns': bundle([r.transport], { database: r.database }),
    'pns-transport-webhooks': bundle([r.transport], { database: r.database }),
    'pns-transport-websockets': bundle([r.transport], { sockets: r.sockets }),
    push: bundle([r.push], { database: r.database, sessions: r.sessions }, { managers: r.manager, cluster: r.cluster }),
    'push-imapidle': bundle([r.manager], { push: r.push, mail: r.mail, pns: r.pns }),
    'push-dovecot': bundle([r.manager], { push: r.push, pns: r.pns }),
    'push-mailnotify': bundle([r.manager], { push: r.push, pns: r.pns }),
    'mail-imap': bundle([r.mail], { sessions: r.sessions }),
    'cluster-redis': bundle([r.cluster]),
    contacts: bundle([r.contacts], { storage: r.contactStorage, sessions: r.sessions }),
    'contacts-sql': bundle([r.contactStorage], { database: r.database }),
    'contacts-ldap': bundle([r.contactStorage], { users: r.users }),
    rest: bundle([r.rest], { sessions: r.sessions, contacts: r.contacts }),
    provisioning: bundle([r.provisioning], { users: r.users }),
    'metrics-exporter': bundle([], {}, { rest: r.rest }),
    'legacy-addon': bundle([], { missing: r.nobody }),
    'flaky-addon': bundle([], { sessions: r.sessions }, {}, true),
    'oauth-provider': bundle([], { sessions: r.sessions, users: r.users }),
  };
}

it('draws a deployment of 30 bundles readably: no overlaps, within the window, every name whole', async (t) => {
  const skip = chromiumMissing();
  if (skip !== undefined) return t.skip(skip);
  await mkdir(ARTIFACTS, { recursive: true });
  const kernel = await startTestKernel({ bundles: { ...deploymentLike(), admin }, files: { mpasswd: `${MASTER.login}:{PLAIN}${MASTER.password}\n` } });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const bundles = kernel.kernel.bundles();
    assert.equal(bundles.length, 30);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${kernel.url}/admin/console/#graph`);
    await page.fill('input[name=password]', MASTER.password);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('svg.graph', WAIT);

    const boxes = await page.$$eval('svg.graph g.node', (groups) => groups.map((g) => {
      const box = g.getBoundingClientRect();
      return { name: g.getAttribute('data-bundle') ?? '', label: g.querySelector('text')?.textContent ?? '', x: box.x, y: box.y, right: box.right, bottom: box.bottom };
    }));
    assert.equal(boxes.length, 30);
    for (const [i, a] of boxes.entries()) {
      assert.equal(a.label, a.name, 'names up to 24 characters are shown whole');
      for (const b of boxes.slice(i + 1)) {
        const apart = a.right <= b.x || b.right <= a.x || a.bottom <= b.y || b.bottom <= a.y;
        assert.ok(apart, `${a.name} and ${b.name} overlap`);
      }
    }
    const width = Number(await page.getAttribute('svg.graph', 'width'));
    assert.ok(width <= 1400, `the picture (${width} px) fits a 1440 px window without scrolling sideways`);
    assert.equal(await page.getAttribute('svg.graph g.node[data-bundle="legacy-addon"]', 'data-state'), 'INSTALLED');
    assert.match((await page.getAttribute('svg.graph g.node[data-bundle="flaky-addon"]', 'class')) ?? '', /failed/);
    assert.equal(await page.locator('svg.graph path.edge[data-from="push-imapidle"][data-to="push"]').count(), 1);
    assert.equal(await page.locator('svg.graph path.edge.optional[data-from="pns-impl"]').count(), 5, 'pns-impl optionally uses five transports');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(ARTIFACTS, 'graph-30-bundles.png'), fullPage: true });
  } finally {
    await browser.close();
    await kernel.stop();
  }
});
