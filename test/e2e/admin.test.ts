import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { Browser, Page } from 'playwright-core';

import { launchBrowser, seriousAxeViolations } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.js';

const ADMIN_KEY = 'psk_e2e-admin-Hk3vR8mLw2Tn6Yb1Kc9Hd4Fz';
const ADMIN = 'admin@example.org';
const PASSWORD = 'an end-to-end admin passphrase';
/** Three synthetic PDQ hashes (bit patterns, from no image) with their quality. */
const HASHES = ['f'.repeat(64), '0f'.repeat(32), 'a5'.repeat(32)];

/**
 * An admin's flow in a real browser against a real `perisai serve`: sign in, create a bank,
 * import a small hash file through the page's upload (with its progress bar), see the count;
 * then every admin page, each checked with axe. Screenshots go to a temp dir (printed).
 */
describe('the admin console in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perisai-e2e-admin-'));
  const shots = process.env.PERISAI_E2E_SHOTS ?? mkdtempSync(join(tmpdir(), 'perisai-e2e-shots-'));
  const db = join(dir, 'perisai.db');
  let server: ServerProcess;
  let browser: Browser;

  before(async () => {
    const created = await runCli(['users', 'create', ADMIN, '--role', 'admin', '--db', db], { stdin: `${PASSWORD}\n` });
    assert.equal(created.code, 0, created.stderr);
    server = await startServerProcess(db, { PERISAI_ADMIN_KEY: ADMIN_KEY });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function noSeriousViolations(page: Page, name: string): Promise<void> {
    const violations = await seriousAxeViolations(page);
    assert.deepEqual(violations, [], `${name}: ${JSON.stringify(violations, null, 2)}`);
  }

  test('create a bank, import a hash file with progress, see the count; every admin page passes axe', async (t) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/console/admin/banks`);
    await page.getByLabel('Email').fill(ADMIN);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/console\/admin\/banks$/);
    for (const label of ['Banks', 'Accounts', 'Users', 'API keys']) assert.equal(await page.getByRole('link', { name: label, exact: true }).count(), 1, label);
    await noSeriousViolations(page, 'banks (empty)');

    await page.getByLabel('Name', { exact: true }).fill('takedowns');
    await page.getByLabel('Purpose').selectOption('takedown');
    await page.getByLabel('Description (optional)').fill('Images removed after takedown notices');
    await page.getByRole('button', { name: 'Create the bank' }).click();
    await page.waitForURL(/created=takedowns/);
    assert.equal(await page.locator('[data-bank-count="takedowns"]').textContent(), '0');

    await page.getByLabel('Bank', { exact: true }).selectOption('takedowns');
    await page.setInputFiles('#import-file', {
      name: 'takedowns.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(HASHES.map((hash) => `${hash},100`).join('\n') + '\n'),
    });
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('#import-status', { hasText: 'Imported into takedowns' }).waitFor();
    assert.match((await page.locator('#import-status').textContent()) ?? '', /3 added, 0 already present, of 3\. The bank holds 3 hashes\./);
    assert.equal(await page.locator('[data-bank-count="takedowns"]').textContent(), '3');
    assert.equal(await page.locator('#import-progress').getAttribute('value'), '1');
    await noSeriousViolations(page, 'banks (imported)');
    await page.screenshot({ path: join(shots, 'admin-banks.png'), fullPage: true });

    // The server holds what the page says.
    const banks = (await (await fetch(`${server.url}/v1/banks`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as {
      banks: Array<{ name: string; hashes: number }>;
    };
    assert.deepEqual(
      banks.banks.map((b) => [b.name, b.hashes]),
      [['takedowns', 3]],
    );

    // A bad file imports nothing and says which line to fix.
    await page.setInputFiles('#import-file', { name: 'bad.txt', mimeType: 'text/plain', buffer: Buffer.from(`${HASHES[0]},100\nnot a hash\n`) });
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('#import-status', { hasText: 'Nothing was imported' }).waitFor();
    assert.match((await page.locator('#import-status').textContent()) ?? '', /line 2/);

    const exported = await page.evaluate<string>("fetch('/console/admin/banks/takedowns/export?format=pdq').then((r) => r.text())");
    assert.deepEqual(
      exported
        .trim()
        .split('\n')
        .map((line) => line.split(',')[0])
        .sort(),
      [...HASHES].sort(),
    );

    await page.getByRole('link', { name: 'Accounts', exact: true }).click();
    await page.getByLabel('Account id').fill('acct-e2e');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.waitForURL(/account=acct-e2e/);
    await noSeriousViolations(page, 'accounts');
    await page.locator('#suspend-acct-e2e').getByLabel('Reason').fill('Repeated requests to undress photos of others.');
    await page.locator('#suspend-acct-e2e').getByLabel('Days (optional)').fill('3');
    await page.locator('#suspend-acct-e2e').getByRole('button').click();
    await page.waitForLoadState('domcontentloaded');
    assert.match((await page.locator('h1').textContent()) ?? '', /Confirm: suspend acct-e2e/);
    await noSeriousViolations(page, 'suspend confirmation');
    await page.getByRole('button', { name: 'Yes, suspend the account' }).click();
    await page.waitForURL(/account=acct-e2e$/);
    assert.match((await page.locator('#standing').textContent()) ?? '', /suspended/);
    await page.screenshot({ path: join(shots, 'admin-account.png'), fullPage: true });

    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.waitForURL(/\/console\/admin\/users$/);
    await noSeriousViolations(page, 'users');

    await page.getByRole('link', { name: 'API keys', exact: true }).click();
    await page.waitForURL(/\/console\/admin\/keys$/);
    await noSeriousViolations(page, 'keys');
    await page.getByLabel('Name', { exact: true }).fill('image service');
    await page.getByLabel(/^screen:/).check();
    await page.getByRole('button', { name: 'Create the key' }).click();
    await page.locator('#key-secret').waitFor();
    assert.match((await page.locator('#key-secret').textContent()) ?? '', /^psk_/);
    await noSeriousViolations(page, 'key created');
    await page.screenshot({ path: join(shots, 'admin-key-created.png'), fullPage: true });

    t.diagnostic(`screenshots in ${shots}`);
    await context.close();
  });
});
