import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { sql } from 'kysely';

import { appendAudit, verifyAuditLog } from '../../src/store/repositories/audit-log.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

const AT = '2026-12-02T00:00:00.000Z';

for (const factory of STORE_FACTORIES) {
  describe(`audit log on ${factory.name}`, () => {
    const store = useStore(factory);
    const test = testOn(factory);

    async function fresh(n: number): Promise<void> {
      await store().store.transaction(async (trx) => {
        await trx.deleteFrom('audit_log').execute();
        await trx
          .updateTable('audit_head')
          .set({ seq: 0, hash: '0'.repeat(64) })
          .execute();
      });
      await store().store.transaction((trx) =>
        appendAudit(
          trx,
          store().store.dialect,
          Array.from({ length: n }, (_, i) => ({
            kind: 'decision',
            subject: `dec_${i + 1}`,
            actor: 'test',
            createdAt: AT,
            payload: { decision: i % 2 ? 'block' : 'allow', n: i + 1 },
          })),
        ),
      );
    }

    test('an untouched chain verifies', async () => {
      await fresh(5);
      const result = await verifyAuditLog(store().store.db);
      assert.equal(result.ok, true);
      assert.equal(result.entries, 5);
    });

    test('an empty chain verifies', async () => {
      await fresh(0);
      assert.deepEqual(await verifyAuditLog(store().store.db), { ok: true, entries: 0, headHash: '0'.repeat(64) });
    });

    test('appends in separate transactions keep linking', async () => {
      await fresh(2);
      await store().store.transaction((trx) =>
        appendAudit(trx, store().store.dialect, [{ kind: 'x', subject: 's', actor: 'a', createdAt: AT, payload: null }]),
      );
      const result = await verifyAuditLog(store().store.db);
      assert.equal(result.ok, true);
      assert.equal(result.entries, 3);
    });

    test('concurrent appends serialise into one chain', async () => {
      await fresh(0);
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store().store.transaction((trx) =>
            appendAudit(trx, store().store.dialect, [{ kind: 'x', subject: `s${i}`, actor: 'a', createdAt: AT, payload: { i } }]),
          ),
        ),
      );
      const result = await verifyAuditLog(store().store.db);
      assert.equal(result.ok, true);
      assert.equal(result.entries, 20);
    });

    test('an edited payload is named', async () => {
      await fresh(5);
      await sql`update audit_log set payload = ${'{"decision":"block","n":3}'} where seq = 3`.execute(store().store.db);
      const result = await verifyAuditLog(store().store.db);
      assert.equal(result.ok, false);
      assert.ok(!result.ok && result.firstBreak.seq === 3 && result.firstBreak.reason === 'content_changed');
      assert.equal(result.entries, 2);
    });

    test('an edited actor is named', async () => {
      await fresh(4);
      await sql`update audit_log set actor = 'someone-else' where seq = 4`.execute(store().store.db);
      const result = await verifyAuditLog(store().store.db);
      assert.ok(!result.ok && result.firstBreak.seq === 4 && result.firstBreak.reason === 'content_changed');
    });

    test('a deleted row is named', async () => {
      await fresh(5);
      await sql`delete from audit_log where seq = 2`.execute(store().store.db);
      const result = await verifyAuditLog(store().store.db);
      assert.ok(!result.ok && result.firstBreak.seq === 2 && result.firstBreak.reason === 'sequence_gap', JSON.stringify(result));
    });

    test('a deleted tail is caught by the head', async () => {
      await fresh(5);
      await sql`delete from audit_log where seq >= 4`.execute(store().store.db);
      const result = await verifyAuditLog(store().store.db);
      assert.ok(!result.ok && result.firstBreak.reason === 'head_mismatch' && result.firstBreak.seq === 4, JSON.stringify(result));
    });

    test('reordered rows (swapped sequence numbers) are named', async () => {
      await fresh(5);
      await store().store.transaction(async (trx) => {
        await sql`update audit_log set seq = -1 where seq = 2`.execute(trx);
        await sql`update audit_log set seq = 2 where seq = 3`.execute(trx);
        await sql`update audit_log set seq = 3 where seq = -1`.execute(trx);
      });
      const result = await verifyAuditLog(store().store.db);
      assert.ok(!result.ok && result.firstBreak.seq === 2, JSON.stringify(result));
    });

    test('a rewritten entry with a recomputed own hash still breaks the next link', async () => {
      await fresh(4);
      const { hashAuditEntry } = await import('../../src/domain/audit-chain.js');
      const row = await store().store.db.selectFrom('audit_log').selectAll().where('seq', '=', 2).executeTakeFirstOrThrow();
      const payload = { decision: 'allow', n: 2 };
      const hash = hashAuditEntry({ seq: 2, createdAt: row.created_at, kind: row.kind, subject: row.subject, actor: row.actor, payload }, row.prev_hash);
      await sql`update audit_log set payload = ${JSON.stringify(payload)}, hash = ${hash} where seq = 2`.execute(store().store.db);
      const result = await verifyAuditLog(store().store.db);
      assert.ok(!result.ok && result.firstBreak.seq === 3 && result.firstBreak.reason === 'link_broken', JSON.stringify(result));
    });

    test('verification pages through long chains', async () => {
      await fresh(250);
      const result = await verifyAuditLog(store().store.db, 7);
      assert.equal(result.ok, true);
      assert.equal(result.entries, 250);
    });
  });
}
