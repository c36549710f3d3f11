import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import sharp from 'sharp';

import { isAllowed, PerisaiApiError, PerisaiClient } from '../../src/client/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { fakeImageAnalyser } from '../helpers/fake-image-analyser.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

const sqlite = STORE_FACTORIES[0]!;

describe('the typed client against a real server', () => {
  const store = useStore(sqlite);
  const it = testOn(sqlite);
  let t: TestApp;
  let base: string;
  let image: Buffer;
  before(async () => {
    // Detectors that see nothing in the test image: the point here is the client, not the models.
    t = await startTestApp(store(), { imageAnalyser: fakeImageAnalyser() });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    image = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 40, g: 120, b: 200 } } })
      .png()
      .toBuffer();
  });
  after(async () => t?.close());

  it('screens a request, then its output, as an image handler would', async () => {
    const client = new PerisaiClient({ baseUrl: base, apiKey: t.keys.screen });
    const request = await client.screen({ prompt: 'a lighthouse at dusk', subject: 'none', images: [{ data: image }] });
    assert.equal(isAllowed(request), true, JSON.stringify(request.reasons));
    const output = await client.screenOutput({ requestId: request.id, image });
    assert.equal(output.stage, 'output');
    assert.equal(isAllowed(output), true);
  });

  it('returns a block as a decision, not an error', async () => {
    const client = new PerisaiClient({ baseUrl: `${base}/`, apiKey: t.keys.screen });
    const decision = await client.screen({ prompt: 'put her in a bikini', subject: 'adult' });
    assert.equal(decision.decision, 'block');
    assert.equal(isAllowed(decision), false);
    assert.ok(decision.categories.includes('sexualize_real_person'));
  });

  it('files a report without a key and gets the case and its deadline', async () => {
    const client = new PerisaiClient({ baseUrl: base });
    const receipt = await client.report({
      reporter: { type: 'depicted_person', name: 'A. Person', email: 'a@example.org' },
      jurisdiction: 'ID',
      category: 'ncii',
      content: { url: 'https://platform.example/p/1', image },
      good_faith: true,
    });
    assert.match(receipt.case_id, /^case_[0-9a-f]{32}$/);
    assert.ok(Date.parse(receipt.deadline) > Date.now());
  });

  it('raises the server’s error code and sentence', async () => {
    const client = new PerisaiClient({ baseUrl: base, apiKey: t.keys.read });
    await assert.rejects(client.screen({ prompt: 'a cat' }), (error: unknown) => {
      assert.ok(error instanceof PerisaiApiError);
      assert.equal(error.status, 403);
      assert.equal(error.code, 'forbidden');
      assert.match(error.message, /lacks the "screen" scope/);
      return true;
    });
    const screen = new PerisaiClient({ baseUrl: base, apiKey: t.keys.screen });
    await assert.rejects(screen.screenOutput({ requestId: 'dec_' + '0'.repeat(32), image }), (error: unknown) => {
      assert.ok(error instanceof PerisaiApiError);
      assert.equal(error.code, 'not_found');
      return true;
    });
  });
});

describe('the typed client when Perisai is busy or away', () => {
  let server: Server;
  let base: string;
  let answers: Array<{ status: number; headers?: Record<string, string>; body: string }> = [];
  before(async () => {
    server = createServer((_request, response) => {
      const next = answers.shift() ?? { status: 500, body: '{}' };
      response.writeHead(next.status, { 'content-type': 'application/json', ...next.headers }).end(next.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('retries a 503 after its Retry-After (capped), then returns the answer', async () => {
    answers = [
      { status: 503, headers: { 'retry-after': '2' }, body: '{"error":"detector_busy","message":"busy"}' },
      { status: 503, headers: { 'retry-after': '600' }, body: '{"error":"detector_busy","message":"busy"}' },
      { status: 200, body: '{"id":"dec_1","decision":"allow"}' },
    ];
    const waits: number[] = [];
    const client = new PerisaiClient({ baseUrl: base, apiKey: 'k', sleep: async (ms) => void waits.push(ms) });
    const decision = await client.screen({ prompt: 'a cat' });
    assert.equal(decision.decision, 'allow');
    assert.deepEqual(waits, [2000, 10_000]);
  });

  test('gives up after maxRetries with the last error, and says when the body is not Perisai’s', async () => {
    answers = [
      { status: 503, body: '{"error":"store_unavailable","message":"The store is unavailable."}' },
      { status: 503, body: '{"error":"store_unavailable","message":"The store is unavailable."}' },
    ];
    const client = new PerisaiClient({ baseUrl: base, maxRetries: 1, sleep: async () => undefined });
    await assert.rejects(client.screen({ prompt: 'a cat' }), (error: unknown) => error instanceof PerisaiApiError && error.code === 'store_unavailable');
    answers = [{ status: 502, body: '<html>bad gateway</html>' }];
    await assert.rejects(client.screen({ prompt: 'a cat' }), (error: unknown) => {
      assert.ok(error instanceof PerisaiApiError);
      assert.equal(error.code, 'unexpected_response');
      assert.equal(error.status, 502);
      return true;
    });
  });

  test('an unreachable server is an error that says the request was not screened', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = new PerisaiClient({ baseUrl: `http://127.0.0.1:${port}`, maxRetries: 1, sleep: async () => undefined });
    await assert.rejects(client.screen({ prompt: 'a cat' }), (error: unknown) => {
      assert.ok(error instanceof PerisaiApiError);
      assert.equal(error.code, 'unreachable');
      assert.match(error.message, /not screened/);
      return true;
    });
  });

  test('refuses a base URL that is not http(s)', () => {
    assert.throws(() => new PerisaiClient({ baseUrl: 'ftp://example.org' }), /http:\/\/ or https:\/\//);
  });
});

test('the package exports the client and its types from the build', () => {
  const resolved = fileURLToPath(import.meta.resolve('perisai/client'));
  assert.match(resolved, /dist\/client\/index\.js$/);
  assert.ok(existsSync(resolved), `${resolved} is missing: run npm run build`);
  assert.ok(existsSync(resolved.replace(/\.js$/, '.d.ts')));
});
