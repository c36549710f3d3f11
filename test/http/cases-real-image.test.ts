import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';

import sharp from 'sharp';

import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

/** A synthetic picture (bands and blocks, no person): enough structure for a confident PDQ. */
async function syntheticImage(): Promise<Buffer> {
  const size = 256;
  const pixels = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      const band = Math.floor(x / 32) % 2 === 0 ? 200 : 40;
      const block = x > 96 && x < 192 && y > 64 && y < 160 ? 255 : 0;
      pixels[i] = band;
      pixels[i + 1] = Math.max(block, Math.round((y / size) * 255));
      pixels[i + 2] = Math.round(((x + y) / (2 * size)) * 255);
    }
  }
  return sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
}

for (const factory of STORE_FACTORIES) {
  describe(`a reported image banked from its case, with the real image pipeline, on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    let t: TestApp;
    before(async () => {
      if (factory.skip) return;
      t = await startTestApp(store());
    });
    after(async () => t?.close());

    const send = (method: 'GET' | 'POST', url: string, body: unknown) =>
      t.app.inject({ method, url, headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });

    it('its re-encoded, resized copy is refused at screening, and a fresh report of the copy is removed automatically', async () => {
      const original = await syntheticImage();
      const copy = await sharp(original).resize(200, 200).jpeg({ quality: 70 }).toBuffer();
      const screenCopy = async () =>
        (await send('POST', '/v1/screen', { prompt: 'make it brighter', subject: 'none', images: [{ data: copy.toString('base64') }] })).json();
      assert.ok(!(await screenCopy()).categories.includes('bank_match'));

      assert.equal((await send('POST', '/v1/banks', { name: 'takedowns', purpose: 'takedown' })).statusCode, 201);
      const report = await send('POST', '/v1/reports', {
        reporter: { type: 'user', email: 'u@example.org' },
        jurisdiction: 'US',
        category: 'sexual_deepfake',
        content: { url: 'https://platform.example/p/77', image: original.toString('base64') },
      });
      assert.equal(report.statusCode, 201, report.body);
      const banked = await send('POST', `/v1/cases/${report.json().case_id}/actions`, { type: 'bank' });
      assert.equal(banked.statusCode, 200, banked.body);

      const decision = await screenCopy();
      assert.equal(decision.decision, 'block', JSON.stringify(decision.reasons));
      assert.ok(decision.categories.includes('bank_match'));

      const again = await send('POST', '/v1/reports', {
        reporter: { type: 'user', email: 'v@example.org' },
        jurisdiction: 'FR',
        category: 'sexual_deepfake',
        content: { url: 'https://platform.example/p/78', image: copy.toString('base64') },
      });
      // The copy joins the open case about the original (PDQ merge), which the bank action left in review: removed at once.
      assert.equal(again.json().case_id, report.json().case_id);
      assert.equal(again.json().removed_automatically.bank, 'takedowns');
      assert.equal((await t.ctx.audit.verify()).ok, true);
    });
  });
}
