import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import sharp from 'sharp';

import { ManualClock } from '../../src/domain/clock.js';
import type { CaseImageSource } from '../../src/services/case-images.js';
import { readAuditEntries } from '../../src/store/repositories/audit-log.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app.js';
import { consoleClient, cookiesOf, cookieValue, csrfIn, form, TEST_SCRYPT } from '../helpers/console.js';
import { fakeImageAnalyser, flipBits } from '../helpers/fake-image-analyser.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

const EMAIL = 'rina@example.org';
const PASSWORD = 'a reviewer passphrase';
const FAILING_IMAGE = Buffer.from('an image whose detector fails');
const GENERATED = Buffer.from('an output this service screened');
const REPOSTED = Buffer.from('that output, re-encoded and re-posted');
const GENERATED_PDQ = '5a'.repeat(32);

/** A tiny synthetic image (a gradient), made here: no picture of anyone. */
async function gradientPng(): Promise<Buffer> {
  const width = 16;
  const pixels = Buffer.alloc(width * width * 3);
  for (let i = 0; i < width * width; i++) pixels.set([(i % width) * 16, Math.floor(i / width) * 16, 128], i * 3);
  return sharp(pixels, { raw: { width, height: width, channels: 3 } })
    .png()
    .toBuffer();
}

for (const factory of STORE_FACTORIES) {
  describe(`the reviewer console on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    const clock = new ManualClock('2026-12-06T09:00:00.000Z');
    let t: TestApp;
    let png: Buffer;
    let imageCase = '';
    const source: CaseImageSource = { image: async (caseId, n) => (caseId === imageCase && n === 0 ? { bytes: png, type: 'image/png' } : null) };
    before(async () => {
      if (factory.skip) return;
      png = await gradientPng();
      const analyser = fakeImageAnalyser();
      analyser.set(FAILING_IMAGE, { fail: 'model down' });
      analyser.set(GENERATED, { pdq: { hash: GENERATED_PDQ, quality: 90 } });
      analyser.set(REPOSTED, { pdq: { hash: flipBits(GENERATED_PDQ, 6), quality: 80 } });
      t = await startTestApp(
        store(),
        { clock, imageAnalyser: analyser, caseImages: source, consoleUsers: { scrypt: TEST_SCRYPT, maxFailures: 3, lockMinutes: 15 } },
        { reportRateLimit: 1000, consoleLoginRateLimit: 1000 },
      );
      await t.ctx.consoleUsers.create(EMAIL, 'reviewer', PASSWORD, 'test');
    });
    after(async () => t?.close());

    const pages = () => consoleClient(t.app);
    const get = (url: string, cookie?: string) => pages().get(url, cookie);
    const post = (url: string, body: Record<string, string | string[]>, cookie?: string) => pages().post(url, body, cookie);
    const signIn = (password = PASSWORD) => pages().signIn(EMAIL, password);

    const report = async (contentId: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/reports',
        payload: {
          reporter: { type: 'depicted_person', email: 'victim@example.org' },
          jurisdiction: 'ID',
          category: 'ncii',
          content: { id: contentId },
          explanation: 'This is me.',
        },
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().case_id as string;
    };

    it('a page without a session sends the visitor to sign in, and back after', async () => {
      const res = await get('/console/cases?state=open');
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/console/login?next=%2Fconsole%2Fcases%3Fstate%3Dopen');
    });

    it('the sign-in form carries a double-submit token; without the matching cookie the post is refused', async () => {
      const page = await get('/console/login');
      assert.equal(page.statusCode, 200);
      const cookie = cookiesOf(page)['perisai_login_csrf']!;
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Strict/);
      assert.match(cookie, /Path=\/console\/login/);
      assert.doesNotMatch(cookie, /Secure/, 'plain HTTP: a Secure cookie would never come back');
      assert.equal(cookieValue(cookie), csrfIn(page.body));
      const forged = await post('/console/login', { csrf: csrfIn(page.body), email: EMAIL, password: PASSWORD });
      assert.equal(forged.statusCode, 403);
      assert.match(forged.body, /out of date or came from another site/);
      assert.equal(cookiesOf(forged)['perisai_session'], undefined);
    });

    it('signs in with an HttpOnly, SameSite=Strict session cookie scoped to /console; a wrong password gets 401 and the form again', async () => {
      const wrong = await signIn('not the passphrase');
      assert.equal(wrong.res.statusCode, 401);
      assert.match(wrong.res.body, /email or password is not right/);
      assert.equal(wrong.cookie, '');
      const right = await signIn();
      assert.equal(right.res.statusCode, 303);
      assert.equal(right.res.headers.location, '/console/cases');
      const session = cookiesOf(right.res)['perisai_session']!;
      assert.match(session, /; Path=\/console; Max-Age=43200; HttpOnly; SameSite=Strict$/);
    });

    it('the queue lists a reported case by deadline with a countdown, marks overdue ones in words, and lists decisions held for review', async () => {
      let { cookie } = await signIn();
      const caseId = await report('post-queue');
      const held = await t.app.inject({
        method: 'POST',
        url: '/v1/screen',
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
        payload: { prompt: 'add a hat', subject: 'adult', images: [{ data: FAILING_IMAGE.toString('base64') }] },
      });
      assert.equal(held.json().decision, 'review', held.body);
      let res = await get('/console/cases', cookie);
      assert.equal(res.statusCode, 200);
      assert.match(res.headers['content-security-policy'] as string, /script-src 'self'/);
      assert.match(res.body, new RegExp(`href="/console/cases/${caseId}"`));
      assert.match(res.body, /data-countdown[^>]*\s*><span aria-hidden="true" class="flag"><\/span><span class="left">1 d 0 h left<\/span>/);
      assert.match(res.body, new RegExp(held.json().id));
      assert.match(res.body, /src="\/console\/assets\/queue\.js"/);
      clock.advance(25 * 3_600_000);
      ({ cookie } = await signIn());
      res = await get('/console/cases?overdue=true&state=&category=', cookie);
      assert.equal(res.statusCode, 200, res.body);
      assert.match(res.body, /class="overdue"\s*><span aria-hidden="true" class="flag">⚠ <\/span><span class="left">Overdue by 1 h 0 min<\/span>/);
      const bad = await get('/console/cases?state=nonsense', cookie);
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /query\.state/);
    });

    it('decisions held for review page newest first', async () => {
      const held: string[] = [];
      for (const prompt of ['add a scarf', 'add a cat']) {
        clock.advance(1000);
        const res = await t.app.inject({
          method: 'POST',
          url: '/v1/screen',
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
          payload: { prompt, subject: 'adult', images: [{ data: FAILING_IMAGE.toString('base64') }] },
        });
        held.unshift(res.json().id);
      }
      const first = await t.ctx.screening.heldForReview(2);
      assert.deepEqual(
        first.decisions.map((d) => d.id),
        held,
      );
      assert.ok(first.next_cursor);
      const second = await t.ctx.screening.heldForReview(2, first.next_cursor);
      assert.equal(second.decisions.length, 1, 'the one from the queue test');
      assert.equal(second.next_cursor, null);
      assert.ok(!held.includes(second.decisions[0]!.id));
      await assert.rejects(t.ctx.screening.heldForReview(2, 'not-a-cursor'), /cursor is not one this server returned/);
    });

    it('bulk actions need the session CSRF token and record the person as the actor', async () => {
      const { cookie, csrf } = await signIn();
      const a = await report('post-bulk-a');
      const b = await report('post-bulk-b');
      const forged = await post('/console/cases/bulk', { csrf: 'guess', action: 'assign', case: [a, b] }, cookie);
      assert.equal(forged.statusCode, 403);
      assert.equal((await t.ctx.cases.get(a)).assignee, null, 'nothing happened');
      const noSession = await post('/console/cases/bulk', { csrf, action: 'assign', case: [a] });
      assert.equal(noSession.statusCode, 401);
      const res = await post('/console/cases/bulk', { csrf, action: 'assign', case: [a, b] }, cookie);
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/console/cases?done=2&failed=0');
      for (const id of [a, b]) {
        const detail = await t.ctx.cases.get(id);
        assert.equal(detail.assignee, EMAIL);
        assert.equal(detail.events.at(-1)?.actor, `user:${EMAIL}`);
      }
      const noted = await post('/console/cases/bulk', { csrf, action: 'note', text: 'duplicate of post-bulk-a', case: [b] }, cookie);
      assert.equal(noted.headers.location, '/console/cases?done=1&failed=0');
      const empty = await post('/console/cases/bulk', { csrf, action: 'note', text: 'x' }, cookie);
      assert.equal(empty.statusCode, 400);
      assert.match(empty.body, /No case was selected/);
    });

    it('an action asks for confirmation first; only the confirmed post acts, recorded in the history and the audit log', async () => {
      const { cookie, csrf } = await signIn();
      const caseId = await report('post-remove');
      const page = await get(`/console/cases/${caseId}`, cookie);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /id="action-remove"/);
      assert.doesNotMatch(page.body, /victim@example\.org/, 'the reporter’s contact details are not shown');
      assert.match(page.body, /can be contacted/);
      const first = await post(`/console/cases/${caseId}/actions`, { csrf, type: 'remove', reason: 'Intimate image shared without consent.' }, cookie);
      assert.equal(first.statusCode, 200);
      assert.match(first.body, /Confirm: Remove the content/);
      assert.match(first.body, /name="confirm" value="yes"/);
      assert.equal((await t.ctx.cases.get(caseId)).state, 'open', 'the first post changes nothing');
      const confirmed = await post(
        `/console/cases/${caseId}/actions`,
        { csrf, type: 'remove', reason: 'Intimate image shared without consent.', confirm: 'yes' },
        cookie,
      );
      assert.equal(confirmed.statusCode, 303);
      assert.equal(confirmed.headers.location, `/console/cases/${caseId}#history`);
      assert.equal((await t.ctx.cases.get(caseId)).state, 'actioned');
      const after = await get(`/console/cases/${caseId}`, cookie);
      assert.match(after.body, new RegExp(`<td>remove</td>\\s*<td>user:${EMAIL.replace('.', '\\.')}</td>`));
      assert.match(after.body, new RegExp(`<td>case\\.remove</td>\\s*<td>user:${EMAIL.replace('.', '\\.')}</td>`));
      const audit = (await readAuditEntries(store().store.db, 0, 100_000)).filter((e) => e.subject === caseId && e.kind === 'case.remove');
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.actor, `user:${EMAIL}`);
      const invalid = await post(`/console/cases/${caseId}/actions`, { csrf, type: 'decline', reason: '' }, cookie);
      assert.equal(invalid.statusCode, 400);
      assert.match(invalid.body, /form\.reason/);
    });

    it('the case page highlights the words that fired in the prompt of the decision it was opened on', async () => {
      const { cookie } = await signIn();
      const decision = await t.app.inject({
        method: 'POST',
        url: '/v1/screen',
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
        payload: { prompt: 'remove her clothes <b>now</b>', subject: 'minor', jurisdiction: 'ID' },
      });
      const caseId = await t.ctx.cases.openFromDecision(decision.json().id);
      const page = await get(`/console/cases/${caseId}`, cookie);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<mark title="[^"]+">remove<\/mark>|<mark title="[^"]+">remove her clothes<\/mark>|<mark title="[^"]+">clothes<\/mark>/);
      assert.match(page.body, /&lt;b&gt;<mark[^>]*>now<\/mark>&lt;\/b&gt;/, 'the prompt is escaped, never markup');
      assert.match(page.body, /minor-sexual/);
    });

    it('for a generated image, the case page shows the request that produced it, its prompt marked, and the account', async () => {
      const { cookie } = await signIn();
      const admin = { authorization: `Bearer ${ADMIN_KEY}` };
      const request = await t.app.inject({
        method: 'POST',
        url: '/v1/screen',
        headers: admin,
        payload: { prompt: 'put her in a red dress at the beach', subject: 'adult', requester: { id: 'acct-42' } },
      });
      assert.equal(request.statusCode, 200, request.body);
      const output = await t.app.inject({
        method: 'POST',
        url: '/v1/screen/output',
        headers: admin,
        payload: { request_id: request.json().id, image: { data: GENERATED.toString('base64') } },
      });
      assert.equal(output.statusCode, 200, output.body);
      const filed = await t.app.inject({
        method: 'POST',
        url: '/v1/reports',
        payload: { reporter: { type: 'depicted_person' }, jurisdiction: 'ID', category: 'sexual_deepfake', content: { image: REPOSTED.toString('base64') } },
      });
      assert.equal(filed.statusCode, 201, filed.body);
      const page = await get(`/console/cases/${filed.json().case_id}`, cookie);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /The request that generated the reported image/);
      assert.match(page.body, new RegExp(request.json().id));
      assert.match(page.body, /The generated output/);
      assert.match(page.body, /<td class="mono">acct-42<\/td>/);
      assert.match(page.body, /<p class="prompt"><span class="label">Prompt:<\/span> [^<]*<mark title="[^"]*">[^<]*her<\/mark>/);
      assert.match(page.body, /id="action-bank"/, 'a case with an image hash can be banked');
    });

    it('images are shielded by default; a reveal is a CSRF-checked, audited post before the clear image is served', async () => {
      const { cookie, csrf } = await signIn();
      imageCase = await report('post-image');
      const page = await get(`/console/cases/${imageCase}`, cookie);
      assert.match(page.body, /<figure class="shielded {2}" id="image-0">/);
      assert.match(page.body, new RegExp(`src="/console/cases/${imageCase}/images/0/shielded"`));
      const shielded = await get(`/console/cases/${imageCase}/images/0/shielded`, cookie);
      assert.equal(shielded.statusCode, 200);
      assert.equal(shielded.headers['content-type'], 'image/png');
      const meta = await sharp(shielded.rawPayload).metadata();
      assert.equal(meta.channels, 1, 'greyscale');
      assert.notDeepEqual(shielded.rawPayload, png);
      const early = await get(`/console/cases/${imageCase}/images/0`, cookie);
      assert.equal(early.statusCode, 403, 'no clear image before a reveal');
      assert.equal((await post(`/console/cases/${imageCase}/images/0/reveal`, { csrf: 'guess' }, cookie)).statusCode, 403);
      const reveal = await post(`/console/cases/${imageCase}/images/0/reveal`, { csrf }, cookie);
      assert.equal(reveal.statusCode, 303);
      assert.equal(reveal.headers.location, `/console/cases/${imageCase}?revealed=0#image-0`);
      const audit = (await readAuditEntries(store().store.db, 0, 100_000)).filter((e) => e.subject === imageCase && e.kind === 'case.image_revealed');
      assert.deepEqual(
        audit.map((e) => [e.actor, e.payload]),
        [[`user:${EMAIL}`, { image: 0 }]],
      );
      const clear = await get(`/console/cases/${imageCase}/images/0`, cookie);
      assert.equal(clear.statusCode, 200);
      assert.deepEqual(clear.rawPayload, png);
      const revealedPage = await get(`/console/cases/${imageCase}?revealed=0`, cookie);
      assert.match(revealedPage.body, /<figure class="shielded {2}revealed" id="image-0">/);
      clock.advance(11 * 60_000);
      assert.equal((await get(`/console/cases/${imageCase}/images/0`, cookie)).statusCode, 403, 'a reveal lasts minutes, not forever');
    });

    it('a personal shield can be made stronger, never weaker, and the case page follows it', async () => {
      const { cookie, csrf } = await signIn();
      assert.equal((await post('/console/preferences', { csrf, image_shield: 'strong' }, cookie)).statusCode, 303);
      const page = await get(`/console/cases/${imageCase}`, cookie);
      assert.match(page.body, /<figure class="shielded strong " id="image-0">/);
      const prefs = await get('/console/preferences', cookie);
      assert.match(prefs.body, /id="shield-strong" name="image_shield" value="strong" checked/);
    });

    it('logout needs the CSRF token and ends the session', async () => {
      const { cookie, csrf } = await signIn();
      assert.equal((await post('/console/logout', { csrf: 'guess' }, cookie)).statusCode, 403);
      const out = await post('/console/logout', { csrf }, cookie);
      assert.equal(out.statusCode, 303);
      assert.match(cookiesOf(out)['perisai_session']!, /Max-Age=0/);
      assert.equal((await get('/console/cases', cookie)).statusCode, 303, 'the old cookie opens nothing');
    });

    it('locks the account after 3 wrong passwords; the form says so with 429', async () => {
      for (let i = 0; i < 2; i++) assert.equal((await signIn('wrong')).res.statusCode, 401);
      const third = await signIn('wrong');
      assert.equal(third.res.statusCode, 429);
      assert.match(third.res.body, /locked for 15 min/);
      const right = await signIn();
      assert.equal(right.res.statusCode, 429);
      assert.equal(right.cookie, '');
    });
  });
}

