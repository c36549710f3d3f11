import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe } from 'node:test';

import OpenAI, { toFile } from 'openai';
import sharp from 'sharp';

import { verifyProvenance } from '../../src/provenance/verify.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app.js';
import { developmentCredentials, rgbPixels } from '../helpers/c2pa.js';
import { fakeImageAnalyser } from '../helpers/fake-image-analyser.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';
import { startUpstreamImages, type UpstreamImageServer } from '../helpers/upstream-images.js';

const UPSTREAM_KEY = 'sk-upstream-secret-123456';
/** A protected photo's PDQ, as its owner registered it. */
const PROTECTED_PDQ = 'f'.repeat(16) + '0'.repeat(16) + 'a5'.repeat(16);

/** Synthetic reference "photos": flat colours, distinct bytes. */
const photo = (background: string) =>
  sharp({ create: { width: 48, height: 48, channels: 3, background } })
    .png()
    .toBuffer();
/** A mask: transparent square in an opaque image, as OpenAI's edits take it. */
const maskImage = () =>
  sharp({ create: { width: 48, height: 48, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 1 } } })
    .composite([
      { input: { create: { width: 16, height: 16, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }, left: 16, top: 16, blend: 'dest-out' },
    ])
    .png()
    .toBuffer();

interface Served {
  t: TestApp;
  base: string;
  /** The real OpenAI client pointed at Perisai, and the raw body of the last answer it read. */
  client: OpenAI;
  last: () => Record<string, unknown>;
}

/** A Perisai key with scope `images`, and the official client over loopback with no retries. */
async function serve(t: TestApp): Promise<Served> {
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const key = (await t.ctx.apiKeys.create('images', ['images'], 'test')).secret;
  let last: Record<string, unknown> = {};
  const client = new OpenAI({
    apiKey: key,
    baseURL: `${base}/v1`,
    maxRetries: 0,
    timeout: 20_000,
    // The SDK keeps only `error` of an error body; the recorder lets the tests read `perisai` beside it.
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      last = (await response.clone().json()) as Record<string, unknown>;
      return response;
    },
  });
  return { t, base, client, last: () => last };
}

async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error;
    throw error;
  }
  assert.fail('the call succeeded');
}

