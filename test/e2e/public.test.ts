import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';

import { hammingDistance } from '../../src/pdq/index.js';
import { ADMIN_KEY } from '../helpers/app.js';
import { launchBrowser, seriousAxeViolations } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.js';

// The callbacks given to page.evaluate run in the browser. Tests compile without the DOM library
// (it would change fetch and FormData for the server code), so this file names what it touches.
interface PageElement {
  textContent: string | null;
  dataset: Record<string, string | undefined>;
  src: string;
}
declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number };
  activeElement: PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): { length: number };
};

/** A synthetic "photo": gradients, shapes and noise, so PDQ has structure to hash (never a real person). */
async function syntheticPhoto(width: number, height: number, seed: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  let state = seed;
  const noise = () => ((state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 24;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const dx = x - width * 0.6;
      const dy = y - height * 0.4;
      const disc = dx * dx + dy * dy < (height * 0.25) ** 2;
      const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
      raw[i] = clamp((disc ? 220 : (x * 160) / width + 40) + noise());
      raw[i + 1] = clamp((disc ? 170 : (y * 200) / height + 20) + noise());
      raw[i + 2] = clamp((x < width * 0.3 && y > height * 0.5 ? 40 : 150 - (y * 100) / height) + noise());
      // Blocks of light and shade, so the photo has the structure PDQ's quality score looks for.
      if ((Math.floor(x / 90) + Math.floor(y / 70)) % 3 === 0) for (let c = 0; c < 3; c++) raw[i + c] = 255 - raw[i + c]!;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

async function axeClean(page: Page, what: string): Promise<void> {
  assert.deepEqual(await seriousAxeViolations(page), [], `axe on ${what}`);
}

describe('public console pages in Chromium against perisai serve', () => {
  let dir: string;
  let server: ServerProcess;
  let browser: Browser;
  let shots: string;
  const files: Record<string, string> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'perisai-e2e-public-'));
    shots = process.env['PERISAI_SCREENSHOTS'] ?? mkdtempSync(join(tmpdir(), 'perisai-screens-'));
    const png = await syntheticPhoto(800, 600, 11);
    files['photo.png'] = join(dir, 'photo.png');
    writeFileSync(files['photo.png'], png);
    files['photo.jpg'] = join(dir, 'photo.jpg');
    writeFileSync(files['photo.jpg'], await sharp(png).jpeg({ quality: 88 }).toBuffer());
    // A phone photo taken sideways: the browser would turn it upright, the server hashes it as stored.
    files['rotated.jpg'] = join(dir, 'rotated.jpg');
    writeFileSync(files['rotated.jpg'], await sharp(png).withMetadata({ orientation: 6 }).jpeg({ quality: 80, chromaSubsampling: '4:4:4' }).toBuffer());
    server = await startServerProcess(join(dir, 'perisai.db'), { PERISAI_ADMIN_KEY: ADMIN_KEY });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  async function phoneAndDesktop(context: BrowserContext, url: string, name: string): Promise<void> {
    for (const [label, viewport] of [
      ['desktop', { width: 1280, height: 900 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      await page.goto(url);
      // A phone never scrolls sideways: the page fits its width.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name} on a ${label} is ${overflow}px too wide`);
      await page.screenshot({ path: join(shots, `${name}-${label}.png`), fullPage: true });
      await page.close();
    }
  }

  test('a report filed in Indonesian from the public form becomes a case, confirmed with its reference and deadline', async () => {
    const context = await browser.newContext({ locale: 'id-ID', extraHTTPHeaders: { 'accept-language': 'id-ID,id;q=0.9' } });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/console/report`);
      assert.equal(await page.getAttribute('html', 'lang'), 'id');
      await axeClean(page, 'the report form in Indonesian');
      // The visible switch goes to English and back, and is remembered.
      await page.getByRole('link', { name: 'English' }).click();
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await axeClean(page, 'the report form in English');
      await page.getByRole('link', { name: 'Bahasa Indonesia' }).click();
      assert.equal(await page.getAttribute('html', 'lang'), 'id');
      await page.goto(`${server.url}/console/report`);
      assert.equal(await page.getAttribute('html', 'lang'), 'id');

      // Keyboard first: the skip link is the first stop and lands on the content.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Langsung ke isi');

      await page.getByLabel('Saya orang yang ditampilkan (atau mewakilinya)').check();
      await page.getByLabel('Hukum negara mana yang berlaku?').selectOption('IN');
      await page.getByLabel('Gambar intim atau seksual orang sungguhan yang disebarkan tanpa persetujuannya').check();
      // The script shows the law's deadline as soon as both are chosen.
      await page.waitForFunction(() => document.querySelector('#deadline')?.textContent?.startsWith('2 jam (India'));
      await page.getByLabel('Hukum negara mana yang berlaku?').selectOption('ID');
      await page.waitForFunction(() => document.querySelector('#deadline')?.textContent?.startsWith('24 jam (Indonesia'));
      await page.getByLabel('Alamat web (URL) konten').fill('https://platform.example/p/e2e-1');
      await page.getByLabel('Mengapa konten ini harus dihapus?').fill('Foto intim saya diunggah tanpa persetujuan saya.');
      await page.getByLabel('Nama Anda (tidak wajib)').fill('Sari Dewi');
      await page.getByLabel('Saya dengan itikad baik meyakini bahwa laporan ini akurat dan lengkap.').check();
      await page.getByLabel('Orang yang ditampilkan tidak menyetujui gambar ini dibuat atau disebarkan.').check();
      await page.getByLabel('Tanda tangan Anda (tidak wajib)').fill('Sari Dewi');
      await page.screenshot({ path: join(shots, 'report-id-filled.png'), fullPage: true });
      // Submitted from the keyboard: Enter in a text field sends the form.
      await Promise.all([page.waitForURL(/\/console\/report/), page.getByLabel('Tanda tangan Anda (tidak wajib)').press('Enter')]);
      await page.waitForSelector('#case-reference');

      assert.equal(await page.getAttribute('html', 'lang'), 'id');
      assert.match((await page.textContent('h1')) ?? '', /Laporan diterima/);
      const caseId = (await page.textContent('#case-reference'))!.trim();
      assert.match(caseId, /^case_[0-9a-f]{32}$/);
      assert.match((await page.textContent('#deadline')) ?? '', /24 jam \(Indonesia/);
      await axeClean(page, 'the confirmation page');
      await page.screenshot({ path: join(shots, 'report-received-id-desktop.png'), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: join(shots, 'report-received-id-phone.png'), fullPage: true });

      const res = await api('GET', `/v1/cases/${caseId}`);
      assert.equal(res.status, 200);
      const stored = (await res.json()) as { jurisdiction: string; category: string; reports: Array<{ reporter: { name: string; authenticated: boolean } }> };
      assert.equal(stored.jurisdiction, 'ID');
      assert.equal(stored.category, 'ncii');
      assert.equal(stored.reports[0]?.reporter.name, 'Sari Dewi');
      assert.equal(stored.reports[0]?.reporter.authenticated, false);

      await phoneAndDesktop(context, `${server.url}/console/report`, 'report-id');
    } finally {
      await context.close();
    }
  });

  test('the consent page hashes photos in the browser exactly as `perisai hash` does, sends only the hashes, and a later edit is refused', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (request) => requests.push(`${request.method()} ${request.url()} ${request.postData()?.length ?? 0}`));
      await page.goto(`${server.url}/console/consent`);
      await axeClean(page, 'the consent page in English');
      await page.getByLabel('Choose photos').setInputFiles([files['photo.png']!, files['photo.jpg']!, files['rotated.jpg']!]);
      await page.waitForFunction(() => document.querySelectorAll('code.pdq').length === 3, undefined, { timeout: 30_000 });
      const shown = await page.locator('code.pdq').allTextContents();
      const qualities = await page.locator('code.pdq').evaluateAll((nodes) => nodes.map((node) => Number((node as unknown as PageElement).dataset['quality'])));
      assert.ok(
        qualities.every((q) => q >= 50),
        `photos good enough to protect: ${qualities.join(', ')}`,
      );
      for (const [index, name] of ['photo.png', 'photo.jpg', 'rotated.jpg'].entries()) {
        const cli = await runCli(['hash', files[name]!]);
        assert.equal(cli.code, 0, cli.stderr);
        const serverHash = /^([0-9a-f]{64}),(\d+),/.exec(cli.stdout)?.[1];
        assert.ok(serverHash, cli.stdout);
        // Exact, for PNG and for JPEG alike (Chromium and sharp both decode with libjpeg-turbo).
        assert.equal(
          shown[index],
          serverHash,
          `${name}: browser ${shown[index]} vs server ${serverHash} (distance ${hammingDistance(shown[index]!, serverHash)})`,
        );
      }
      assert.match((await page.textContent('#only-hashes')) ?? '', /Only the hashes shown below leave your device/);
      await axeClean(page, 'the consent page with three photos hashed');
      await page.screenshot({ path: join(shots, 'consent-hashed-desktop.png'), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: join(shots, 'consent-hashed-phone.png'), fullPage: true });

      await page.getByRole('button', { name: 'Send these hashes' }).click();
      await page.waitForSelector('#consent-done, #consent-status .error');
      assert.ok(await page.$('#consent-done'), (await page.textContent('#consent-status')) ?? '');
      const reference = await page.getAttribute('#consent-done', 'data-reference');
      assert.match(reference ?? '', /^pr_[A-Za-z0-9_-]{22}$/);
      // What left the page: the page, its assets, and one small JSON of hashes. No photo bytes.
      const posts = requests.filter((line) => line.startsWith('POST'));
      assert.equal(posts.length, 1, posts.join('\n'));
      assert.match(posts[0]!, /\/console\/consent\/protect \d+$/);
      assert.ok(Number(posts[0]!.split(' ').at(-1)) < 2000, posts[0]);
      for (const line of requests) assert.ok(line.includes(server.url), `only this server is contacted: ${line}`);

      // Someone later takes the photo, re-encodes and resizes it, and asks for an AI edit.
      const edit = await sharp(files['photo.png']).resize(600, 450).jpeg({ quality: 72 }).toBuffer();
      const screened = await api('POST', '/v1/screen', {
        prompt: 'make her look older',
        subject: 'adult',
        requester: { id: 'someone-else' },
        images: [{ data: edit.toString('base64') }],
      });
      assert.equal(screened.status, 200);
      const decision = (await screened.json()) as { decision: string; categories: string[] };
      assert.equal(decision.decision, 'block');
      assert.ok(decision.categories.includes('consent_withheld'), JSON.stringify(decision));
    } finally {
      await context.close();
    }
  });

  test('every public page passes axe in both languages, fits a phone, and sends well under 200 kB of script', async (t) => {
    const context = await browser.newContext();
    try {
      for (const path of ['/console/report', '/console/consent']) {
        for (const lang of ['en', 'id']) {
          const page = await context.newPage();
          await page.goto(`${server.url}${path}?lang=${lang}`);
          assert.equal(await page.getAttribute('html', 'lang'), lang);
          await axeClean(page, `${path} in ${lang}`);
          const scripts = await page.$$eval('script[src]', (nodes) => nodes.map((node) => (node as unknown as PageElement).src));
          let total = 0;
          for (const src of scripts) total += gzipSync(Buffer.from(await (await fetch(src)).arrayBuffer())).length;
          assert.ok(scripts.length > 0 && total < 200_000, `${path}: ${total} bytes of gzipped script`);
          t.diagnostic(`${path}: ${scripts.length} script(s), ${total} bytes gzipped`);
          await page.close();
        }
      }
      await phoneAndDesktop(context, `${server.url}/console/consent?lang=id`, 'consent-id');
      t.diagnostic(`screenshots in ${shots}`);
    } finally {
      await context.close();
    }
  });
});
