import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { Browser, Page } from 'playwright-core';

import { launchBrowser, seriousAxeViolations } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.js';

const ADMIN_KEY = 'psk_e2e-reviewer-Zq3vR8mLw2Tn6Yb1Kc9Hd4Fs';
const REVIEWER = 'reviewer@example.org';
const PASSWORD = 'an end-to-end passphrase';
const LOCKED = 'locked@example.org';

/**
 * The reviewer's side in a real browser against a real `perisai serve`: users created with the
 * CLI, a case filed through the public API, then signed in, queued, opened, acted on with its
 * confirmation, and checked in the case history and the audit log. Screenshots are kept in a
 * temp dir (printed) for a person to look at.
 */
describe('the reviewer console in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perisai-e2e-reviewer-'));
  const shots = process.env.PERISAI_E2E_SHOTS ?? mkdtempSync(join(tmpdir(), 'perisai-e2e-shots-'));
  const db = join(dir, 'perisai.db');
  let server: ServerProcess;
  let browser: Browser;
  let caseId = '';

  before(async () => {
    for (const [email, role] of [
      [REVIEWER, 'reviewer'],
      [LOCKED, 'reviewer'],
    ] as const) {
      const created = await runCli(['users', 'create', email, '--role', role, '--db', db], { stdin: `${PASSWORD}\n` });
      assert.equal(created.code, 0, created.stderr);
    }
    server = await startServerProcess(db, { PERISAI_ADMIN_KEY: ADMIN_KEY });
    browser = await launchBrowser();
    const filed = await fetch(`${server.url}/v1/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        reporter: { type: 'depicted_person', email: 'victim@example.org' },
        jurisdiction: 'ID',
        category: 'ncii',
        content: { id: 'post-e2e', url: 'https://platform.example/p/e2e' },
        explanation: 'This is an intimate photo of me posted without my consent.',
        good_faith: true,
      }),
    });
    assert.equal(filed.status, 201, await filed.clone().text());
    caseId = ((await filed.json()) as { case_id: string }).case_id;
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

  async function signIn(page: Page, email: string, password: string): Promise<void> {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState('domcontentloaded');
  }

  test('sign in, see the case in the queue counting down, open it, remove it with a confirmation, see it in the history and the audit log', async (t) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    // The page's clock, not a sleep: the countdown is moved a minute on demand.
    await page.clock.install({ time: new Date() });
    await page.goto(`${server.url}/console/cases`);
    assert.match(page.url(), /\/console\/login\?next=%2Fconsole%2Fcases$/);
    await noSeriousViolations(page, 'login');
    await page.screenshot({ path: join(shots, 'login.png'), fullPage: true });

    await signIn(page, REVIEWER, PASSWORD);
    assert.match(page.url(), /\/console\/cases$/);
    const row = page.locator(`tr[data-case-id="${caseId}"]`);
    await row.waitFor();
    const countdown = row.locator('time[data-countdown] .left');
    const first = await countdown.textContent();
    assert.match(first ?? '', /^(1 d 0 h|23 h \d+ min) left$/);
    await page.clock.runFor(61_000);
    const later = await countdown.textContent();
    assert.notEqual(later, first, 'the countdown moves without a reload');
    assert.match(later ?? '', /^23 h \d+ min left$/);
    await noSeriousViolations(page, 'queue');
    await page.screenshot({ path: join(shots, 'queue.png'), fullPage: true });

    // Shortcuts: ? shows the list, j selects the first case, a assigns it to me.
    await page.keyboard.press('?');
    assert.notEqual(await page.locator('#shortcuts').getAttribute('open'), null, 'the list is open');
    await page.keyboard.press('j');
    // A string, not a function: this suite is typed for Node, not the DOM.
    assert.equal(await page.evaluate<string | undefined>("document.activeElement?.closest('tr')?.dataset.caseId"), caseId);
    // Typing in a field is never taken for a shortcut.
    await page.getByLabel('Assignee', { exact: true }).fill('jak');
    assert.equal(await page.getByLabel('Assignee', { exact: true }).inputValue(), 'jak');
    await page.keyboard.press('Escape');
    await page.locator(`tr[data-case-id="${caseId}"] a`).focus();
    await page.keyboard.press('a');
    await page.waitForURL(/done=1/);
    assert.equal(await page.locator(`tr[data-case-id="${caseId}"] td`).last().textContent(), REVIEWER);

    await page.locator(`tr[data-case-id="${caseId}"] a`).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/console/cases/${caseId}$`));
    assert.match((await page.locator('h1').textContent()) ?? '', new RegExp(caseId));
    assert.equal(await page.getByText('victim@example.org').count(), 0, 'no reporter contact details on the page');
    await noSeriousViolations(page, 'case');
    await page.screenshot({ path: join(shots, 'case.png'), fullPage: true });

    await page.locator('#action-remove').getByLabel('Statement of reasons').fill('Intimate image shared without the consent of the person it shows.');
    await page.locator('#action-remove').getByRole('button').click();
    await page.waitForLoadState('domcontentloaded');
    assert.match((await page.locator('h1').textContent()) ?? '', /Confirm: Remove the content/);
    await noSeriousViolations(page, 'confirmation');
    await page.screenshot({ path: join(shots, 'confirm.png'), fullPage: true });
    await page.getByRole('button', { name: /Yes, remove the content/ }).click();
    await page.waitForURL(new RegExp(`/console/cases/${caseId}#history$`));
    const history = await page.locator('#history tbody').textContent();
    assert.match(history ?? '', new RegExp(`remove\\s*user:${REVIEWER}`));
    assert.match((await page.locator('#audit tbody').textContent()) ?? '', new RegExp(`case\\.remove\\s*user:${REVIEWER}`));
    assert.match((await page.locator('.summary').textContent()) ?? '', /actioned/);
    await page.screenshot({ path: join(shots, 'case-after.png'), fullPage: true });

    // The same entries in the audit log itself, and the chain still verifies.
    const audit = (await (await fetch(`${server.url}/v1/audit?limit=1000`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as {
      entries: Array<{ kind: string; subject: string; actor: string; payload: { outcome?: string } }>;
    };
    assert.ok(audit.entries.some((e) => e.kind === 'case.remove' && e.subject === caseId && e.actor === `user:${REVIEWER}`));
    assert.ok(audit.entries.some((e) => e.kind === 'console.login' && e.actor === REVIEWER && e.payload.outcome === 'success'));
    const verified = await runCli(['audit', 'verify', '--db', db]);
    assert.equal(verified.code, 0, verified.stderr + verified.stdout);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/console\/login$/);
    await context.close();
    t.diagnostic(`screenshots in ${shots}`);
  });

  test('five wrong passwords lock the account: the right one is then refused too', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/console/login`);
    for (let i = 1; i <= 4; i++) {
      await signIn(page, LOCKED, `wrong guess ${i}`);
      assert.match((await page.getByRole('alert').textContent()) ?? '', /email or password is not right/);
    }
    await signIn(page, LOCKED, 'wrong guess 5');
    assert.match((await page.getByRole('alert').textContent()) ?? '', /locked for 15 min/);
    await signIn(page, LOCKED, PASSWORD);
    assert.match((await page.getByRole('alert').textContent()) ?? '', /This account is locked/);
    assert.match(page.url(), /\/console\/login/);
    await noSeriousViolations(page, 'login with an error');
    await page.screenshot({ path: join(shots, 'locked.png'), fullPage: true });
    await context.close();
  });
});
