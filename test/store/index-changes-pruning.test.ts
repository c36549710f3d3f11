import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { ManualClock } from '../../src/domain/clock.js';
import { ConsentService } from '../../src/services/consent.js';
import { HashIndexes } from '../../src/services/hash-indexes.js';
import { IndexMaintenance } from '../../src/services/index-maintenance.js';
import { UnitOfWork } from '../../src/services/unit-of-work.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

const HOUR = 3_600_000;
const PHOTO = 'a5'.repeat(32);
const OTHER = '3c'.repeat(32);

for (const factory of STORE_FACTORIES) {
  describe(`pruning the index change log on ${factory.name}`, () => {
    const store = useStore(factory);
    const test = testOn(factory);

    test('an instance behind by more than the retention reloads and sees a pruned deletion; instances up to date do not reload', async () => {
      const clock = new ManualClock('2026-03-01T00:00:00.000Z');
      const uow = new UnitOfWork(store().store, clock);
      const consent = new ConsentService(uow);
      const maintenance = new IndexMaintenance(uow, 24);
      const db = store().store.db;

      await consent.addProtectedHashes('acct-1', [{ pdq: PHOTO, quality: 90 }], 'test');
      const current = new HashIndexes(db);
      const behind = new HashIndexes(db);
      await current.load();
      await behind.load();
      assert.equal(behind.searchProtected(PHOTO, 0).length, 1);

      clock.advance(HOUR);
      await consent.deleteProtectedHashes('acct-1', 'test', PHOTO);
      await current.refresh();
      assert.equal(current.searchProtected(PHOTO, 0).length, 0);

      // Nothing is old enough yet.
      assert.equal(await maintenance.prune(), 0);
      clock.advance(30 * HOUR);
      assert.equal(await maintenance.prune(), 2, 'the add and the delete are older than 24 h');
      assert.equal(
        Number(
          (
            await db
              .selectFrom('index_changes')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        ),
        0,
      );

      // `behind` never replayed the deletion, and its row is gone: only a full reload can show it.
      await behind.refresh();
      assert.equal(behind.searchProtected(PHOTO, 0).length, 0);
      assert.equal(behind.reloads, 1);

      await current.refresh();
      assert.equal(current.reloads, 0, 'an instance that had seen every pruned change keeps its indexes');
      const fresh = new HashIndexes(db);
      await fresh.load();
      await fresh.refresh();
      assert.equal(fresh.reloads, 0, 'an instance started after pruning starts at the horizon');

      // Replay still works after pruning for changes made since.
      await consent.addProtectedHashes('acct-2', [{ pdq: OTHER, quality: 90 }], 'test');
      await behind.refresh();
      await fresh.refresh();
      assert.equal(behind.searchProtected(OTHER, 0).length, 1);
      assert.equal(fresh.searchProtected(OTHER, 0).length, 1);
      assert.equal(behind.reloads + fresh.reloads, 1);
    });

    test('a retention of 0 keeps every change', async () => {
      const clock = new ManualClock('2026-03-01T00:00:00.000Z');
      const uow = new UnitOfWork(store().store, clock);
      await new ConsentService(uow).addProtectedHashes('acct-3', [{ pdq: '0f'.repeat(32), quality: 90 }], 'test');
      clock.advance(1000 * HOUR);
      assert.equal(await new IndexMaintenance(uow, 0).prune(), 0);
      assert.ok(
        Number(
          (
            await uow.db
              .selectFrom('index_changes')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        ) > 0,
      );
    });
  });
}
