import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { Browser } from 'playwright-core';

import { ADMIN_KEY } from '../helpers/app.js';
import { launchBrowser, seriousAxeViolations } from '../helpers/browser.js';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.js';

// page.evaluate callbacks run in the browser; tests compile without the DOM library.
declare const document: { querySelectorAll(selector: string): { length: number } };

describe('the transparency dashboard and the landing page in Chromium', () => {
  let dir: string;
  let shots: string;
  let server: ServerProcess;
  let browser: Browser;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'perisai-e2e-dash-'));
    shots = process.env['PERISAI_SCREENSHOTS'] ?? mkdtempSync(join(tmpdir(), 'perisai-screens-'));
    server = await startServerProcess(join(dir, 'perisai.db'), { PERISAI_ADMIN_KEY: ADMIN_KEY });
    const api = (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const prompt of ['put her in a bikini', 'remove her clothes', 'make her wear a winter coat']) {
      assert.equal((await api('/v1/screen', { prompt, subject: 'adult', jurisdiction: 'ID' })).status, 200);
    }
    const receipt = await api('/v1/reports', {
      reporter: { type: 'depicted_person', email: 'v@example.org' },
      jurisdiction: 'IN',
      category: 'ncii',
      content: { id: 'dash-1' },
    });
    const { case_id } = (await receipt.json()) as { case_id: string };
    assert.equal((await api(`/v1/cases/${case_id}/actions`, { type: 'remove', reason: 'Shared without consent.' })).status, 200);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('draws the charts from this server only, passes axe, and the landing page too', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const hosts = new Set<string>();
    page.on('request', (request) => hosts.add(new URL(request.url()).host));
    await page.goto(`${server.url}/console/transparency`);
    // One uPlot canvas per chart that has data: refusals and reports (the deadline share too).
    await page.waitForFunction(() => document.querySelectorAll('.chart canvas').length >= 3, undefined, { timeout: 15_000 });
    assert.deepEqual([...hosts], [new URL(server.url).host], 'nothing is loaded from another host');
    assert.deepEqual(await seriousAxeViolations(page), [], 'axe on the dashboard');
    await page.screenshot({ path: join(shots, 'transparency.png'), fullPage: true });

    await page.goto(`${server.url}/console`);
    assert.deepEqual(await seriousAxeViolations(page), [], 'axe on the landing page');
    await page.screenshot({ path: join(shots, 'landing.png'), fullPage: true });
    await page.close();
  });
});
