import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe } from 'node:test';

import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';

import { caseListQuerySchema } from '../../src/services/cases.js';
import { anonymousOwnerOf } from '../../src/services/consent.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

const sqlite = STORE_FACTORIES[0]!;

interface Session {
  cookie: string;
  csrf: string;
}

/** Opens a page as a new browser would: the CSRF cookie it is given and the token in its form. */
async function open(app: FastifyInstance, url: string, headers: Record<string, string> = {}): Promise<Session & { body: string; lang: string }> {
  const res = await app.inject({ method: 'GET', url, headers });
  assert.equal(res.statusCode, 200, res.body);
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('perisai_public_csrf='));
  assert.ok(setCookie, 'the page sets a CSRF cookie');
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  const cookie = setCookie.split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(res.body)?.[1];
  assert.ok(csrf);
  assert.equal(cookie, `perisai_public_csrf=${csrf}`);
  return { cookie, csrf, body: res.body, lang: /<html lang="(\w+)"/.exec(res.body)?.[1] ?? '' };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

const VALID = {
  reporter_type: 'depicted_person',
  reporter_name: 'Sari Dewi',
  reporter_email: 'sari@example.org',
  jurisdiction: 'IN',
  category: 'ncii',
  content_url: 'https://platform.example/p/42',
  explanation: 'An intimate photo of me posted without my consent.',
  good_faith: 'on',
  non_consensual: 'on',
  signature: 'Sari Dewi',
};

