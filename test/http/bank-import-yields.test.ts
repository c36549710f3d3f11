import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe } from 'node:test';

import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

const LINES = 50_000;

/** Distinct, reproducible PDQ hashes: the SHA-256 of the line number, as hex. */
function hashList(n: number, from = 0): string {
  let out = '';
  for (let i = from; i < from + n; i++) out += `${createHash('sha256').update(String(i)).digest('hex')},100,photo-${i}.jpg\n`;
  return out;
}

for (const factory of STORE_FACTORIES) {
  describe(`a large bank import shares the event loop on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    let t: TestApp;
    before(async () => {
      if (!factory.skip) t = await startTestApp(store());
    });
    after(async () => t?.close());

    const auth = { authorization: `Bearer ${ADMIN_KEY}` };
    const createBank = async (name: string) =>
      assert.equal(
        (
          await t.app.inject({
            method: 'POST',
            url: '/v1/banks',
            headers: { ...auth, 'content-type': 'application/json' },
            payload: JSON.stringify({ name, purpose: 'test' }),
          })
        ).statusCode,
        201,
      );
    const importList = (name: string, payload: string) =>
      t.app.inject({ method: 'POST', url: `/v1/banks/${name}/hashes`, headers: { ...auth, 'content-type': 'text/plain' }, payload });
    const bankSize = async (name: string): Promise<number> =>
      (await t.app.inject({ method: 'GET', url: '/v1/banks', headers: auth })).json().banks.find((b: { name: string }) => b.name === name).hashes;

    it(`other work runs while ${LINES.toLocaleString('en')} lines are parsed, stored and indexed: /healthz answers before the import does`, async () => {
      await createBank('big');
      const order: string[] = [];
      // Counts turns of the event loop (not microtasks) during the import: a synchronous parse,
      // insert or index reload would leave it near zero however long it took.
      let ticks = 0;
      let importing = true;
      const tick = () => {
        ticks++;
        if (importing) setImmediate(tick);
      };
      const imported = importList('big', hashList(LINES)).then((res) => {
        importing = false;
        order.push('import');
        return res;
      });
      setImmediate(tick);
      // Asked only once the import has had a few turns to start, so it is asked while it runs.
      while (importing && ticks < 5) await new Promise((resolve) => setImmediate(resolve));
      const health = t.app.inject({ method: 'GET', url: '/healthz' }).then((res) => {
        order.push('healthz');
        return res;
      });
      const [res, healthz] = await Promise.all([imported, health]);
      assert.equal(res.statusCode, 200, res.body.slice(0, 300));
      assert.deepEqual(res.json(), { bank: 'big', submitted: LINES, added: LINES, already_present: 0 });
      assert.equal(healthz.statusCode, 200);
      assert.deepEqual(order, ['healthz', 'import']);
      // At least one turn per 5,000-line parse slice, and more for the insert batches.
      assert.ok(ticks >= LINES / 5000 + 10, `only ${ticks} event-loop turns during the import`);
      assert.equal(await bankSize('big'), LINES);
      assert.equal(t.ctx.indexes.sizes.bank, LINES);
    });

    it('still all or nothing: a bad line after tens of thousands of good ones is a 400 naming it, and nothing is stored', async () => {
      await createBank('atomic');
      const res = await importList('atomic', `${hashList(LINES, 100_000)}not-a-hash,100,last\n`);
      assert.equal(res.statusCode, 400);
      assert.match(res.json().message, new RegExp(`Nothing was imported.*line ${LINES + 1}:`, 's'));
      assert.equal(await bankSize('atomic'), 0);
    });
  });
}
