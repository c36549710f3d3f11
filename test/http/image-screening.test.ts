import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';

import { type FixedScores, NEUTRAL_NUDITY } from '../../src/image/detectors/fixed-score-detector.js';
import { type ClosableImageAnalyser, createImageAnalyser } from '../../src/image/image-analyser.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app.js';
import { STORE_FACTORIES, useStore } from '../helpers/stores.js';

/**
 * The image path end to end through HTTP: real decoding and PDQ, the real worker pool, and a
 * worker answering fixed scores (the repository holds no sexual imagery and no image of a child).
 */
const FIXED_WORKER = new URL('../fixtures/workers/fixed-score-worker.ts', import.meta.url);
/** A PNG whose header claims width×height; the decoder refuses it before allocating anything. */
function pngClaiming(width: number, height: number): Buffer {
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1024))), chunk('IEND', new Uint8Array(0))]);
}

const PHOTO = readFileSync(new URL('../fixtures/pdq/synthetic/02-plasma-512x512.png', import.meta.url)).toString('base64');
const PHOTO_PDQ = 'dee327e5e9e247fb7749382d6ee38b3485902a1419b9b22f026ec60b22ead0d5';
const face = (age: number) => ({ box: [10, 10, 100, 100] as [number, number, number, number], score: 0.98, age });

async function appWith(store: Parameters<typeof startTestApp>[0], scores: FixedScores, pool: { size?: number; queueLimit?: number; timeoutMs?: number } = {}) {
  const analyser = createImageAnalyser({ models: true, pool: { size: 1, workerModule: FIXED_WORKER, workerOptions: scores, ...pool } });
  return { analyser, t: await startTestApp(store, { imageAnalyser: analyser }) };
}

/** Starts an app whose worker answers `scores` before the suite's tests, and stops it after. */
function useAppWith(store: () => Parameters<typeof startTestApp>[0], scores: FixedScores): () => TestApp {
  let started: { t: TestApp; analyser: ClosableImageAnalyser } | undefined;
  before(async () => {
    started = await appWith(store(), scores);
  });
  after(async () => {
    await started?.t.close();
    await started?.analyser.close();
  });
  return () => started!.t;
}

function screen(t: TestApp, body: unknown) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/screen',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

describe('reference and output images through the detector pool', () => {
  const store = useStore(STORE_FACTORIES[0]!);

  describe('a young face in the reference', () => {
    const app = useAppWith(store, { nudity: NEUTRAL_NUDITY, faces: { count: 1, faces: [face(16)] } });

    test('a suggestive edit is blocked and escalated as minor_sexual even without a subject hint', async () => {
      const res = await screen(app(), { prompt: 'make her pose seductively in lingerie', images: [{ data: PHOTO }] });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.decision, 'block');
      assert.ok(body.categories.includes('minor_sexual'));
      assert.ok(body.actions.includes('escalate'));
      assert.equal(body.signals.images[0].pdq.hash, PHOTO_PDQ);
      assert.deepEqual(body.signals.images[0].faces, { count: 1, ages: [16] });
    });

    test('a neutral edit of the same photo is allowed', async () => {
      assert.equal((await screen(app(), { prompt: 'add a birthday hat', images: [{ data: PHOTO }] })).json().decision, 'allow');
    });
  });

  describe('an adult face in the reference', () => {
    const app = useAppWith(store, { nudity: NEUTRAL_NUDITY, faces: { count: 1, faces: [face(34)] } });

    test('a face means a real person even when the caller says the image shows no one', async () => {
      const body = (await screen(app(), { prompt: 'remove her clothes', subject: 'none', images: [{ data: PHOTO }] })).json();
      assert.equal(body.decision, 'block');
      assert.ok(body.categories.includes('sexualize_real_person'), body.categories.join());
    });
  });

  describe('an explicit output', () => {
    const app = useAppWith(store, { nudity: { drawing: 0, hentai: 0.02, neutral: 0.01, porn: 0.95, sexy: 0.02 }, faces: { count: 0, faces: [] } });

    test('is blocked before anyone sees it, and recorded in the ledger', async () => {
      const request = (await screen(app(), { prompt: 'a sunset over the sea', subject: 'none' })).json();
      const res = await app().app.inject({
        method: 'POST',
        url: '/v1/screen/output',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ request_id: request.id, image: { data: PHOTO } }),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().decision, 'block');
      assert.deepEqual(res.json().categories, ['nudity']);
      const lookup = await app().app.inject({
        method: 'POST',
        url: '/v1/ledger/lookup',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ pdq: PHOTO_PDQ }),
      });
      assert.ok(lookup.json().matches.some((m: { request_id: string; decision: string }) => m.request_id === request.id && m.decision === 'block'));
    });
  });

  describe('failing and busy detectors', () => {
    test('a detector that fails yields review with detector_failure, never allow', async () => {
      const { t, analyser } = await appWith(store(), { fail: 'model exploded' });
      try {
        const body = (await screen(t, { prompt: 'make it brighter', subject: 'none', images: [{ data: PHOTO }] })).json();
        assert.equal(body.decision, 'review');
        assert.deepEqual(body.categories, ['detector_failure']);
        assert.match(JSON.stringify(body.signals.failures), /model exploded/);
      } finally {
        await t.close();
        await analyser.close();
      }
    });

    test('a full queue answers 503 with Retry-After instead of slowing everyone', async () => {
      const { t, analyser } = await appWith(store(), { nudity: NEUTRAL_NUDITY, faces: { count: 0, faces: [] }, delayMs: 400 }, { size: 1, queueLimit: 1 });
      try {
        const results = await Promise.all(
          Array.from({ length: 4 }, () => screen(t, { prompt: 'make it brighter', subject: 'none', images: [{ data: PHOTO }] })),
        );
        const busy = results.filter((res) => res.statusCode === 503);
        assert.ok(busy.length >= 1, results.map((r) => `${r.statusCode} ${r.body.slice(0, 200)}`).join('\n'));
        assert.equal(busy[0]!.json().error, 'detector_busy');
        assert.match(String(busy[0]!.headers['retry-after']), /^\d+$/);
        assert.ok(results.some((res) => res.statusCode === 200));
      } finally {
        await t.close();
        await analyser.close();
      }
    });

    test('an undecodable image is a 4xx that names the problem', async () => {
      const { t, analyser } = await appWith(store(), { nudity: NEUTRAL_NUDITY });
      try {
        const truncated = Buffer.from(PHOTO, 'base64').subarray(0, 2000).toString('base64');
        const res = await screen(t, { prompt: 'make it brighter', images: [{ data: truncated }] });
        assert.equal(res.statusCode, 422, res.body);
        assert.equal(res.json().error, 'image_truncated');
        const text = await screen(t, {
          prompt: 'make it brighter',
          images: [{ data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>').toString('base64') }],
        });
        assert.equal(text.statusCode, 415);
        assert.equal(text.json().error, 'image_unsupported_format');
        // Over the pixel limit is a size limit like any other: 413, as the OpenAPI document says.
        const huge = await screen(t, { prompt: 'make it brighter', images: [{ data: pngClaiming(50_000, 50_000).toString('base64') }] });
        assert.equal(huge.statusCode, 413, huge.body);
        assert.equal(huge.json().error, 'image_too_many_pixels');
        assert.match(huge.json().message, /the limit is .* pixels per side: resize it/);
      } finally {
        await t.close();
        await analyser.close();
      }
    });
  });
});