async function multipart(fields: Record<string, string>, file?: { name: string; type: string; bytes: Buffer }) {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  if (file) data.append('image', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  const encoded = new Response(data);
  return { payload: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type')! };
}

/** Every input, select and textarea with an id has a label pointing at it (hidden inputs need none). */
function unlabelled(markup: string): string[] {
  const labels = new Set([...markup.matchAll(/<label[^>]*for="([^"]+)"/g)].map((m) => m[1]));
  return [...markup.matchAll(/<(input|select|textarea)\b([^>]*)>/g)]
    .filter((m) => !/type="hidden"/.test(m[2]!))
    .map((m) => /id="([^"]+)"/.exec(m[2]!)?.[1] ?? `(no id) ${m[0]}`)
    .filter((id) => !labels.has(id));
}

describe('public console pages over HTTP', () => {
  const store = useStore(sqlite);
  const it = testOn(sqlite);
  let t: TestApp;
  before(async () => {
    t = await startTestApp(store(), {}, { reportRateLimit: 8, publicConsentRateLimit: 6, maxProtectedHashes: 3 });
  });
  after(async () => t?.close());

  const caseCount = async () => (await t.ctx.cases.list(caseListQuerySchema.parse({ limit: 100 }))).cases.length;

  it('serves the report form in the language asked for, every control labelled, with the deadline for a preselected country', async () => {
    const en = await open(t.app, '/console/report');
    assert.equal(en.lang, 'en');
    assert.deepEqual(unlabelled(en.body), []);
    const id = await open(t.app, '/console/report?jurisdiction=IN&category=ncii', { 'accept-language': 'id-ID,id;q=0.9,en;q=0.5' });
    assert.equal(id.lang, 'id');
    assert.match(id.body, /Laporkan konten/);
    assert.match(id.body, /2 jam \(India, Information Technology/);
    assert.deepEqual(unlabelled(id.body), []);
    // The switch is a link with ?lang=; the choice is remembered beside the CSRF cookie.
    const switched = await t.app.inject({ method: 'GET', url: '/console/report?lang=id' });
    const cookies = ([] as string[]).concat(switched.headers['set-cookie'] ?? []);
    assert.ok(
      cookies.some((c) => c.startsWith('perisai_lang=id;')),
      String(cookies),
    );
    assert.ok(
      cookies.some((c) => c.startsWith('perisai_public_csrf=')),
      String(cookies),
    );
    const remembered = await t.app.inject({ method: 'GET', url: '/console/consent', headers: { cookie: 'perisai_lang=id', 'accept-language': 'en' } });
    assert.match(remembered.body, /<html lang="id">/);
    const deadline = await t.app.inject({ method: 'GET', url: '/console/report/deadline?jurisdiction=US&category=ncii&lang=en' });
    assert.match(deadline.json().text, /^48 hours \(United States, TAKE IT DOWN Act\): the deadline the law gives/);
  });

  it('refuses a report without the CSRF token, or with another browser’s, re-rendering what was typed and recording nothing', async () => {
    const before = await caseCount();
    const session = await open(t.app, '/console/report');
    const other = await open(t.app, '/console/report');
    for (const [cookie, token] of [
      [session.cookie, undefined],
      ['', session.csrf],
      [session.cookie, other.csrf],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/console/report',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
        payload: form({ ...VALID, ...(token ? { csrf: token } : {}) }),
      });
      assert.equal(res.statusCode, 403);
      assert.match(res.body, /This form had expired/);
      assert.match(res.body, /value="Sari Dewi"/);
      assert.match(res.body, /An intimate photo of me posted without my consent\./);
    }
    assert.equal(await caseCount(), before);
  });

  it('shows each problem next to its field, keeps every answer, and records nothing', async () => {
    const before = await caseCount();
    const session = await open(t.app, '/console/report?lang=id');
    const res = await t.app.inject({
      method: 'POST',
      url: '/console/report?lang=id',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
      payload: form({ ...VALID, csrf: session.csrf, category: '', content_url: '', reporter_email: 'not an email' }),
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /<p class="error" id="category-error">Jawab pertanyaan ini\.<\/p>/);
    assert.match(res.body, /id="content_url-error">Isi alamat web, ID konten, atau gambarnya/);
    assert.match(res.body, /id="reporter_email-error">Masukkan alamat email/);
    assert.match(res.body, /id="reporter_email"[^>]*value="not an email"/s);
    assert.match(res.body, /aria-describedby="reporter_email-help reporter_email-error"/);
    assert.match(res.body, /role="alert"/);
    assert.match(res.body, /value="IN" selected/);
    assert.equal(await caseCount(), before);
  });

  it('files a valid report as an anonymous reporter and confirms it with the case reference and the law’s deadline', async () => {
    const session = await open(t.app, '/console/report');
    const res = await t.app.inject({
      method: 'POST',
      url: '/console/report',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
      payload: form({ ...VALID, csrf: session.csrf }),
    });
    assert.equal(res.statusCode, 201, res.body);
    const caseId = /id="case-reference">(case_[0-9a-f]+)</.exec(res.body)?.[1];
    assert.ok(caseId, res.body);
    assert.match(res.body, /2 hours \(India, Information Technology/);
    assert.match(res.body, /Your report has everything the law asks for/);
    const stored = await t.ctx.cases.get(caseId);
    assert.equal(stored.jurisdiction, 'IN');
    assert.equal(stored.content.url, VALID.content_url);
    assert.equal(stored.reports[0]?.reporter.authenticated, false);
  });

  it('takes the image as a file, hashes it (never storing it), and lists what an EU notice still lacks', async () => {
    const bytes = await sharp({ create: { width: 96, height: 64, channels: 3, background: '#3366aa' } })
      .composite([{ input: Buffer.from('<svg width="96" height="64"><circle cx="30" cy="30" r="20" fill="#ffcc00"/></svg>'), left: 0, top: 0 }])
      .png()
      .toBuffer();
    const session = await open(t.app, '/console/report');
    const body = await multipart(
      { csrf: session.csrf, reporter_type: 'user', jurisdiction: 'DE', category: 'nudity' },
      { name: 'photo.png', type: 'image/png', bytes },
    );
    const res = await t.app.inject({
      method: 'POST',
      url: '/console/report',
      headers: { 'content-type': body.contentType, cookie: session.cookie },
      payload: body.payload,
    });
    assert.equal(res.statusCode, 201, res.body);
    const caseId = /id="case-reference">(case_[0-9a-f]+)</.exec(res.body)![1]!;
    const stored = await t.ctx.cases.get(caseId);
    assert.equal(stored.content.image_sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.match(stored.content.image_pdq ?? '', /^[0-9a-f]{64}$/);
    assert.match(res.body, /the exact electronic location of the content/);
    assert.match(res.body, /a statement of bona fide belief/);
  });

  it('sends an unreadable image back to the form with the decoder’s reason and the answers kept', async () => {
    const before = await caseCount();
    const session = await open(t.app, '/console/report');
    const body = await multipart({ ...VALID, csrf: session.csrf }, { name: 'notes.pdf', type: 'application/pdf', bytes: Buffer.from('%PDF-1.7 not an image') });
    const res = await t.app.inject({
      method: 'POST',
      url: '/console/report',
      headers: { 'content-type': body.contentType, cookie: session.cookie },
      payload: body.payload,
    });
    assert.equal(res.statusCode, 415);
    assert.match(res.body, /id="image-error">We could not read this image\. The file looks like PDF, not an image/);
    assert.match(res.body, /choose it again/);
    assert.match(res.body, /value="Sari Dewi"/);
    assert.equal(await caseCount(), before);
  });

  it('protects hashes anonymously under an owner derived from a reference, which removes them again', async () => {
    const session = await open(t.app, '/console/consent');
    assert.match(session.body, /Only the hashes shown below leave your device/);
    assert.deepEqual(unlabelled(session.body), []);
    const hashes = [{ pdq: 'ab'.repeat(32), quality: 90 }];
    const refused = await t.app.inject({ method: 'POST', url: '/console/consent/protect', headers: { cookie: session.cookie }, payload: { hashes } });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error, 'forbidden');

    const res = await t.app.inject({
      method: 'POST',
      url: '/console/consent/protect',
      headers: { cookie: session.cookie, 'x-perisai-csrf': session.csrf },
      payload: { account: '', hashes },
    });
    assert.equal(res.statusCode, 201, res.body);
    const { reference, owner, added } = res.json();
    assert.match(reference, /^pr_[A-Za-z0-9_-]{22}$/);
    assert.equal(owner, anonymousOwnerOf(reference));
    assert.ok(!owner.includes(reference.slice(3)), 'the owner id does not reveal the reference');
    assert.equal(added, 1);
    assert.equal((await t.ctx.consent.listProtectedHashes(owner)).length, 1);

    const bad = await t.app.inject({
      method: 'POST',
      url: '/console/consent/remove',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
      payload: form({ csrf: session.csrf, reference: 'pr_short' }),
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="reference-error"/);
    const removed = await t.app.inject({
      method: 'POST',
      url: '/console/consent/remove',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
      payload: form({ csrf: session.csrf, reference }),
    });
    assert.equal(removed.statusCode, 200);
    assert.match(removed.body, /1 protected photos were removed/);
    assert.equal((await t.ctx.consent.listProtectedHashes(owner)).length, 0);
  });

  it('protects under a valid account id, refuses an invalid one, and passes on the per-account cap as a 409 with its message', async () => {
    const session = await open(t.app, '/console/consent');
    const post = (payload: unknown) =>
      t.app.inject({
        method: 'POST',
        url: '/console/consent/protect',
        headers: { cookie: session.cookie, 'x-perisai-csrf': session.csrf },
        payload: payload as object,
      });
    const invalid = await post({ account: 'has spaces', hashes: [{ pdq: 'cd'.repeat(32), quality: 80 }] });
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.json().details.field, 'account');
    assert.match(invalid.json().message, /^The account id must be 1 to 128 characters/);
    const plain = await post({ account: 'user-7', hashes: [{ pdq: 'cd'.repeat(32), quality: 10 }] });
    assert.equal(plain.statusCode, 400);
    assert.match(plain.json().message, /at least 50/);
    const ok = await post({ account: 'user-7', hashes: [1, 2, 3].map((n) => ({ pdq: n.toString(16).padStart(2, '0').repeat(32), quality: 80 })) });
    assert.equal(ok.statusCode, 201);
    assert.equal(ok.json().owner, 'user-7');
    assert.equal(ok.json().anonymous, false);
    const full = await post({ account: 'user-7', hashes: [{ pdq: 'ef'.repeat(32), quality: 80 }] });
    assert.equal(full.statusCode, 409);
    assert.equal(full.json().error, 'protected_hash_limit');
    assert.match(
      full.json().message,
      /^Account user-7 already protects 3 photos and one account may protect at most 3, so none of these were added\. Send at most 0/,
    );
    assert.doesNotMatch(full.json().message, /PERISAI_/);
  });

  it('limits submissions per address and answers the one over the limit with a page that says to wait', async () => {
    // Six reports went in above (some refused); the limit of 8 a minute is reached within three more.
    const session = await open(t.app, '/console/report');
    const statuses: number[] = [];
    let last = '';
    for (let i = 0; i < 3; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/console/report',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
        payload: form({ ...VALID, csrf: session.csrf, content_url: `https://platform.example/p/limit-${i}` }),
      });
      statuses.push(res.statusCode);
      last = res.body;
    }
    assert.equal(statuses.at(-1), 429, String(statuses));
    assert.match(last, /Too many submissions from your address in the last minute/);
    assert.match(last, /<html lang="en">/);
  });
});