describe('the sign-in limit per address', () => {
  const factory = STORE_FACTORIES[0]!;
  const store = useStore(factory);
  let t: TestApp;
  before(async () => {
    t = await startTestApp(store(), { consoleUsers: { scrypt: TEST_SCRYPT } }, { consoleLoginRateLimit: 2 });
  });
  after(async () => t?.close());

  test('the third sign-in post in a minute from one address is refused before any password is checked', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/console/login' });
    const cookie = `perisai_login_csrf=${cookieValue(cookiesOf(page)['perisai_login_csrf']!)}`;
    const attempt = () =>
      t.app.inject({
        method: 'POST',
        url: '/console/login',
        payload: form({ csrf: csrfIn(page.body), email: 'nobody@example.org', password: 'whatever it is' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      });
    assert.equal((await attempt()).statusCode, 401);
    assert.equal((await attempt()).statusCode, 401);
    const third = await attempt();
    assert.equal(third.statusCode, 429);
    assert.ok(Number(third.headers['retry-after']) > 0);
    assert.match(third.body, /Too many requests from this address: at most 2 a minute/);
    assert.match(third.body, /<form method="post" action="\/console\/login"/, 'the form is shown again');
    const audited = (await readAuditEntries(store().store.db, 0, 1000)).filter((e) => e.kind === 'console.login');
    assert.equal(audited.length, 2, 'the refused post never reached the password check');
  });
});
