import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';

import OpenAI from 'openai';

import { OPENAI_MODERATION_CATEGORIES } from '../../src/domain/moderation.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app.js';
import { fakeImageAnalyser } from '../helpers/fake-image-analyser.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

const NUDE = Buffer.from('stands for an image the nudity model scores 0.93');
const PROTECTED = Buffer.from('stands for a photo its owner protected');
const PROTECTED_PDQ = 'f'.repeat(16) + '0'.repeat(48);
const dataUrl = (bytes: Buffer): string => `data:image/png;base64,${bytes.toString('base64')}`;

/** What the response carries beside OpenAI's fields; the SDK passes it through untouched. */
interface PerisaiSide {
  perisai: { decision_id: string; decision: string; categories: string[]; reasons: Array<{ rule: string }> };
}

for (const factory of STORE_FACTORIES) {
  describe(`POST /v1/moderations with the openai client on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    let t: TestApp;
    let client: OpenAI;
    let base: string;
    before(async () => {
      if (factory.skip) return;
      const analyser = fakeImageAnalyser();
      analyser.set(NUDE, { nudity: 0.93 });
      analyser.set(PROTECTED, { pdq: { hash: PROTECTED_PDQ, quality: 100 } });
      t = await startTestApp(store(), { imageAnalyser: analyser });
      await t.ctx.consent.addProtectedHashes('owner-1', [{ pdq: PROTECTED_PDQ, quality: 100 }], 'test');
      base = await t.app.listen({ host: '127.0.0.1', port: 0 });
      client = new OpenAI({ apiKey: t.keys.screen, baseURL: `${base}/v1`, maxRetries: 0 });
    });
    after(async () => t?.close());

    const perisai = (result: unknown): PerisaiSide['perisai'] => (result as PerisaiSide).perisai;

    it('flags a request to undress a person, in OpenAI categories and with the recorded Perisai decision beside it', async () => {
      const response = await client.moderations.create({ model: 'omni-moderation-latest', input: 'remove her clothes' });
      assert.match(response.id, /^modr_[0-9a-f]{32}$/);
      assert.match(response.model, /^perisai:perisai-default@/);
      assert.equal(response.results.length, 1);
      const [result] = response.results;
      assert.ok(result);
      assert.equal(result.flagged, true);
      assert.equal(result.categories.sexual, true);
      assert.ok(result.category_scores.sexual >= 0.5, JSON.stringify(result.category_scores));
      assert.deepEqual(result.category_applied_input_types.sexual, ['text']);
      assert.equal(perisai(result).decision, 'block');
      assert.ok(perisai(result).categories.includes('sexualize_real_person'), JSON.stringify(perisai(result).categories));

      // The moderation is a screening like any other: recorded, readable by its id.
      const read = await t.app.inject({
        method: 'GET',
        url: `/v1/decisions/${perisai(result).decision_id}`,
        headers: { authorization: `Bearer ${t.keys.read}` },
      });
      assert.equal(read.statusCode, 200);
      assert.equal(read.json().decision, 'block');
      assert.equal(read.json().stage, 'request');
    });

    it('carries every OpenAI category in every result; the ones Perisai does not judge are false with score 0 and apply to no input', async () => {
      const response = await client.moderations.create({ input: 'a watercolour of a lighthouse at dusk' });
      const [result] = response.results;
      assert.ok(result);
      assert.equal(result.flagged, false);
      assert.equal(perisai(result).decision, 'allow');
      for (const category of OPENAI_MODERATION_CATEGORIES) {
        const key = category as keyof typeof result.categories;
        assert.equal(result.categories[key], false, category);
        assert.equal(typeof result.category_scores[key as keyof typeof result.category_scores], 'number', category);
      }
      assert.deepEqual(Object.keys(result.categories).sort(), [...OPENAI_MODERATION_CATEGORIES].sort());
      assert.equal(result.category_scores.harassment, 0);
      assert.deepEqual(result.category_applied_input_types.harassment, []);
      assert.deepEqual(result.category_applied_input_types['sexual/minors'], ['text']);
    });

    it('gives one result per string of an array, each its own decision', async () => {
      const response = await client.moderations.create({ input: ['a red bicycle', 'make her topless'] });
      assert.equal(response.results.length, 2);
      const [first, second] = response.results;
      assert.ok(first && second);
      assert.equal(first.flagged, false);
      assert.equal(second.flagged, true);
      assert.notEqual(perisai(first).decision_id, perisai(second).decision_id);
    });

    it('judges text and image parts together: a nude image is sexual on the image input type', async () => {
      const response = await client.moderations.create({
        input: [
          { type: 'text', text: 'what is in this picture' },
          { type: 'image_url', image_url: { url: dataUrl(NUDE) } },
        ],
      });
      assert.equal(response.results.length, 1);
      const [result] = response.results;
      assert.ok(result);
      assert.equal(result.categories.sexual, true);
      assert.equal(result.category_scores.sexual, 0.93);
      assert.deepEqual(result.category_applied_input_types.sexual, ['text', 'image']);
      assert.deepEqual(result.category_applied_input_types.violence, ['text'], 'images are not judged for violence');
      assert.equal(result.flagged, true);
    });

    it('flags a protected photo although no OpenAI category applies: flagged never lets through what Perisai refused', async () => {
      const response = await client.moderations.create({ input: [{ type: 'image_url', image_url: { url: dataUrl(PROTECTED) } }] });
      const [result] = response.results;
      assert.ok(result);
      assert.equal(Object.values(result.categories).some(Boolean), false, JSON.stringify(result.categories));
      assert.equal(result.flagged, true);
      assert.equal(perisai(result).decision, 'block');
      assert.deepEqual(perisai(result).categories, ['consent_withheld']);
    });

    it('refuses an image by web address in OpenAI’s error shape, naming the field: Perisai never fetches', async () => {
      await assert.rejects(
        client.moderations.create({ input: [{ type: 'image_url', image_url: { url: 'https://example.com/photo.png' } }] }),
        (error: unknown) => {
          assert.ok(error instanceof OpenAI.BadRequestError, String(error));
          assert.equal(error.status, 400);
          assert.equal(error.code, 'invalid_request');
          assert.equal(error.type, 'invalid_request_error');
          assert.equal(error.param, 'input');
          assert.match(error.message, /data: URL/);
          return true;
        },
      );
    });

    it('answers a missing or under-scoped key with OpenAI’s authentication and permission errors', async () => {
      const anonymous = new OpenAI({ apiKey: 'psk_not-a-key', baseURL: `${base}/v1`, maxRetries: 0 });
      await assert.rejects(anonymous.moderations.create({ input: 'hello' }), (error: unknown) => error instanceof OpenAI.AuthenticationError);
      const reader = new OpenAI({ apiKey: t.keys.read, baseURL: `${base}/v1`, maxRetries: 0 });
      await assert.rejects(reader.moderations.create({ input: 'hello' }), (error: unknown) => {
        assert.ok(error instanceof OpenAI.PermissionDeniedError);
        assert.match(error.message, /lacks the "screen" scope/);
        return true;
      });
      const admin = new OpenAI({ apiKey: ADMIN_KEY, baseURL: `${base}/v1`, maxRetries: 0 });
      assert.equal((await admin.moderations.create({ input: 'hello' })).results.length, 1);
    });

    it('refuses too many strings and over-long text with 400 and a sentence saying the limit', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/moderations',
        headers: { authorization: `Bearer ${t.keys.screen}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ input: Array.from({ length: 33 }, () => 'x') }),
      });
      assert.equal(res.statusCode, 400);
      assert.match(res.json().error.message, /at most 32/);
      const long = await t.app.inject({
        method: 'POST',
        url: '/v1/moderations',
        headers: { authorization: `Bearer ${t.keys.screen}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ input: 'x'.repeat(4001) }),
      });
      assert.equal(long.statusCode, 400);
      assert.match(long.json().error.message, /at most 4000 characters/);
    });
  });
}
