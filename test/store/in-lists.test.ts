import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { IN_LIST_CHUNK, inChunks } from '../../src/store/repositories/chunked.js';
import { findConsents, findProtectedHashesByIds, findProtectedHashesBySha256, insertProtectedHashes } from '../../src/store/repositories/consent.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

const AT = '2026-12-04T00:00:00.000Z';
/** Past SQLite's 32,766 bound parameters: one `in` list of these many values fails there. */
const MANY = 40_000;

const hex64 = (i: number, fill: string) => i.toString(16).padStart(64, fill);

describe('inChunks', () => {
  it('splits into chunks of the given size, concatenating rows in chunk order', async () => {
    const seen: number[][] = [];
    const rows = await inChunks(
      [1, 2, 3, 4, 5],
      async (chunk) => {
        seen.push(chunk);
        return chunk.map((n) => n * 10);
      },
      2,
    );
    assert.deepEqual(seen, [[1, 2], [3, 4], [5]]);
    assert.deepEqual(rows, [10, 20, 30, 40, 50]);
  });

  it('drops duplicates first, so a value in two chunks does not return its row twice', async () => {
    const seen: string[][] = [];
    const rows = await inChunks(['a', 'b', 'a', 'c', 'b'], async (chunk) => (seen.push(chunk), chunk), 2);
    assert.deepEqual(seen, [['a', 'b'], ['c']]);
    assert.deepEqual(rows, ['a', 'b', 'c']);
  });

  it('runs no query for an empty list and refuses a chunk size below 1', async () => {
    let calls = 0;
    assert.deepEqual(await inChunks([], async () => (calls++, [1])), []);
    assert.equal(calls, 0);
    await assert.rejects(
      inChunks([1], async () => [], 0),
      RangeError,
    );
  });

  it('the default chunk stays far under both databases limits', () => {
    assert.ok(IN_LIST_CHUNK * 2 < 32_766);
  });
});

for (const factory of STORE_FACTORIES) {
  describe(`in-lists of ${MANY} values on ${factory.name}`, () => {
    const store = useStore(factory);
    const test = testOn(factory);

    test(`${MANY} protected hashes come back by id, by SHA-256, and their ${MANY} accounts' consents by account`, async () => {
      const { db } = store().store;
      const ids = await store().store.transaction(async (trx) => {
        const all: number[] = [];
        for (let i = 0; i < MANY; i += 1000) {
          const batch = Array.from({ length: 1000 }, (_, j) => ({ pdq: hex64(i + j, '0'), quality: 100, sha256: hex64(i + j, 'e') }));
          all.push(...(await insertProtectedHashes(trx, `acct-${i / 1000}`, batch, AT)));
        }
        for (let i = 0; i < MANY; i += 500) {
          const rows = Array.from({ length: 500 }, (_, j) => ({
            account: `person-${i + j}`,
            allow_ai_edits_by_others: (i + j) % 2 === 0 ? 1 : 0,
            allow_ai_edits_by_self: 1,
            updated_at: AT,
          }));
          await trx.insertInto('consent_settings').values(rows).execute();
        }
        return all;
      });
      assert.equal(ids.length, MANY);

      // A repeated id and one that does not exist change nothing.
      const byId = await findProtectedHashesByIds(db, [...ids, ids[0]!, 999_999_999]);
      assert.equal(byId.length, MANY);
      assert.deepEqual(new Set(byId.map((row) => row.id)), new Set(ids));

      const bySha = await findProtectedHashesBySha256(
        db,
        Array.from({ length: MANY }, (_, i) => hex64(i, 'e')),
      );
      assert.equal(bySha.length, MANY);

      const consents = await findConsents(
        db,
        Array.from({ length: MANY }, (_, i) => `person-${i}`),
      );
      assert.equal(consents.size, MANY);
      assert.equal(consents.get('person-39998')?.allowAiEditsByOthers, true);
      assert.equal(consents.get('person-39999')?.allowAiEditsByOthers, false);
    });
  });
}
