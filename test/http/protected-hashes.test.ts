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
      t = await startTestApp(store(), { imageAnalyser: analyser });
    });
    after(async () => t?.close());

    const call = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
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
