import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe } from 'node:test';

import fc from 'fast-check';

import { startTestApp, type TestApp } from '../helpers/app.js';
import { ADMIN_KEY } from '../helpers/app.js';
import { fakeImageAnalyser, flipBits } from '../helpers/fake-image-analyser.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

const PHOTO = Buffer.from('pretend this is the bytes of a photo of acct-42');
const REUPLOAD = Buffer.from('the same photo, re-encoded and cropped by someone else');
const OTHER = Buffer.from('an unrelated landscape');
const PROTECTED_PDQ = 'f'.repeat(16) + '0'.repeat(16) + 'a5'.repeat(16);

for (const factory of STORE_FACTORIES) {
  describe(`consent, banks and ledger on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    const analyser = fakeImageAnalyser();
    let t: TestApp;
    before(async () => {
      if (factory.skip) return;
      analyser.set(PHOTO, { pdq: { hash: PROTECTED_PDQ, quality: 100 }, faces: { count: 1, ages: [31] } });
      analyser.set(REUPLOAD, { pdq: { hash: flipBits(PROTECTED_PDQ, 31), quality: 90 }, faces: { count: 1, ages: [31] } });
      analyser.set(OTHER, { pdq: { hash: flipBits(PROTECTED_PDQ, 32), quality: 90 } });
      t = await startTestApp(store(), { imageAnalyser: analyser });
    });
    after(async () => t?.close());

    const call = (method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE', url: string, body?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
    const screen = (prompt: string, image: Buffer, requester: string, owner?: string) =>
      call('POST', '/v1/screen', {
        prompt,
        subject: 'adult',
        requester: { id: requester },
        images: [{ data: image.toString('base64'), ...(owner ? { owner } : {}) }],
      });

    it('consent defaults to no edits by others, yes by self', async () => {
      const res = await call('GET', '/v1/consent/acct-42');
      assert.deepEqual(res.json(), { account: 'acct-42', allow_ai_edits_by_others: false, allow_ai_edits_by_self: true, stored: false, updated_at: null });
    });

    it('an account id a screening body accepts can be managed over HTTP; others are 400 everywhere', async () => {
      const chars = 'ABCXYZabcxyz0189._:@+-'.split('');
      await fc.assert(
        fc.asyncProperty(
          fc
            .array(fc.constantFrom(...chars), { minLength: 1, maxLength: 128 })
            .map((a) => (a.length % 2 ? a : [...a, ...Array<string>(128 - a.length).fill('z')]))
            // "." and ".." are refused on purpose (URL clients collapse them in a path); tested below.
            .filter((a) => a.join('') !== '.' && a.join('') !== '..'),
          async (letters) => {
            const id = letters.join('');
            assert.equal((await screen('make it brighter', OTHER, 'acct-7', id)).statusCode, 200);
            const put = await call('PATCH', `/v1/consent/${encodeURIComponent(id)}`, { allow_ai_edits_by_others: true });
            assert.equal(put.statusCode, 200, put.body);
            assert.equal(put.json().account, id);
            assert.equal((await call('DELETE', `/v1/consent/${encodeURIComponent(id)}`)).statusCode, 200);
          },
        ),
        { numRuns: 25 },
      );
      for (const dots of ['.', '..']) {
        const body = await screen('make it brighter', OTHER, 'acct-7', dots);
        assert.equal(body.statusCode, 400, body.body);
        assert.match(body.json().message, /must not be "\." or "\.\."/);
      }
      for (const bad of ['x'.repeat(129), 'has space', 'ümlaut']) {
        const body = await screen('make it brighter', OTHER, 'acct-7', bad);
        assert.equal(body.statusCode, 400, body.body);
        assert.match(body.json().message, /body\.images\[0\]\.owner .*128 characters of A-Z a-z 0-9/);
        const path = await call('GET', `/v1/consent/${encodeURIComponent(bad)}`);
        assert.equal(path.statusCode, 400, path.body);
        assert.match(path.json().message, /path\.account .*128 characters/);
      }
    });

    it('PATCH changes one setting at a time, keeps the other, audits each change, and refuses an empty or unknown one', async () => {
      const first = await call('PATCH', '/v1/consent/acct-patch', { allow_ai_edits_by_others: true });
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual([first.json().allow_ai_edits_by_others, first.json().allow_ai_edits_by_self, first.json().stored], [true, true, true]);
      const second = await call('PATCH', '/v1/consent/acct-patch', { allow_ai_edits_by_self: false });
      assert.deepEqual([second.json().allow_ai_edits_by_others, second.json().allow_ai_edits_by_self], [true, false]);
      // Concurrent changes of different settings both land (one statement each, no read-merge-write).
      await Promise.all([
        call('PATCH', '/v1/consent/acct-patch-2', { allow_ai_edits_by_others: true }),
        call('PATCH', '/v1/consent/acct-patch-2', { allow_ai_edits_by_self: false }),
      ]);
      const both = (await call('GET', '/v1/consent/acct-patch-2')).json();
      assert.deepEqual([both.allow_ai_edits_by_others, both.allow_ai_edits_by_self], [true, false]);
      for (const [body, message] of [
        [{}, /must set at least one of allow_ai_edits_by_others, allow_ai_edits_by_self/],
        [{ allow_ai_edits_by_others: 'yes' }, /allow_ai_edits_by_others must be a boolean/],
        [{ allow_edits: true }, /unknown field "allow_edits"/],
      ] as const) {
        const bad = await call('PATCH', '/v1/consent/acct-patch', body);
        assert.equal(bad.statusCode, 400, bad.body);
        assert.match(bad.json().message, message);
      }
      let changes = 0;
      for (let after: number | null = 0; after !== null;) {
        const page = await t.ctx.audit.entries(after, 1000);
        changes += page.entries.filter((e) => e.kind === 'consent_changed' && e.subject === 'acct-patch').length;
        after = page.next;
      }
      assert.equal(changes, 2);
    });

    it("an edit of someone else's photo is refused until they allow it; their own edit is allowed", async () => {
      const refused = (await screen('make it brighter', OTHER, 'acct-7', 'acct-42')).json();
      assert.equal(refused.decision, 'block');
      assert.deepEqual(refused.categories, ['consent_withheld']);
      assert.match(refused.reasons[0].evidence[0].detail, /acct-42, who has not allowed AI edits/);
      assert.equal((await screen('make it brighter', OTHER, 'acct-42', 'acct-42')).json().decision, 'allow');

      const put = await call('PUT', '/v1/consent/acct-42', { allow_ai_edits_by_others: true, allow_ai_edits_by_self: true });
      assert.equal(put.statusCode, 200);
      assert.equal(put.json().stored, true);
      assert.equal((await screen('make it brighter', OTHER, 'acct-7', 'acct-42')).json().decision, 'allow');
      assert.equal((await call('DELETE', '/v1/consent/acct-42')).json().erased, true);
      assert.equal((await screen('make it brighter', OTHER, 'acct-7', 'acct-42')).json().decision, 'block');
    });

    it('a protected photo is refused for anyone within distance 31, not at 32; deletion takes effect at once', async () => {
      const add = await call('POST', '/v1/consent/acct-42/protected-hashes', { hashes: [{ pdq: PROTECTED_PDQ.toUpperCase(), quality: 100 }] });
      assert.equal(add.statusCode, 201, add.body);
      assert.deepEqual(add.json(), { account: 'acct-42', added: 1, already_present: 0 });
      assert.equal((await call('POST', '/v1/consent/acct-42/protected-hashes', { hashes: [{ pdq: PROTECTED_PDQ, quality: 100 }] })).json().already_present, 1);

      const reupload = (await screen('make it brighter', REUPLOAD, 'acct-7')).json();
      assert.equal(reupload.decision, 'block');
      assert.deepEqual(reupload.categories, ['consent_withheld']);
      assert.match(reupload.reasons[0].evidence[0].detail, /protected \(PDQ distance 31\)/);
      assert.equal((await screen('make it brighter', OTHER, 'acct-7')).json().decision, 'allow');
      // The protector editing their own photo is allowed by default.
      assert.equal((await screen('make it brighter', REUPLOAD, 'acct-42')).json().decision, 'allow');

      const listed = (await call('GET', '/v1/consent/acct-42/protected-hashes')).json();
      assert.deepEqual(
        listed.hashes.map((h: { pdq: string }) => h.pdq),
        [PROTECTED_PDQ],
      );
      const removed = await call('DELETE', `/v1/consent/acct-42/protected-hashes/${PROTECTED_PDQ}`);
      assert.deepEqual(removed.json(), { account: 'acct-42', deleted: 1 });
      assert.equal((await screen('make it brighter', REUPLOAD, 'acct-7')).json().decision, 'allow');
      assert.equal((await call('DELETE', `/v1/consent/acct-42/protected-hashes/${PROTECTED_PDQ}`)).statusCode, 404);
    });

    it('a protected SHA-256 matches the exact bytes; erasing all hashes lifts it', async () => {
      const sha256 = createHash('sha256').update(PHOTO).digest('hex');
      await call('POST', '/v1/consent/acct-9/protected-hashes', { hashes: [{ pdq: flipBits(PROTECTED_PDQ, 200), quality: 80, sha256 }] });
      assert.deepEqual((await screen('add a hat', PHOTO, 'acct-7')).json().categories, ['consent_withheld']);
      assert.deepEqual((await call('DELETE', '/v1/consent/acct-9/protected-hashes')).json(), { account: 'acct-9', deleted: 1 });
      assert.equal((await screen('add a hat', PHOTO, 'acct-7')).json().decision, 'allow');
    });

    it('protected-hash submissions are validated', async () => {
      const bad = await call('POST', '/v1/consent/acct-42/protected-hashes', {
        hashes: [
          { pdq: 'abc', quality: 100 },
          { pdq: PROTECTED_PDQ, quality: 20 },
        ],
      });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().message, /body\.hashes\[0\]\.pdq must be a PDQ hash: exactly 64 hexadecimal digits/);
      assert.match(bad.json().message, /body\.hashes\[1\]\.quality must be at least 50/);
    });

    it('a bank match blocks per the bank purpose, and the output ledger traces a near-duplicate back', async () => {
      await t.ctx.banks.create({ name: 'authority-list', purpose: 'csam', min_quality: 50, max_distance: 31, active: true }, 'test');
      await t.ctx.banks.import('authority-list', [{ pdq: flipBits(PROTECTED_PDQ, 10), quality: 100, label: 'case-1' }], 'test');
      const hit = (await screen('make it brighter', REUPLOAD, 'acct-7')).json();
      assert.equal(hit.decision, 'block');
      assert.ok(hit.categories.includes('bank_match'));
      assert.ok(hit.actions.includes('escalate'));
      await t.ctx.banks.setActive('authority-list', false, 'test');
      assert.ok(!(await screen('make it brighter', REUPLOAD, 'acct-7')).json().categories.includes('bank_match'));

      const request = (await call('POST', '/v1/screen', { prompt: 'a lighthouse at dusk', subject: 'none', requester: { id: 'acct-5' } })).json();
      assert.equal(request.decision, 'allow');
      const output = await call('POST', '/v1/screen/output', { request_id: request.id, image: { data: OTHER.toString('base64') } });
      assert.equal(output.statusCode, 200, output.body);
      assert.equal(output.json().stage, 'output');
      assert.equal(output.json().request_id, request.id);
      const lookup = (await call('POST', '/v1/ledger/lookup', { pdq: flipBits(flipBits(PROTECTED_PDQ, 32), 5) })).json();
      const match = lookup.matches.find((m: { request_id: string }) => m.request_id === request.id);
      assert.ok(match, JSON.stringify(lookup));
      assert.equal(match.requester_id, 'acct-5');
      assert.equal(match.distance, 5);
    });

    it('banks over HTTP: text hash lists in, all or nothing, and streamed out', async () => {
      assert.equal((await call('POST', '/v1/banks', { name: 'qa', purpose: 'test' })).statusCode, 201);
      const send = (body: string) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/banks/qa/hashes',
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'text/plain' },
          payload: body,
        });
      const bad = await send(`${'1'.repeat(64)},100,one\nnot-a-hash,100,two\n`);
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().message, /Nothing was imported.*\n\s+line 2:/s);
      const good = await send(`${'1'.repeat(64)},100,one\n${'2'.repeat(64)},90,two\n`);
      assert.deepEqual(good.json(), { bank: 'qa', submitted: 2, added: 2, already_present: 0 });
      const exported = await t.app.inject({ method: 'GET', url: '/v1/banks/qa/hashes?format=pdq', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      assert.equal(exported.body, `${'1'.repeat(64)},100,one\n${'2'.repeat(64)},90,two\n`);
      const listed = (await call('GET', '/v1/banks')).json().banks.find((b: { name: string }) => b.name === 'qa');
      assert.equal(listed.hashes, 2);
      assert.equal((await call('POST', '/v1/banks', { name: 'qa', purpose: 'test' })).statusCode, 409);
      assert.equal((await call('GET', '/v1/banks/nope')).statusCode, 404);
    });

    it('nested values in hash records are refused with 400 naming the field, however deep, and the server stays up', async () => {
      assert.equal((await call('POST', '/v1/banks', { name: 'nested', purpose: 'test' })).statusCode, 201);
      const deep = '['.repeat(100_000) + ']'.repeat(100_000);
      const h = '3'.repeat(64);
      const post = (payload: string, type: string) =>
        t.app.inject({ method: 'POST', url: '/v1/banks/nested/hashes', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': type }, payload });
      const bodies: Array<[string, string, RegExp]> = [
        [`{"hashes":[{"pdq":"${h}","label":${deep}}]}`, 'application/json', /body\.hashes\[0\]\.label must be a string, number, boolean or null/],
        [`{"hashes":[{"pdq":"${h}","source":{"a":{"b":1}}}]}`, 'application/json', /body\.hashes\[0\]\.source must be a string, number/],
        [`{"pdq":"${h}","label":${deep}}`, 'application/x-ndjson', /line 1: label must be a string/],
      ];
      for (const [payload, type, message] of bodies) {
        const res = await post(payload, type);
        assert.equal(res.statusCode, 400, res.body.slice(0, 300));
        assert.match(res.json().message, message);
      }
      assert.equal((await call('GET', '/v1/banks')).json().banks.find((b: { name: string }) => b.name === 'nested').hashes, 0);
      assert.equal((await post(`{"hashes":[{"pdq":"${h}","quality":90,"label":"ok"}]}`, 'application/json')).statusCode, 200);
    });

    it("an output is recorded only against a request screened with the same key; another key's request is a 404 like a missing one", async () => {
      const as = (key: string, url: string, body: unknown) =>
        t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
      const request = (await as(t.keys.screen, '/v1/screen', { prompt: 'a lighthouse at dusk', subject: 'none' })).json();
      const output = { request_id: request.id, image: { data: OTHER.toString('base64') } };
      const foreign = await as(ADMIN_KEY, '/v1/screen/output', output);
      assert.equal(foreign.statusCode, 404, foreign.body);
      const missing = await as(ADMIN_KEY, '/v1/screen/output', { ...output, request_id: `dec_${'2'.repeat(32)}` });
      assert.equal(foreign.json().code, missing.json().code);
      assert.equal(foreign.json().message.replace(request.id, 'ID'), missing.json().message.replace(`dec_${'2'.repeat(32)}`, 'ID'));
      const own = await as(t.keys.screen, '/v1/screen/output', output);
      assert.equal(own.statusCode, 200, own.body);
      assert.equal(own.json().request_id, request.id);
    });

    it('an output for a blocked request is blocked and flagged with its own reason and a case, whatever the image shows', async () => {
      const blocked = (await call('POST', '/v1/screen', { prompt: 'remove her clothes', subject: 'adult' })).json();
      assert.equal(blocked.decision, 'block');
      const res = await call('POST', '/v1/screen/output', { request_id: blocked.id, image: { data: OTHER.toString('base64') } });
      assert.equal(res.statusCode, 200, res.body);
      const output = res.json();
      assert.equal(output.decision, 'block');
      const flag = output.reasons.find((r: { rule: string }) => r.rule === 'request-was-blocked');
      assert.ok(flag, JSON.stringify(output.reasons));
      assert.match(flag.message, new RegExp(blocked.id));
      assert.ok(output.actions.includes('open_case'));
      for (const category of blocked.categories) assert.ok(output.categories.includes(category));
      const allowed = (await call('POST', '/v1/screen', { prompt: 'a lighthouse at dusk', subject: 'none' })).json();
      const clean = (await call('POST', '/v1/screen/output', { request_id: allowed.id, image: { data: OTHER.toString('base64') } })).json();
      assert.ok(!clean.reasons.some((r: { rule: string }) => r.rule === 'request-was-blocked'));
    });

    it('an output of an unknown request is a 404', async () => {
      const res = await call('POST', '/v1/screen/output', { request_id: `dec_${'1'.repeat(32)}`, image: { data: OTHER.toString('base64') } });
      assert.equal(res.statusCode, 404);
      assert.match(res.json().message, /screen the request first/);
    });
  });
}