/** The upstream's pixels exactly, carrying a valid C2PA manifest. */
async function assertSignedCopy(returned: Buffer, upstreamImage: Buffer): Promise<void> {
  assert.deepEqual(await rgbPixels(returned), await rgbPixels(upstreamImage));
  const manifest = await verifyProvenance(returned);
  assert.equal(manifest.valid, true, manifest.problems.join(' '));
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

for (const factory of STORE_FACTORIES) {
  describe(`the guarded image API with the official OpenAI client on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    const analyser = fakeImageAnalyser();
    let upstream: UpstreamImageServer;
    let s: Served;
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(`${s.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

    before(async () => {
      if (factory.skip) return;
      upstream = await startUpstreamImages();
      const t = await startTestApp(
        store(),
        { imageAnalyser: analyser, provenanceCredentials: await developmentCredentials() },
        { upstreamUrl: upstream.url, upstreamKey: UPSTREAM_KEY, upstreamTimeoutSeconds: 0.5, rateLimit: 0 },
      );
      s = await serve(t);
    });
    after(async () => {
      await s?.t.close();
      await upstream?.close();
    });

    it('an allowed generation returns the upstream image as b64_json in OpenAI shape, screened, recorded in the ledger and signed', async () => {
      upstream.mode = 'b64';
      const prompt = 'a lighthouse on a cliff at dusk, watercolour';
      const result = await s.client.images.generate({ prompt, model: 'gpt-image-1', size: '1024x1024', quality: 'low', user: 'acct-gen' });
      const expected = await upstream.imageFor(prompt, 0);
      assert.equal(result.data?.length, 1);
      const returned = Buffer.from(result.data![0]!.b64_json!, 'base64');
      // The upstream's pixels, with a signed manifest added (no label: no jurisdiction asked for one).
      assert.deepEqual(await rgbPixels(returned), await rgbPixels(expected));
      assert.equal(result.data![0]!.revised_prompt, `${prompt} (revised)`);
      assert.equal(result.created, 1_765_000_000);
      assert.equal(result.output_format, 'png');
      assert.equal(result.size, '64x64');
      assert.equal(result.usage?.total_tokens, 100);
      // Forwarded as sent, with the upstream's key, not the client's.
      const sent = upstream.received.at(-1)!;
      assert.equal(sent.path, '/v1/images/generations');
      assert.equal(sent.authorization, `Bearer ${UPSTREAM_KEY}`);
      assert.deepEqual(sent.fields, { prompt, model: 'gpt-image-1', size: '1024x1024', quality: 'low', user: 'acct-gen' });

      const perisai = s.last().perisai as { request_decision_id: string; outputs: Array<{ decision_id: string; decision: string; returned: boolean }> };
      const request = await admin('GET', `/v1/decisions/${perisai.request_decision_id}`);
      assert.equal(request.body.decision, 'allow');
      assert.deepEqual(request.body.requester, { id: 'acct-gen' });
      const output = await admin('GET', `/v1/decisions/${perisai.outputs[0]!.decision_id}`);
      assert.equal(output.body.stage, 'output');
      assert.equal(output.body.request_id, perisai.request_decision_id);
      const ledger = await admin('POST', '/v1/ledger/lookup', { sha256: sha256(expected) });
      assert.deepEqual(
        (ledger.body.matches as Array<{ decision_id: string; requester_id: string }>).map((m) => [m.decision_id, m.requester_id]),
        [[perisai.outputs[0]!.decision_id, 'acct-gen']],
      );
      // Signed with its own output decision and the request it belongs to.
      const manifest = await verifyProvenance(returned);
      assert.equal(manifest.valid, true, manifest.problems.join(' '));
      assert.equal(manifest.digitalSourceType, 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia');
      assert.equal(manifest.decisionId, perisai.outputs[0]!.decision_id);
      assert.equal(manifest.requestDecisionId, perisai.request_decision_id);
      assert.equal(manifest.policyVersion, output.body.policy_version);
      assert.equal(manifest.generator, 'gpt-image-1');
    });

    it('an allowed edit forwards the images, mask and fields as multipart, and returns the screened result', async () => {
      upstream.mode = 'b64';
      const [first, second, mask] = await Promise.all([photo('#3366aa'), photo('#aa6633'), maskImage()]);
      const prompt = 'make the sky behind me purple';
      const result = await s.client.images.edit(
        {
          image: [await toFile(first, 'me.png', { type: 'image/png' }), await toFile(second, 'me-too.png', { type: 'image/png' })],
          mask: await toFile(mask, 'mask.png', { type: 'image/png' }),
          prompt,
          model: 'gpt-image-1',
          n: 1,
          size: '1024x1024',
          background: 'opaque',
        },
        { headers: { 'X-Perisai-Requester': 'alice', 'X-Perisai-Image-Owner': 'alice', 'X-Perisai-Subject': 'adult', 'X-Perisai-Jurisdiction': 'ID' } },
      );
      await assertSignedCopy(Buffer.from(result.data![0]!.b64_json!, 'base64'), await upstream.imageFor(prompt, 0));
      const sent = upstream.received.at(-1)!;
      assert.equal(sent.path, '/v1/images/edits');
      assert.deepEqual(sent.fields, { prompt, model: 'gpt-image-1', n: '1', size: '1024x1024', background: 'opaque' });
      assert.deepEqual(
        sent.files.map((f) => [f.field, f.type, f.bytes.equals(f.field === 'mask' ? mask : f.name === 'me.png' ? first : second)]),
        [
          ['image[]', 'image/png', true],
          ['image[]', 'image/png', true],
          ['mask', 'image/png', true],
        ],
      );
      // Every image and the mask were screened with the request, owned by alice, asked by alice.
      const perisai = s.last().perisai as { request_decision_id: string };
      const request = await admin('GET', `/v1/decisions/${perisai.request_decision_id}`);
      const images = (request.body.signals as { images: Array<{ sha256: string; owner: string }> }).images;
      assert.deepEqual(
        images.map((i) => [i.sha256, i.owner]),
        [first, second, mask].map((b) => [sha256(b), 'alice']),
      );
      assert.equal(request.body.jurisdiction, 'ID');
      assert.equal(request.body.subject, 'adult');
    });

    it("an edit of someone's protected photo is refused with moderation_blocked on param image; nothing reaches the upstream", async () => {
      const victim = await photo('#11aa44');
      analyser.set(victim, { pdq: { hash: PROTECTED_PDQ, quality: 100 } });
      assert.equal((await admin('POST', '/v1/consent/bella/protected-hashes', { hashes: [{ pdq: PROTECTED_PDQ, quality: 100 }] })).status, 201);
      const sentBefore = upstream.received.length;
      const error = await rejection(
        s.client.images.edit(
          { image: await toFile(victim, 'bella.png', { type: 'image/png' }), prompt: 'change the background to a beach' },
          { headers: { 'X-Perisai-Requester': 'mallory', 'X-Perisai-Subject': 'adult' } },
        ),
      );
      assert.equal(error.status, 400);
      assert.equal(error.code, 'moderation_blocked');
      assert.equal(error.type, 'invalid_request_error');
      assert.equal(error.param, 'image');
      assert.match(error.message, /refused and was not sent to the image model/);
      const perisai = s.last().perisai as { decision_id: string; decision: string; categories: string[] };
      assert.equal(perisai.decision, 'block');
      assert.ok(perisai.categories.length > 0);
      assert.equal((await admin('GET', `/v1/decisions/${perisai.decision_id}`)).body.decision, 'block');
      assert.equal(upstream.received.length, sentBefore);
    });

    it('a request to sexualise a person is refused with moderation_blocked, its reasons and decision in the perisai field', async () => {
      const sentBefore = upstream.received.length;
      const error = await rejection(
        s.client.images.edit(
          { image: await toFile(await photo('#777777'), 'her.png', { type: 'image/png' }), prompt: 'remove her clothes' },
          { headers: { 'X-Perisai-Subject': 'adult' } },
        ),
      );
      assert.equal(error.status, 400);
      assert.equal(error.code, 'moderation_blocked');
      assert.equal(error.param, 'prompt');
      assert.match(error.message, /Sexualising edits of a real person/);
      const body = s.last();
      assert.deepEqual(Object.keys(body).sort(), ['error', 'perisai']);
      const perisai = body.perisai as { decision_id: string; decision: string; categories: string[]; reasons: Array<{ rule: string }> };
      assert.match(perisai.decision_id, /^dec_[0-9a-f]{32}$/);
      assert.ok(perisai.categories.includes('sexualize_real_person'), perisai.categories.join());
      assert.ok(perisai.reasons.length > 0);
      assert.equal(upstream.received.length, sentBefore);
    });

    it('a request held for review is refused too (fail closed): a drop-in client cannot wait for a reviewer', async () => {
      const unclear = await photo('#5500ff');
      analyser.set(unclear, { fail: 'crashed' });
      const sentBefore = upstream.received.length;
      const error = await rejection(
        s.client.images.edit(
          { image: await toFile(unclear, 'x.png', { type: 'image/png' }), prompt: 'add a hat' },
          { headers: { 'X-Perisai-Subject': 'none' } },
        ),
      );
      assert.equal(error.status, 400);
      assert.equal(error.code, 'moderation_blocked');
      const perisai = s.last().perisai as { decision: string; categories: string[] };
      assert.equal(perisai.decision, 'review');
      assert.match(error.message, /held for review by a person/);
      assert.equal(upstream.received.length, sentBefore);
    });

    it('with n=2, an output the image detector flags is withheld and noted; the other is returned', async () => {
      upstream.mode = 'b64';
      const prompt = 'two views of a mountain lake';
      analyser.set(await upstream.imageFor(prompt, 1), { nudity: 0.99 });
      const result = await s.client.images.generate({ prompt, n: 2 });
      assert.equal(result.data?.length, 1);
      await assertSignedCopy(Buffer.from(result.data![0]!.b64_json!, 'base64'), await upstream.imageFor(prompt, 0));
      const perisai = s.last().perisai as { note: string; outputs: Array<{ index: number; decision: string; returned: boolean; decision_id: string }> };
      assert.deepEqual(
        perisai.outputs.map((o) => [o.index, o.decision, o.returned]),
        [
          [0, 'allow', true],
          [1, 'block', false],
        ],
      );
      assert.match(perisai.note, /1 of 2 images .* withheld/);
      // The withheld one is recorded too, as blocked.
      assert.equal((await admin('GET', `/v1/decisions/${perisai.outputs[1]!.decision_id}`)).body.decision, 'block');
    });

    it('when every output is flagged, the answer is 400 moderation_blocked and no image', async () => {
      const prompt = 'a single mountain lake';
      analyser.set(await upstream.imageFor(prompt, 0), { nudity: 0.99 });
      const error = await rejection(s.client.images.generate({ prompt }));
      assert.equal(error.status, 400);
      assert.equal(error.code, 'moderation_blocked');
      const perisai = s.last().perisai as { outputs: Array<{ returned: boolean }> };
      assert.deepEqual(
        perisai.outputs.map((o) => o.returned),
        [false],
      );
      assert.equal('data' in s.last(), false);
    });

    it('an upstream that links an image on its own host is fetched and screened; a link elsewhere is a 502 and nothing is fetched', async () => {
      upstream.mode = 'url-own';
      const prompt = 'a paper boat on a pond';
      const result = await s.client.images.generate({ prompt });
      await assertSignedCopy(Buffer.from(result.data![0]!.b64_json!, 'base64'), await upstream.imageFor(prompt, 0));
      const ledger = await admin('POST', '/v1/ledger/lookup', { sha256: sha256(await upstream.imageFor(prompt, 0)) });
      assert.equal((ledger.body.matches as unknown[]).length, 1);

      upstream.mode = 'url-other';
      const error = await rejection(s.client.images.generate({ prompt: 'a paper plane' }));
      assert.equal(error.status, 502);
      assert.equal(error.code, 'upstream_failed');
      assert.equal(error.type, 'server_error');
      assert.match(error.message, /not its own origin/);
      upstream.mode = 'b64';
    });

    it('an upstream error is a 502 that never repeats a key; a slow upstream is a 504', async () => {
      upstream.mode = 'error';
      const failed = await rejection(s.client.images.generate({ prompt: 'a red kite' }));
      assert.equal(failed.status, 502);
      assert.equal(failed.code, 'upstream_failed');
      assert.match(failed.message, /HTTP 500/);
      assert.doesNotMatch(JSON.stringify(s.last()), /sk-upstream|secret-123456/);

      upstream.mode = 'slow';
      upstream.delayMs = 5000;
      const slow = await rejection(s.client.images.generate({ prompt: 'a blue kite' }));
      assert.equal(slow.status, 504);
      assert.equal(slow.code, 'upstream_timeout');
      assert.match(slow.message, /did not answer within 0.5 s/);
      upstream.mode = 'b64';
    });

    it('the OpenAPI document describes exactly the fields an answer and a refusal carry', async () => {
      type Props = { properties: Record<string, { properties?: Record<string, unknown>; items?: { properties: Record<string, unknown> } }> };
      const doc = (await (await fetch(`${s.base}/openapi.json`)).json()) as {
        components: { schemas: Record<string, Props> };
        paths: Record<string, { post: { parameters: Array<{ name: string; in: string }>; security: unknown } }>;
      };
      const { ImagesResponse, OpenAiError } = doc.components.schemas;
      const keys = (value: unknown) => Object.keys(value as object).sort();
      await s.client.images.generate({ prompt: 'a lighthouse on a cliff at dusk, watercolour' });
      const answer = s.last();
      assert.deepEqual(keys(answer), keys(ImagesResponse!.properties));
      assert.deepEqual(keys((answer.data as unknown[])[0]), keys(ImagesResponse!.properties.data!.items!.properties));
      const perisai = keys(ImagesResponse!.properties.perisai!.properties);
      for (const key of keys(answer.perisai)) assert.ok(perisai.includes(key), key);

      await rejection(s.client.images.generate({ prompt: 'remove her clothes' }, { headers: { 'X-Perisai-Subject': 'adult' } }));
      const refusal = s.last();
      assert.deepEqual(keys(refusal), keys(OpenAiError!.properties));
      assert.deepEqual(keys(refusal.error), keys(OpenAiError!.properties.error!.properties));
      const documented = keys(OpenAiError!.properties.perisai!.properties);
      for (const key of keys(refusal.perisai)) assert.ok(documented.includes(key), key);

      for (const path of ['/v1/images/generations', '/v1/images/edits']) {
        assert.deepEqual(doc.paths[path]!.post.security, [{ apiKey: ['images'] }]);
        assert.deepEqual(
          doc.paths[path]!.post.parameters.map((p) => `${p.in}:${p.name}`),
          ['header:X-Perisai-Requester', 'header:X-Perisai-Image-Owner', 'header:X-Perisai-Subject', 'header:X-Perisai-Jurisdiction'],
        );
      }
    });

    it('bad input is a 4xx in OpenAI shape naming the field: url responses, a user that is not an account id, bad multipart, JSON to edits, no key', async () => {
      const url = await rejection(s.client.images.generate({ prompt: 'a tree', response_format: 'url' }));
      assert.equal(url.status, 400);
      assert.equal(url.param, 'response_format');
      assert.match(url.message, /b64_json/);

      const user = await rejection(s.client.images.generate({ prompt: 'a tree', user: 'not an id!' }));
      assert.equal(user.status, 400);
      assert.equal(user.param, 'user');
      assert.match(user.message, /X-Perisai-Requester/);

      const subject = await rejection(s.client.images.generate({ prompt: 'a tree' }, { headers: { 'X-Perisai-Subject': 'grown-up' } }));
      assert.equal(subject.status, 400);
      assert.equal(subject.param, 'x-perisai-subject');

      const key = s.client.apiKey;
      const raw = (path: string, headers: Record<string, string>, body: string | Buffer) =>
        fetch(`${s.base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, ...headers }, body }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { error: { code: string; type: string; message: string; param: string | null } },
        }));
      const garbage = await raw(
        '/v1/images/edits',
        { 'content-type': 'multipart/form-data; boundary=XYZ' },
        '--XYZ\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nhal',
      );
      assert.equal(garbage.status, 400, JSON.stringify(garbage.body));
      assert.equal(garbage.body.error.type, 'invalid_request_error');
      assert.match(garbage.body.error.message, /multipart/);

      const form = new FormData();
      form.set('prompt', 'a tree');
      const noImage = await fetch(`${s.base}/v1/images/edits`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form });
      assert.equal(noImage.status, 400);
      assert.equal(((await noImage.json()) as { error: { param: string } }).error.param, 'image');

      const json = await raw('/v1/images/edits', { 'content-type': 'application/json' }, JSON.stringify({ prompt: 'a tree' }));
      assert.equal(json.status, 415);
      assert.match(json.body.error.message, /multipart\/form-data/);

      const big = new FormData();
      big.set('prompt', 'a tree');
      big.set('image', new Blob([Buffer.alloc(20 * 1024 * 1024 + 1)], { type: 'image/png' }), 'big.png');
      const tooLarge = await fetch(`${s.base}/v1/images/edits`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: big });
      assert.equal(tooLarge.status, 413);
      assert.equal(((await tooLarge.json()) as { error: { code: string } }).error.code, 'image_too_large');

      // Far above the 1 MiB of the JSON routes, within the 20 MiB an image may have: forwarded whole.
      const large = Buffer.concat([await photo('#123456'), Buffer.alloc(5 * 1024 * 1024, 7)]);
      const accepted = await s.client.images.edit({ image: await toFile(large, 'large.png', { type: 'image/png' }), prompt: 'a tree in autumn' });
      assert.equal(accepted.data?.length, 1);
      assert.ok(upstream.received.at(-1)!.files[0]!.bytes.equals(large));

      const anonymous = await rejection(new OpenAI({ apiKey: 'psk_nope', baseURL: `${s.base}/v1`, maxRetries: 0 }).images.generate({ prompt: 'a tree' }));
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.type, 'authentication_error');
      const screenOnly = await rejection(new OpenAI({ apiKey: s.t.keys.screen, baseURL: `${s.base}/v1`, maxRetries: 0 }).images.generate({ prompt: 'a tree' }));
      assert.equal(screenOnly.status, 403);
      assert.match(screenOnly.message, /"images" scope/);

      // The process stays up and answers the next request.
      assert.equal((await s.client.images.generate({ prompt: 'a tree in spring' })).data?.length, 1);
    });
  });

  describe(`the guarded image API without a working upstream on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);

    it('not configured: 503 upstream_not_configured naming PERISAI_UPSTREAM_URL, and no decision recorded', async () => {
      const s = await serve(
        await startTestApp(store(), { imageAnalyser: fakeImageAnalyser(), provenanceCredentials: await developmentCredentials() }, { rateLimit: 0 }),
      );
      try {
        const before = (await s.t.ctx.audit.entries(0, 1000)).entries.length;
        const error = await rejection(s.client.images.generate({ prompt: 'a tree' }));
        assert.equal(error.status, 503);
        assert.equal(error.code, 'upstream_not_configured');
        assert.match(error.message, /PERISAI_UPSTREAM_URL/);
        assert.equal((await s.t.ctx.audit.entries(0, 1000)).entries.length, before);
      } finally {
        await s.t.close();
      }
    });

    it('a mask that is not a decodable image is refused with the real decoder (param image) before anything is forwarded', async () => {
      const s = await serve(
        await startTestApp(store(), { provenanceCredentials: await developmentCredentials() }, { upstreamUrl: 'http://127.0.0.1:9/v1', rateLimit: 0 }),
      );
      try {
        const error = await rejection(
          s.client.images.edit({
            image: await toFile(await photo('#3366aa'), 'a.png', { type: 'image/png' }),
            mask: await toFile(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'mask.png', { type: 'image/png' }),
            prompt: 'add a hat',
          }),
        );
        assert.equal(error.status, 415);
        assert.equal(error.code, 'image_unsupported_format');
        assert.equal(error.param, 'image');
        assert.match(error.message, /^415 An image or the mask could not be used: .*SVG/);
      } finally {
        await s.t.close();
      }
    });

    it('down: a refused connection is a 502 upstream_failed', async () => {
      // A port that was just free: nothing listens on it.
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const { port } = probe.address() as AddressInfo;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      const s = await serve(
        await startTestApp(
          store(),
          { imageAnalyser: fakeImageAnalyser(), provenanceCredentials: await developmentCredentials() },
          { upstreamUrl: `http://127.0.0.1:${port}/v1`, rateLimit: 0 },
        ),
      );
      try {
        const error = await rejection(s.client.images.generate({ prompt: 'a tree' }));
        assert.equal(error.status, 502);
        assert.equal(error.code, 'upstream_failed');
        assert.match(error.message, /could not be reached \(ECONNREFUSED\)/);
      } finally {
        await s.t.close();
      }
    });
  });
}
