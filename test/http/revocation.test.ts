import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';

import { ManualClock } from '../../src/domain/clock.js';
import { KEY_CACHE_TTL_MS } from '../../src/services/api-keys.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

for (const factory of STORE_FACTORIES) {
  describe(`key revocation across instances on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    const clock = new ManualClock('2026-12-02T12:00:00.000Z');
    let a: TestApp;
    let b: TestApp;
    before(async () => {
      if (factory.skip) return;
      // Two instances on one database: each has its own authentication cache, they share only the store.
      a = await startTestApp(store(), { clock });
      b = await startTestApp(store(), { clock });
    });
    after(async () => {
      await b?.close();
      await a?.close();
    });

    const screenOn = (t: TestApp, key: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/screen',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ prompt: 'make the sky bluer' }),
      });

    it('a key revoked on one instance is refused on the other within one second', async () => {
      const created = await a.ctx.apiKeys.create('to revoke', ['screen'], 'test');
      assert.equal((await screenOn(b, created.secret)).statusCode, 200); // b has it cached now
      await a.ctx.apiKeys.revoke(created.record.id, 'test');
      assert.equal((await screenOn(a, created.secret)).statusCode, 401, 'the revoking instance refuses at once');
      clock.advance(KEY_CACHE_TTL_MS);
      const refused = await screenOn(b, created.secret);
      assert.equal(refused.statusCode, 401, refused.body);
      assert.match(refused.json().message, /unknown or revoked/);
      assert.ok(KEY_CACHE_TTL_MS < 1000);
    });
  });
}
