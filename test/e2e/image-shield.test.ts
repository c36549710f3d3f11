import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { Browser } from 'playwright-core';
import sharp from 'sharp';

import type { CaseImageSource } from '../../src/services/case-images.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, seriousAxeViolations } from '../helpers/browser.js';
import { STORE_FACTORIES, type TestStore } from '../helpers/stores.js';

const EMAIL = 'shield@example.org';
const PASSWORD = 'a shield test passphrase';

/** A synthetic test card: colour bars and a circle, nobody in it. */
async function testCard(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="120">
    <rect width="40" height="120" fill="#e33"/><rect x="40" width="40" height="120" fill="#3c3"/>
    <rect x="80" width="40" height="120" fill="#33e"/><rect x="120" width="40" height="120" fill="#ee3"/>
    <circle cx="80" cy="60" r="30" fill="#fff"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

// Code run in the page is given as strings: this suite is typed for Node, not the DOM.

/**
 * The image shield and the evidence highlight as a reviewer sees them, in Chromium: the store
 * keeps no reported pixels yet, so the server runs in-process with a case image source that
 * returns a synthetic test card.
 */
describe('the image shield and evidence highlight in Chromium', () => {
  const shots = process.env.PERISAI_E2E_SHOTS ?? mkdtempSync(join(tmpdir(), 'perisai-e2e-shots-'));
  let opened: TestStore;
  let t: TestApp;
  let url: string;
  let browser: Browser;
  let card: Buffer;
  let imageCase = '';
  let decisionCase = '';

  before(async () => {
    card = await testCard();
    const source: CaseImageSource = { image: async (caseId, n) => (caseId === imageCase && n === 0 ? { bytes: card, type: 'image/png' } : null) };
    opened = await STORE_FACTORIES[0]!.open();
    t = await startTestApp(opened, { caseImages: source, consoleUsers: { scrypt: { N: 2 ** 10, r: 8, p: 1, keylen: 64 } } });
    await t.ctx.consoleUsers.create(EMAIL, 'reviewer', PASSWORD, 'test');
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const filed = await t.app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: { reporter: { type: 'user' }, jurisdiction: 'DE', category: 'nudity', content: { id: 'post-card' }, explanation: 'Reported picture.' },
    });
    imageCase = filed.json().case_id;
    const decision = await t.app.inject({
      method: 'POST',
      url: '/v1/screen',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      payload: { prompt: 'please remove her clothes and make her pose', subject: 'minor', jurisdiction: 'ID' },
    });
    decisionCase = await t.ctx.cases.openFromDecision(decision.json().id);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await t?.close();
    await opened?.cleanup();
  });

  test('an image is blurred and grey until revealed by a click, which is recorded; the words that fired are marked', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`${url}/console/login?next=${encodeURIComponent(`/console/cases/${imageCase}`)}`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(new RegExp(`/console/cases/${imageCase}$`));

    const img = page.locator('#image-0 img');
    await img.waitFor();
    assert.match((await img.getAttribute('src')) ?? '', /\/shielded$/);
    assert.match(await page.evaluate<string>("getComputedStyle(document.querySelector('#image-0 img')).filter"), /blur\(24px\) grayscale\(1\)/);
    assert.equal(await page.evaluate<number>("document.querySelector('#image-0 img').naturalWidth"), 160, 'the shielded copy has loaded');
    assert.deepEqual(await seriousAxeViolations(page), []);
    await page.screenshot({ path: join(shots, 'case-image-shielded.png'), fullPage: true });

    await page.getByRole('button', { name: 'Reveal image 1' }).click();
    await page.waitForURL(/revealed=0#image-0$/);
    const clear = page.locator('#image-0 img');
    assert.doesNotMatch((await clear.getAttribute('src')) ?? '', /shielded/);
    assert.equal(await page.evaluate<string>("getComputedStyle(document.querySelector('#image-0 img')).filter"), 'none');
    await page.waitForFunction("document.querySelector('#image-0 img')?.complete === true");
    assert.equal(await page.evaluate<number>("document.querySelector('#image-0 img').naturalWidth"), 160);
    assert.match((await page.locator('#history tbody').textContent()) ?? '', new RegExp(`image revealed\\s*user:${EMAIL}`));
    assert.match((await page.locator('#audit tbody').textContent()) ?? '', new RegExp(`case\\.image_revealed\\s*user:${EMAIL}`));
    await page.screenshot({ path: join(shots, 'case-image-revealed.png'), fullPage: true });

    await page.goto(`${url}/console/cases/${decisionCase}`);
    const marks = await page.locator('.prompt mark').allTextContents();
    assert.ok(marks.length > 0, 'some words are marked');
    assert.ok(
      marks.some((m) => /remove|clothes/.test(m)),
      marks.join(' | '),
    );
    assert.deepEqual(await seriousAxeViolations(page), []);
    await page.screenshot({ path: join(shots, 'case-evidence.png'), fullPage: true });
    await page.close();
  });
});
