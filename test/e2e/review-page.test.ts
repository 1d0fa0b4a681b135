// The officers' review page in headless Chromium: log in, open a case, clear it, see it leave the queue and enter the audit log.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Server } from 'node:http';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { ReviewService } from '../../src/store/services/review-service.js';
import { createKeys, createTestDatabase, decisionFor, hitOn, reviewApp, sdnRows, type Keys, type TestDatabase } from '../integration/review/helpers.js';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts');
const rows = sdnRows('36', '306');

let t: TestDatabase;
let keys: Keys;
let server: Server;
let base: string;
let browser: Browser;
let target: string;

before(async () => {
  t = await createTestDatabase();
  keys = await createKeys(t.db);
  const svc = new ReviewService(t.db);
  // a review-level hit (one officer may clear it) and a deny-level one that stays in the queue
  const a = { id: 'cust-e2e-1', name: 'Aerocaribbean Travel Agency', country: 'ES', address: { city: 'Madrid', country: 'ES' } };
  target = (await svc.recordScreening(a, decisionFor(a, [hitOn(rows.get('36')!, { queryName: a.name, score: 0.87 })]), 'svc')).cases[0]!.id;
  const b = { id: 'cust-e2e-2', name: 'Banco Nacional de Cuba', country: 'CU' };
  await svc.recordScreening(b, decisionFor(b, [hitOn(rows.get('306')!, { queryName: b.name, score: 0.99 })]), 'svc');
  const app = reviewApp(t.db, svc);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await t?.drop();
});

test('log in, open a case, clear it; it leaves the queue and appears in the audit log', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/review`);

  // a wrong key is refused
  await page.fill('#api-key', 'kyc_wrong');
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#login-error:has-text("not accepted")');

  await page.fill('#api-key', keys.admin.key);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector(`tr[data-case="${target}"]`);
  assert.equal(await page.locator('#queue-table tbody tr.case-row').count(), 2);
  assert.match(await page.textContent('#counts') ?? '', /open: 2/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('kycgate.apiKey')?.startsWith('kyc_')), true);

  await page.click(`tr[data-case="${target}"]`);
  await page.waitForSelector('#case:not([hidden])');
  // side by side, matched tokens highlighted
  assert.match((await page.textContent('#customer-panel')) ?? '', /Aerocaribbean Travel Agency/);
  assert.match((await page.textContent('#entry-panel')) ?? '', /AEROCARIBBEAN AIRLINES/);
  assert.deepEqual(await page.locator('#entry-panel mark').allTextContents(), ['AEROCARIBBEAN', 'AEROCARIBBEAN']);
  assert.deepEqual(await page.locator('#customer-panel mark').allTextContents(), ['Aerocaribbean']);
  assert.equal(await page.locator('#pieces tbody tr').count(), 2);
  assert.match((await page.textContent('#history')) ?? '', /case\.opened/);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'review-page-case.png'), fullPage: true });

  await page.fill('#reason', 'Travel agency in Madrid; not the Cuban airline (different registry, address, business)');
  await page.click('#decide button[data-decision=clear]');
  await page.waitForSelector('#queue:not([hidden])');
  await page.waitForFunction((id) => !document.querySelector(`tr[data-case="${id}"]`), target);
  assert.equal(await page.locator('#queue-table tbody tr.case-row').count(), 1);

  await page.click('#show-audit');
  await page.waitForSelector('#audit:not([hidden])');
  const auditText = (await page.textContent('#audit-table')) ?? '';
  assert.match(auditText, new RegExp(`case\\.cleared\\s*case:${target}`));
  assert.match(auditText, new RegExp(`suppression\\.created\\s*case:${target}`));
  await page.screenshot({ path: path.join(ARTIFACTS, 'review-page-audit.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
