import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import sharp from 'sharp';

import { verifyAuditLog } from '../../src/store/repositories/audit-log.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

for (const factory of STORE_FACTORIES) {
  describe(`POST /v1/screen on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    let t: TestApp;
    before(async () => {
      if (!factory.skip) t = await startTestApp(store());
    });
    after(async () => t?.close());

    const screen = (body: unknown, key: string = t.keys.screen) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/screen',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });

    it('blocks the obvious English case end to end and records it', async () => {
      const res = await screen({ prompt: 'put her in a bikini', subject: 'adult', requester: { id: 'acct-7', country: 'ID' }, jurisdiction: 'ID' });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.decision, 'block');
      assert.deepEqual(body.categories, ['sexualize_real_person']);
      assert.match(body.id, /^dec_[0-9a-f]{32}$/);
      assert.match(body.policy_version, /^perisai-default@/);
      assert.ok(body.reasons[0].evidence.some((e: { text?: string }) => e.text?.toLowerCase().includes('bikini')));

      const read = await t.app.inject({ method: 'GET', url: `/v1/decisions/${body.id}`, headers: { authorization: `Bearer ${t.keys.read}` } });
      assert.equal(read.statusCode, 200);
      assert.deepEqual(read.json(), body);
      assert.equal((await verifyAuditLog(store().store.db)).ok, true);
    });

    it('records the text model version with the decision, and its evidence for what it raised', async () => {
      const res = await screen({ prompt: 'make her wear way less fabric', subject: 'adult' });
      const body = res.json();
      const model = body.signals.detectors.find((d: string) => d.startsWith('model:'));
      assert.match(model ?? '', /^model:perisai-intent@\d+\.\d+\.\d+\+[0-9a-f]{12}$/);
      assert.equal(`model:${body.signals.text_model.name}@${body.signals.text_model.version}`, model);
      assert.ok(body.signals.text_model.scores.revealing >= 0.5, JSON.stringify(body.signals.text_model.scores));
      // The lexicon has no word here; the block stands on the model's evidence, spans of the prompt.
      assert.equal(body.decision, 'block');
      const evidence = body.reasons
        .flatMap((r: { evidence: Array<{ detail: string; text?: string }> }) => r.evidence)
        .filter((e: { detail: string }) => e.detail.startsWith('model:'));
      assert.ok(evidence.length > 0, JSON.stringify(body.reasons));
      for (const e of evidence) assert.ok('make her wear way less fabric'.includes(e.text ?? '?'), e.text);
      const stored = (await t.app.inject({ method: 'GET', url: `/v1/decisions/${body.id}`, headers: { authorization: `Bearer ${t.keys.read}` } })).json();
      assert.deepEqual(stored.signals.detectors, body.signals.detectors);
    });

    it('allows a benign edit', async () => {
      const res = await screen({ prompt: 'put her in a winter coat and scarf', subject: 'adult' });
      assert.equal(res.json().decision, 'allow');
      assert.deepEqual(res.json().reasons, []);
    });

    it('blocks explicit requests about nobody as nudity and minors as minor_sexual', async () => {
      assert.deepEqual((await screen({ prompt: 'a completely nude woman, explicit', subject: 'none' })).json().categories, ['nudity']);
      const revealing = (await screen({ prompt: 'put her in a bikini', subject: 'minor' })).json();
      assert.ok(revealing.categories.includes('minor_sexual'));
      assert.ok(!revealing.actions.includes('escalate'), 'revealing clothing on a minor is refused, not escalated');
      const minor = (await screen({ prompt: 'make her pose seductively', subject: 'minor' })).json();
      assert.ok(minor.categories.includes('minor_sexual'));
      assert.ok(minor.actions.includes('escalate'));
    });

    it('holds an image for review when the image models are turned off (fail closed), still hashing it', async () => {
      const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#3366aa' } })
        .png()
        .toBuffer();
      const res = await screen({ prompt: 'make it brighter', images: [{ data: png.toString('base64') }], subject: 'adult' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().decision, 'review');
      assert.deepEqual(res.json().categories, ['detector_failure']);
      assert.match(res.json().signals.images[0].sha256, /^[0-9a-f]{64}$/);
      assert.match(res.json().signals.images[0].pdq.hash, /^[0-9a-f]{64}$/);
    });

    it('accepts base64 wrapped in lines as `base64` prints it, hashing the same bytes', async () => {
      const png = await sharp({ create: { width: 48, height: 40, channels: 3, background: '#aa6633' } })
        .png()
        .toBuffer();
      const flat = png.toString('base64');
      const wrapped = (flat.match(/.{1,76}/g) ?? []).join('\n') + '\n';
      const crlf = (flat.match(/.{1,64}/g) ?? []).join('\r\n');
      const hashes = [];
      for (const data of [flat, wrapped, crlf]) {
        const res = await screen({ prompt: 'make it brighter', images: [{ data }], subject: 'adult' });
        assert.equal(res.statusCode, 200, res.body);
        hashes.push(res.json().signals.images[0].sha256);
      }
      assert.equal(new Set(hashes).size, 1, JSON.stringify(hashes));
    });

    it('requires a key with the screen scope', async () => {
      const none = await t.app.inject({ method: 'POST', url: '/v1/screen', headers: { 'content-type': 'application/json' }, payload: '{"prompt":"x"}' });
      assert.equal(none.statusCode, 401);
      assert.equal(none.json().error, 'unauthorized');
      assert.match(none.json().message, /Authorization: Bearer/);
      assert.equal((await screen({ prompt: 'x' }, 'psk_wrong_wrong_wrong_wrong')).statusCode, 401);
      const wrongScope = await screen({ prompt: 'x' }, t.keys.read);
      assert.equal(wrongScope.statusCode, 403);
      assert.match(wrongScope.json().message, /"screen" scope/);
      assert.equal((await screen({ prompt: 'x' }, ADMIN_KEY)).statusCode, 200);
    });

    it('explains invalid bodies field by field and stays up', async () => {
      const cases: Array<[unknown, RegExp]> = [
        [{ prompt: 42 }, /body\.prompt must be a string, not a number/],
        [{}, /body\.prompt is required/],
        [{ prompt: 'x', colour: 'red' }, /unknown field "colour"/],
        [{ prompt: 'x', subject: 'child' }, /body\.subject must be one of "adult", "minor", "none", "unknown"/],
        [{ prompt: 'x', images: [{ data: 'not base64!!' }] }, /body\.images\[0\]\.data is not valid base64/],
        [{ prompt: 'x', requester: { id: 'a', country: 'indonesia' } }, /body\.requester\.country must be an ISO 3166-1/],
        [{ prompt: 'x'.repeat(5000) }, /body\.prompt is too long/],
        [{ prompt: '' }, /body\.prompt is empty: send the instruction/],
        [{ prompt: ' \n\t ' }, /body\.prompt is empty/],
        [{ prompt: 'x', images: [{ data: 'QUJD\nR!==' }] }, /body\.images\[0\]\.data is not valid base64/],
        [[1, 2], /body must be an object, not an array/],
      ];
      for (const [body, message] of cases) {
        const res = await screen(body);
        assert.equal(res.statusCode, 400, `${JSON.stringify(body).slice(0, 60)} → ${res.body}`);
        assert.equal(res.json().error, 'invalid_request');
        assert.match(res.json().message, message);
      }
    });

    it('rejects malformed JSON, wrong content types and oversize bodies with 4xx', async () => {
      const bad = await t.app.inject({
        method: 'POST',
        url: '/v1/screen',
        headers: { authorization: `Bearer ${t.keys.screen}`, 'content-type': 'application/json' },
        payload: '{"prompt": "x",',
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error, 'invalid_json');
      const xml = await t.app.inject({
        method: 'POST',
        url: '/v1/screen',
        headers: { authorization: `Bearer ${t.keys.screen}`, 'content-type': 'application/xml' },
        payload: '<a/>',
      });
      assert.equal(xml.statusCode, 415);
      assert.match(xml.json().message, /Content-Type: application\/json/);
      const text = await t.app.inject({
        method: 'POST',
        url: '/v1/screen',
        headers: { authorization: `Bearer ${t.keys.screen}`, 'content-type': 'text/plain' },
        payload: 'hello',
      });
      assert.equal(text.statusCode, 400);
      assert.match(text.json().message, /body must be an object, not a string/);
      const huge = await t.app.inject({
        method: 'POST',
        url: '/v1/screen',
        headers: { authorization: `Bearer ${t.keys.screen}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ prompt: 'x', images: [{ data: 'A'.repeat(120 * 1024 * 1024) }] }),
      });
      assert.equal(huge.statusCode, 413);
      assert.equal(huge.json().error, 'payload_too_large');
      assert.equal((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    });

    it('answers 404 for unknown decisions and bad ids', async () => {
      const missing = await t.app.inject({ method: 'GET', url: `/v1/decisions/dec_${'0'.repeat(32)}`, headers: { authorization: `Bearer ${t.keys.read}` } });
      assert.equal(missing.statusCode, 404);
      const badId = await t.app.inject({ method: 'GET', url: '/v1/decisions/nope', headers: { authorization: `Bearer ${t.keys.read}` } });
      assert.equal(badId.statusCode, 400);
      assert.match(badId.json().message, /path\.id must be a decision id/);
    });
  });
}

