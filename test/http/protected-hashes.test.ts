import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';

import { insertProtectedHashes } from '../../src/store/repositories/consent.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app.js';
import { fakeImageAnalyser } from '../helpers/fake-image-analyser.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

const AT = '2026-12-04T00:00:00.000Z';
const BASE = 'f'.repeat(16) + '0'.repeat(16) + 'a5'.repeat(16);
const CROWDED = Buffer.from('a photo that many people protected copies of');
/** Past SQLite's 32,766 bound parameters, which one `in` list of the hits used to exceed. */
const NEAR = 33_500;
/** PERISAI_MAX_PROTECTED_HASHES of the app under test. */
const LIMIT = 5;
/** Distinct, far apart: hash i is i repeated. */
const hash = (i: number) => i.toString(16).repeat(64);

/** `n` distinct hashes within 12 bits of BASE: each flips a distinct set of its lowest 20 bits. */
function nearHashes(n: number): string[] {
  const out: string[] = [];
  for (let i = 1; out.length < n; i += 1) {
    let bits = 0;
    for (let b = 0; b < 20; b += 1) if (i & (1 << b)) bits += 1;
    if (bits > 12) continue;
    const bytes = Buffer.from(BASE, 'hex');
    for (let b = 0; b < 20; b += 1) if (i & (1 << b)) bytes[31 - (b >> 3)]! ^= 1 << (b & 7);
    out.push(bytes.toString('hex'));
  }
  return out;
}

for (const factory of STORE_FACTORIES) {
  describe(`protected hashes at scale on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    const analyser = fakeImageAnalyser();
    let t: TestApp;
    before(async () => {
      if (factory.skip) return;
      analyser.set(CROWDED, { pdq: { hash: BASE, quality: 100 } });
      t = await startTestApp(store(), { imageAnalyser: analyser }, { maxProtectedHashes: LIMIT });
    });
    after(async () => t?.close());

    const call = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });

    const add = (account: string, ids: number[]) =>
      call('POST', `/v1/consent/${account}/protected-hashes`, { hashes: ids.map((i) => ({ pdq: hash(i), quality: 100 })) });
    const listed = async (account: string) =>
      (await call('GET', `/v1/consent/${account}/protected-hashes`))
        .json()
        .hashes.map((h: { pdq: string }) => h.pdq)
        .sort();

    it(`a batch that would take an account past ${LIMIT} protected hashes adds none, with 409 protected_hash_limit saying what to do`, async () => {
      assert.equal((await add('capped', [1, 2, 3])).statusCode, 201);
      const refused = await add('capped', [4, 5, 6]);
      assert.equal(refused.statusCode, 409, refused.body);
      const body = refused.json();
      assert.equal(body.error, 'protected_hash_limit');
      assert.match(body.message, /^Account capped holds 3 protected hashes and this would add 3, past the limit of 5 per account; none were added\./);
      assert.match(body.message, /Delete protected hashes the account no longer needs .*at most 2 more fit.*PERISAI_MAX_PROTECTED_HASHES/);
      assert.deepEqual(body.details, { limit: LIMIT, stored: 3, adding: 3 });
      // Nothing of the refused batch was written: not the rows, not the index.
      assert.deepEqual(await listed('capped'), [hash(1), hash(2), hash(3)]);
      assert.equal(t.ctx.indexes.searchProtected(hash(4), 0).length, 0);
      const audited = (await t.ctx.audit.entries(0, 1000)).entries.filter((e) => e.kind === 'protected_hashes_added' && e.subject === 'capped');
      assert.equal(audited.length, 1);
    });

    it('hashes already held and repeats in the batch do not count; the limit itself is reachable; deleting makes room', async () => {
      // 3 held + 2 new (each sent twice) = 5: exactly the limit.
      const fill = await add('capped', [1, 2, 3, 4, 4, 5, 5]);
      assert.equal(fill.statusCode, 201, fill.body);
      assert.deepEqual(fill.json(), { account: 'capped', added: 2, already_present: 5 });
      // At the limit, re-sending held hashes is still fine; one new one is not.
      assert.deepEqual((await add('capped', [1, 5])).json(), { account: 'capped', added: 0, already_present: 2 });
      assert.equal((await add('capped', [6])).statusCode, 409);
      assert.equal((await call('DELETE', `/v1/consent/capped/protected-hashes/${hash(1)}`)).statusCode, 200);
      assert.equal((await add('capped', [6])).statusCode, 201);
      assert.deepEqual(await listed('capped'), [2, 3, 4, 5, 6].map(hash));
      // The limit is per account.
      assert.equal((await add('other-account', [1, 2, 3, 4, 5])).statusCode, 201);
    });

    it('two concurrent batches that each fit but together do not: one is added, the other refused whole', async () => {
      const [a, b] = await Promise.all([add('racing', [1, 2, 3]), add('racing', [4, 5, 6])]);
      assert.deepEqual([a.statusCode, b.statusCode].sort(), [201, 409], `${a.body} ${b.body}`);
      const winner = a.statusCode === 201 ? [1, 2, 3] : [4, 5, 6];
      assert.deepEqual(await listed('racing'), winner.map(hash));
    });

    it(`an image near ${NEAR} protected photos is screened: blocked for their consent, not failed closed`, async () => {
      const hashes = nearHashes(NEAR);
      // Straight into the store, a thousand per account (the per-account cap applies to the service, not here).
      await store().store.transaction(async (trx) => {
        for (let i = 0; i < hashes.length; i += 1000) {
          await insertProtectedHashes(
            trx,
            `crowd-${i / 1000}`,
            hashes.slice(i, i + 1000).map((pdq) => ({ pdq, quality: 100, sha256: null })),
            AT,
          );
        }
      });
      await t.ctx.indexes.load();
      assert.equal(t.ctx.indexes.searchProtected(BASE).length, NEAR);

      const res = await call('POST', '/v1/screen', {
        prompt: 'make it brighter',
        subject: 'adult',
        requester: { id: 'acct-7' },
        images: [{ data: CROWDED.toString('base64') }],
      });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      // A failed consent lookup would fail closed to review and name the failure instead.
      assert.equal(body.decision, 'block', res.body.slice(0, 500));
      assert.deepEqual(body.categories, ['consent_withheld']);
      const accounts = new Set<string>();
      for (const reason of body.reasons) for (const evidence of reason.evidence) accounts.add(/that (crowd-\d+) protected/.exec(evidence.detail)?.[1] ?? '');
      assert.equal(accounts.size, Math.ceil(NEAR / 1000));
    });
  });
}
