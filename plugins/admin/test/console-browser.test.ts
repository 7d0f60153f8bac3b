import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it, type TestContext } from 'node:test';
import { contextServiceRef, userServiceRef } from '@keel/plugin-sdk';
import { loadBundles, startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import admin from '../src/index.js';
import { CHROMIUM, CHROMIUM_ARGS, basic, chromiumMissing, figuresBundle } from './support.js';

const MASTER = { login: 'oxadminmaster', password: 'console-master-secret' };
const SWITCH = 'com.openexchange.pns.transport.websocket.enabled';
/** Generous: two shared cores, other builds running. Only waits, never timing assertions. */
const WAIT = { timeout: 30_000 };
/** `<repo>/test-artifacts/admin-console`, from `plugins/admin/dist/test/`. */
const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/admin-console/', import.meta.url));

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Polls a condition on the page (the console refreshes on its own every 2 s). */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT.timeout;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function stateOf(page: Page, bundle: string): Promise<string | null> {
  return page.textContent(`table.bundles tr[data-bundle="${bundle}"] td.state`);
}

async function waitForState(page: Page, bundle: string, state: string): Promise<void> {
  await until(async () => (await stateOf(page, bundle)) === state, `${bundle} to show ${state}`);
}

async function openView(page: Page, view: string, ready: string): Promise<void> {
  await page.click(`nav.tabs a[data-view="${view}"]`);
  await page.waitForSelector(ready, WAIT);
}

describe('admin console in headless Chromium', () => {
  let skip: string | undefined;
  let kernel: TestKernel;
  let browser: Browser;
  let page: Page;
  const counter = { ticks: 3 };
  const pageErrors: string[] = [];
  let contextId = 0;
  let aliceId = 0;
  const skipped = (t: TestContext) => (skip !== undefined ? (t.skip(skip), true) : false);

  const adminFetch = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${kernel.url}${path}`, {
      method,
      headers: { authorization: basic(MASTER.login, MASTER.password), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
  };

  before(async () => {
    skip = chromiumMissing();
    if (skip !== undefined) return;
    await mkdir(ARTIFACTS, { recursive: true });
    delete process.env['KEEL_MASTER_PASSWORD'];
    kernel = await startTestKernel({
      bundles: {
        ...(await loadBundles('storage-sql', 'auth', 'auth-database', 'sessiond', 'pns-impl', 'websockets', 'pns-transport-websockets', 'push')),
        admin,
        // A source whose counter the test moves, so the live panel is checked whatever other bundles register.
        'console-test': figuresBundle(counter, 'console-test', 'keel_console_test_ticks_total'),
      },
      files: { mpasswd: `${MASTER.login}:{PLAIN}${MASTER.password}\n` },
      properties: {
        'keel.admin.failureDelayMs': '1',
        'keel.admin.maxFailures': '50',
        'com.openexchange.pns.delayDuration': '0',
        'com.openexchange.pns.timerFrequency': '10',
        [SWITCH]: 'true',
      },
      startTimeoutMs: 20_000,
    });
    const notActive = kernel.kernel.bundles().filter((b) => b.state !== 'ACTIVE');
    assert.deepEqual(notActive, [], 'every bundle of the console test started');
    const context = await kernel.get(contextServiceRef)!.create({ name: 'console', loginMappings: ['console.example'] });
    contextId = context.id;
    const users = kernel.get(userServiceRef)!;
    aliceId = (await users.create(contextId, { login: 'alice', password: 'alice-secret', displayName: 'Alice', email: 'alice@console.example' })).id;
    await users.setConfig(contextId, aliceId, { set: { [SWITCH]: 'false' } });

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(`uncaught: ${error.message}`));
    page.on('console', (entry) => {
      // Failed requests (401 for the wrong password, 503 while push is stopped) are logged by
      // Chromium too and expected here; script errors and CSP violations are not.
      if (entry.type() === 'error' && !/Failed to load resource/.test(entry.text())) pageErrors.push(entry.text());
    });
  });

  after(async () => {
    await browser?.close();
    await kernel?.stop();
  });

  it('refuses a wrong password with ADM-0001, then logs in', async (t) => {
    if (skipped(t)) return;
    await page.goto(`${kernel.url}/admin/console`);
    assert.ok(page.url().endsWith('/admin/console/'), page.url());
    await page.fill('input[name=password]', 'not-the-password');
    await page.click('form.login button[type=submit]');
    const error = await page.waitForSelector('[data-error=login]', WAIT);
    assert.match((await error.textContent()) ?? '', /^ADM-0001: Master admin authentication failed: wrong login or password/);
    await shot(page, 'login-error');

    await page.fill('input[name=password]', MASTER.password);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('table.bundles', WAIT);
    assert.equal(await page.textContent('#who span'), MASTER.login);
  });

  it('lists every bundle with state, version, status and what it provides and consumes', async (t) => {
    if (skipped(t)) return;
    const rows = await page.$$eval('table.bundles tbody tr', (trs) => trs.map((tr) => ({
      name: tr.getAttribute('data-bundle'),
      state: tr.querySelector('td.state')?.textContent,
      status: tr.querySelector('td.status')?.textContent,
      provides: tr.querySelector('td.provides')?.textContent ?? '',
      consumes: tr.querySelector('td.consumes')?.textContent ?? '',
      stopDisabled: tr.querySelector('button.stop')?.hasAttribute('disabled'),
    })));
    assert.deepEqual(rows.map((r) => r.name), kernel.kernel.bundles().map((b) => b.name).sort((a, b) => a.localeCompare(b)));
    assert.ok(rows.every((r) => r.state === 'ACTIVE' && r.status === 'enabled'), JSON.stringify(rows));
    const transport = rows.find((r) => r.name === 'pns-transport-websockets')!;
    assert.match(transport.provides, /pns\.transport/);
    assert.match(transport.consumes, /websockets/);
    assert.match(rows.find((r) => r.name === 'pns-impl')!.consumes, /optional/);
    assert.equal(rows.find((r) => r.name === 'admin')!.stopDisabled, true, 'admin cannot stop itself');
    assert.equal(transport.stopDisabled, false);
    await shot(page, 'bundles');
  });

  it('stops a bundle (RESOLVED) and starts it again (ACTIVE) from the table', async (t) => {
    if (skipped(t)) return;
    await page.click('table.bundles tr[data-bundle="pns-transport-websockets"] button.stop');
    await waitForState(page, 'pns-transport-websockets', 'RESOLVED');
    assert.equal(kernel.bundle('pns-transport-websockets')?.state, 'RESOLVED');
    assert.match((await page.textContent('.status-line')) ?? '', /pns-transport-websockets is RESOLVED/);
    assert.equal(await stateOf(page, 'websockets'), 'ACTIVE', 'its provider keeps running');
    await shot(page, 'bundles-stopped');

    await page.click('table.bundles tr[data-bundle="pns-transport-websockets"] button.start');
    await waitForState(page, 'pns-transport-websockets', 'ACTIVE');
    assert.equal(kernel.bundle('pns-transport-websockets')?.state, 'ACTIVE');
  });

  it('draws the dependency graph: a node per bundle, consumer → provider edges, optional ones dashed', async (t) => {
    if (skipped(t)) return;
    await openView(page, 'graph', 'svg.graph');
    const nodes = await page.$$eval('svg.graph g.node', (gs) => gs.map((g) => ({ name: g.getAttribute('data-bundle'), state: g.getAttribute('data-state') })));
    assert.deepEqual(nodes.map((n) => n.name).sort(), kernel.kernel.bundles().map((b) => b.name).sort());
    assert.ok(nodes.every((n) => n.state === 'ACTIVE'));
    assert.equal(await page.locator('svg.graph path.edge[data-from="pns-transport-websockets"][data-to="websockets"]').count(), 1);
    assert.equal(await page.getAttribute('svg.graph path.edge[data-from="pns-transport-websockets"][data-to="websockets"]', 'stroke-dasharray'), null);
    assert.equal(await page.getAttribute('svg.graph path.edge[data-from="pns-impl"][data-to="pns-transport-websockets"]', 'data-optional'), '');
    assert.notEqual(await page.getAttribute('svg.graph path.edge[data-from="pns-impl"][data-to="pns-transport-websockets"]', 'stroke-dasharray'), null);
    assert.equal(await page.locator('svg.graph path.edge[data-from="websockets"][data-to="sessiond"]').count(), 1);
    // Providers sit in bands below their consumers.
    const y = async (name: string) => (await page.locator(`svg.graph g.node[data-bundle="${name}"]`).boundingBox())!.y;
    assert.ok((await y('websockets')) > (await y('pns-transport-websockets')));
    assert.ok((await y('storage-sql')) > (await y('sessiond')));
    await shot(page, 'graph');
    await page.hover('svg.graph g.node[data-bundle="websockets"]');
    assert.ok(await page.locator('svg.graph path.edge.highlight').count() >= 2, 'hovering lights up the edges of a bundle');
    await shot(page, 'graph-hover');
    await page.mouse.move(0, 0);
  });

  it('shows the service registry with rankings', async (t) => {
    if (skipped(t)) return;
    await openView(page, 'services', 'table.services');
    const auth = page.locator('table.services tr[data-service="admin.auth"]');
    assert.equal(await auth.count(), 1);
    assert.equal(await auth.locator('td.bundle').textContent(), 'admin');
    assert.equal(await auth.locator('td.ranking').textContent(), '0');
    assert.equal(await page.locator('table.services tr[data-service="pns.transport"][data-bundle="pns-transport-websockets"]').count(), 1);
    await page.fill('input[type=search]', 'sessions');
    await page.waitForSelector('table.services tbody tr:not([data-service*="sessions"]):not([data-bundle*="sessions"])', { ...WAIT, state: 'detached' });
    assert.ok((await page.locator('table.services tbody tr').count()) > 0);
    await page.fill('input[type=search]', '');
    await shot(page, 'services');
  });

  it('shows push listeners and registrations, and says so when the push bundle is not active', async (t) => {
    if (skipped(t)) return;
    await openView(page, 'push', '[data-empty=listeners], table.push-listeners');
    assert.equal(await page.locator('[data-push=inactive]').count(), 0);
    assert.match((await page.textContent('main.view')) ?? '', /Permanent registrations \(0\)/);

    assert.equal((await adminFetch('POST', '/admin/v1/bundles/push/stop')).status, 200);
    await openView(page, 'graph', 'svg.graph');
    await openView(page, 'push', '[data-push=inactive]');
    assert.equal(await page.textContent('[data-push=inactive]'), 'push bundle not active');
    await shot(page, 'push-inactive');
    assert.equal((await adminFetch('POST', '/admin/v1/bundles/push/start')).status, 200);
  });

  it('updates the live figures every 2 s from /admin/v1/metrics, with the PNS panel counting an admin send', async (t) => {
    if (skipped(t)) return;
    await openView(page, 'metrics', 'td.metric-value[data-family="keel_console_test_ticks_total"]');
    assert.equal(await page.textContent('td.metric-value[data-family="keel_console_test_ticks_total"]'), '3');
    counter.ticks = 8;
    await page.waitForSelector('td.metric-value[data-family="keel_console_test_ticks_total"]:text-is("8")', WAIT);
    assert.match((await page.textContent('section.source[data-source="console-test"]')) ?? '', /\+5 at /, 'the last change is shown');

    // pns-impl registers its source since bd67faa: its panel must show, and an admin send counts as handled.
    const handled = 'keel_pns_notifications_handled_total';
    const cell = `[data-panel=pns] td.metric-value[data-family="${handled}"]`;
    await page.waitForSelector(cell, WAIT);
    assert.equal(await page.locator('section.source[data-source="pns-impl"]').count(), 1);
    assert.ok(await page.locator('[data-panel=pns] td.metric-value[data-family="keel_pns_queue_depth"]').count() >= 1, 'queue depth by stage');
    assert.equal(await page.locator('[data-panel=pns] tr[data-transport="websocket"]').count(), 1, 'delivered / failed for the websocket transport');
    const before = Number(((await page.textContent(cell)) ?? '').replace(/,/g, ''));
    const sent = await adminFetch('POST', '/admin/v1/pns/send', { contextId, userId: aliceId, topic: 'ox:mail:new', data: { subject: 'from the console test' } });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    await until(async () => Number(((await page.textContent(cell)) ?? '').replace(/,/g, '')) > before, `${handled} to grow past ${before}`);
    await shot(page, 'metrics');
  });

  it('explains the config cascade: the user value wins for the user, the server value for the context', async (t) => {
    if (skipped(t)) return;
    await openView(page, 'config', 'form.explain-form');
    await page.fill('input[name=property]', SWITCH);
    await page.fill('input[name=context]', String(contextId));
    await page.fill('input[name=user]', String(aliceId));
    await page.click('form.explain-form button[type=submit]');
    await page.waitForSelector('table.cascade tr.winner', WAIT);
    assert.equal(await page.getAttribute('table.cascade tr.winner', 'data-scope'), 'user');
    assert.equal(await page.textContent('table.cascade tr[data-scope=user] td.value'), 'false');
    assert.equal(await page.textContent('table.cascade tr[data-scope=server] td.value'), 'true');
    assert.match((await page.textContent('p.verdict')) ?? '', /is 'false', from the user scope/);
    await shot(page, 'config-user');

    await page.fill('input[name=user]', '');
    await page.click('form.explain-form button[type=submit]');
    await page.waitForSelector('table.cascade tr.winner[data-scope=server]', WAIT);
    assert.equal(await page.textContent('table.cascade tr[data-scope=user] td.value'), '—');

    await page.fill('input[name=property]', 'not a property!');
    await page.click('form.explain-form button[type=submit]');
    const error = await page.waitForSelector('[data-outcome=error]', WAIT);
    assert.match((await error.textContent()) ?? '', /^ADM-0005: Invalid query parameter 'property'/);
  });

  it('keeps the login for the tab, logs out, and ran without script errors or CSP violations', async (t) => {
    if (skipped(t)) return;
    await page.reload();
    await page.waitForSelector('nav.tabs', WAIT);
    await page.click('button.logout');
    await page.waitForSelector('form.login', WAIT);
    assert.equal(await page.evaluate('sessionStorage.length'), 0);
    assert.deepEqual(pageErrors, []);
  });
});

describe('admin console lockout in headless Chromium', () => {
  it('shows ADM-0002 with the wait when the address is locked out', async (t) => {
    const skip = chromiumMissing();
    if (skip !== undefined) return t.skip(skip);
    await mkdir(ARTIFACTS, { recursive: true });
    const kernel = await startTestKernel({
      bundles: { admin },
      files: { mpasswd: `${MASTER.login}:{PLAIN}${MASTER.password}\n` },
      properties: { 'keel.admin.maxFailures': '2', 'keel.admin.failureDelayMs': '1', 'keel.admin.lockoutSeconds': '120' },
    });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      await page.goto(`${kernel.url}/admin/console/`);
      for (const guess of ['first-guess', 'second-guess']) {
        await page.fill('input[name=password]', guess);
        await page.click('form.login button[type=submit]');
        await page.waitForSelector('form.login button[type=submit]:not([disabled]) ~ .login-feedback [data-error=login]', WAIT);
      }
      const text = (await page.textContent('[data-error=login]')) ?? '';
      assert.match(text, /^ADM-0002: Too many failed master admin logins from this address/);
      assert.match(text, /try again in \d+ seconds \(until .+\)$/);
      await shot(page, 'lockout');
    } finally {
      await browser.close();
      await kernel.stop();
    }
  });
});
