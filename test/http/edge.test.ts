import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { BODY_LIMITS } from '../../src/http/limits.js';
import { SCREEN_LIMITS } from '../../src/services/screen-request.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app.js';
import { STORE_FACTORIES, useStore } from '../helpers/stores.js';

const sqlite = STORE_FACTORIES.find((factory) => factory.name === 'sqlite');
if (!sqlite) throw new Error('the sqlite store factory is missing');

/**
 * Sends the headers of a request announcing `announced` bytes, writes only a first chunk, and
 * resolves with the status as soon as the server answers. A server that read the body before
 * answering would never answer: the rest never comes.
 */
function answerBeforeBody(port: number, path: string, headers: Record<string, string>, announced: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(announced), ...headers } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      },
    );
    req.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
    req.setTimeout(10_000, () => reject(new Error(`no answer on ${path} before the body was sent`)));
    req.write('{"prompt": "');
  });
}

describe('the HTTP edge: route plugins, body limits and authentication before the body', () => {
  const store = useStore(sqlite);
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await startTestApp(store());
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
  });
  after(async () => t?.close());

  const post = (url: string, payload: string, contentType = 'application/json', key: string | null = ADMIN_KEY) =>
    t.app.inject({ method: 'POST', url, headers: { 'content-type': contentType, ...(key ? { authorization: `Bearer ${key}` } : {}) }, payload });

  it('refuses a request without a key before reading its body', async () => {
    assert.equal(await answerBeforeBody(port, '/v1/screen', {}, 100 * 1024 * 1024), 401);
    assert.equal(await answerBeforeBody(port, '/v1/banks/x/hashes', { authorization: 'Bearer psk_not_a_key' }, 60 * 1024 * 1024), 401);
    assert.equal(await answerBeforeBody(port, '/v1/consent/acct-1/protected-hashes', { authorization: `Bearer ${t.keys.screen}` }, 512 * 1024), 403);
  });

  it('limits JSON routes without images to 1 MiB, and says so', async () => {
    const big = JSON.stringify({ hashes: [{ pdq: 'a'.repeat(64), note: 'x'.repeat(BODY_LIMITS.json) }] });
    const res = await post('/v1/consent/acct-1/protected-hashes', big);
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error, 'payload_too_large');
    assert.match(res.json().message, /larger than this route accepts \(1 MiB\)/);
    const lookup = await post('/v1/ledger/lookup', JSON.stringify({ sha256: 'x'.repeat(BODY_LIMITS.json) }));
    assert.equal(lookup.statusCode, 413);
  });

  it('gives the screening routes room for their images, and each only its own', async () => {
    const twoMiB = 'A'.repeat(2 * 1024 * 1024);
    const request = await post('/v1/screen', JSON.stringify({ prompt: 'x', images: [{ data: twoMiB }] }));
    assert.notEqual(request.statusCode, 413, 'a 2 MiB reference image fits the screening route');
    const overOutput = await post(
      '/v1/screen/output',
      JSON.stringify({ request_id: `dec_${'0'.repeat(32)}`, image: { data: 'A'.repeat(BODY_LIMITS.screenOutput) } }),
    );
    assert.equal(overOutput.statusCode, 413, 'the output route takes one image, not four');
    assert.ok(BODY_LIMITS.screenRequest > BODY_LIMITS.screenOutput && BODY_LIMITS.screenOutput > BODY_LIMITS.json);
  });

  it('answers 413 with the limit for an image over the decoded byte limit that fits the body limit', async () => {
    const over = 'A'.repeat(Math.ceil((SCREEN_LIMITS.imageBytes * 4) / 3) + 8);
    for (const [url, body] of [
      ['/v1/screen', { prompt: 'x', images: [{ data: over }] }],
      ['/v1/screen/output', { request_id: `dec_${'0'.repeat(32)}`, image: { data: over } }],
    ] as const) {
      const res = await post(url, JSON.stringify(body));
      assert.equal(res.statusCode, 413, `${url}: ${res.body.slice(0, 200)}`);
      assert.equal(res.json().error, 'image_too_large');
      assert.match(res.json().message, /is too large: an image may be at most 20 MiB decoded/);
    }
  });

  it('accepts text hash lists on the bank import route only', async () => {
    assert.equal((await post('/v1/banks', JSON.stringify({ name: 'edge-bank', purpose: 'ncii' }))).statusCode, 201);
    const imported = await post('/v1/banks/edge-bank/hashes', `${'c'.repeat(64)},100\n`, 'text/plain');
    assert.equal(imported.statusCode, 200, imported.body);
    assert.equal(imported.json().added, 1);
    const csvElsewhere = await post('/v1/consent/acct-1/protected-hashes', `pdq\n${'c'.repeat(64)}\n`, 'text/csv');
    assert.equal(csvElsewhere.statusCode, 415);
    assert.equal(csvElsewhere.json().error, 'unsupported_media_type');
  });
});