describe('service endpoints', () => {
  const store = useStore(STORE_FACTORIES[0]!);
  let t: TestApp;
  before(async () => {
    t = await startTestApp(store());
  });
  after(async () => t?.close());

  test('health, readiness, OpenAPI and docs', async () => {
    assert.deepEqual((await t.app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });
    const ready = (await t.app.inject({ method: 'GET', url: '/readyz' })).json();
    assert.equal(ready.status, 'ready');
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/v1/screen'].post);
    assert.deepEqual(doc.components.schemas.ScreenRequest.required, ['prompt']);
    const docs = await t.app.inject({ method: 'GET', url: '/docs' });
    assert.match(docs.headers['content-type'] as string, /text\/html/);
    assert.match(docs.body, /POST \/v1\/screen/);
  });

  test('the OpenAPI servers and the docs example use the address the client reached', async () => {
    const headers = { host: 'safety.example.test:9443' };
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json', headers })).json();
    assert.deepEqual(doc.servers, [{ url: 'http://safety.example.test:9443' }]);
    const docs = await t.app.inject({ method: 'GET', url: '/docs', headers });
    assert.match(docs.body, /curl -s http:\/\/safety\.example\.test:9443\/v1\/screen/);
  });

  test('metrics count decisions by outcome and category', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/v1/screen',
      headers: { authorization: `Bearer ${t.keys.screen}`, 'content-type': 'application/json' },
      payload: '{"prompt":"remove her clothes","subject":"adult"}',
    });
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /perisai_decisions_total\{stage="request",decision="block"\} [1-9]/);
    assert.match(metrics, /perisai_decision_categories_total\{stage="request",category="sexualize_real_person"\} [1-9]/);
    assert.match(metrics, /perisai_screen_duration_seconds_bucket/);
    // The blocked requests above enqueued strikes; no handler runs them in this app.
    assert.match(metrics, /perisai_jobs\{status="pending"\} [1-9]/);
    assert.match(metrics, /perisai_jobs\{status="failed"\} 0/);
  });

  test('unknown routes say where the docs are', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v2/nothing' });
    assert.equal(res.statusCode, 404);
    assert.match(res.json().message, /see \/docs/);
  });
});