describe('the HTTP edge: headers, rate limits, metrics behind a key, timeouts', () => {
  const store = useStore(sqlite);
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await startTestApp(store(), {}, { rateLimit: 3, metricsNeedKey: true, requestTimeoutSeconds: 1 });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
  });
  after(async () => t?.close());

  const get = (url: string, key: string | null = ADMIN_KEY) => t.app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} });

  it('sends security headers everywhere, no-store on the API, a CSP on /docs', async () => {
    const api = await get('/v1/consent/acct-1');
    assert.equal(api.headers['x-content-type-options'], 'nosniff');
    assert.equal(api.headers['cache-control'], 'no-store');
    const docs = await get('/docs', null);
    assert.match(String(docs.headers['content-security-policy']), /default-src 'none'/);
    assert.equal(docs.headers['x-content-type-options'], 'nosniff');
  });

  it('limits each key and each address without one, with 429 and Retry-After; probes are never limited', async () => {
    const other = (await t.ctx.apiKeys.create('second', ['consent'], 'test')).secret;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get('/v1/consent/acct-2', other)).statusCode);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const limited = await get('/v1/consent/acct-2', other);
    assert.equal(limited.json().error, 'rate_limited');
    assert.match(limited.json().message, /at most 3 a minute/);
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    const third = (await t.ctx.apiKeys.create('third', ['consent'], 'test')).secret;
    assert.equal((await get('/v1/consent/acct-2', third)).statusCode, 200, 'another key has its own allowance');
    const anonymous = [];
    for (let i = 0; i < 4; i++) anonymous.push((await get('/openapi.json', null)).statusCode);
    // The address already spent one on /docs in the test above.
    assert.deepEqual(anonymous, [200, 200, 429, 429]);
    for (let i = 0; i < 6; i++) assert.equal((await get('/healthz', null)).statusCode, 200);
  });

  it('puts /metrics behind scope metrics when asked to', async () => {
    assert.equal((await get('/metrics', null)).statusCode, 401);
    const scraper = (await t.ctx.apiKeys.create('scraper', ['metrics'], 'test')).secret;
    const scrape = await get('/metrics', scraper);
    assert.equal(scrape.statusCode, 200);
    // No case is open: the overdue gauge reads the store and says 0.
    assert.match(scrape.body, /^perisai_cases_overdue 0$/m);
    assert.match(scrape.body, /# TYPE perisai_case_alerts_total counter/);
  });

  it('cuts off a request whose body trickles in past the request timeout', async () => {
    const closed = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/screen',
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', 'content-length': '1000' },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(`status ${res.statusCode}`));
        },
      );
      req.on('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? error.message));
      const trickle = setInterval(() => req.write(' '), 200);
      req.on('close', () => clearInterval(trickle));
      setTimeout(() => {
        clearInterval(trickle);
        reject(new Error('the connection was still open after 8 s'));
      }, 8000).unref();
    });
    assert.match(closed, /status 408|ECONNRESET|socket hang up/);
  });
});
