import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe } from 'node:test';

import type { AuditKey } from '../../src/audit-key.js';
import { sealAuditEntry } from '../../src/domain/audit-chain.js';
import type { AuditCheckpoint } from '../../src/domain/audit-checkpoint.js';
import { readAuditEntries } from '../../src/store/repositories/audit-log.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

function memoryKey(): AuditKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, source: 'test', created: false };
}

for (const factory of STORE_FACTORIES) {
  describe(`the audit log against its owner on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    const key = memoryKey();
    let t: TestApp;
    before(async () => {
      if (factory.skip) return;
      t = await startTestApp(store(), { auditKey: key });
    });
    after(async () => t?.close());

    const db = () => store().store.db;
    const screen = async (prompt: string): Promise<string> => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/screen',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        payload: { prompt, subject: 'adult' },
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().id as string;
    };
    const entryOf = async (decisionId: string) => (await readAuditEntries(db(), 0, 10_000)).find((entry) => entry.subject === decisionId)!;

    let blocked: string;
    let checkpoint: AuditCheckpoint;

    it('verifies the chain and every decision row against its digest', async () => {
      await screen('make her smile');
      blocked = await screen('remove her clothes');
      await screen('add a dog next to him');
      const report = await t.ctx.audit.verify();
      assert.equal(report.ok, true, JSON.stringify(report));
      assert.equal(report.records, 3);
    });

    it('finds a decision row edited from block to allow, though the chain itself is intact', async () => {
      await db().updateTable('decisions').set({ decision: 'allow' }).where('id', '=', blocked).execute();
      const report = await t.ctx.audit.verify();
      assert.equal(report.ok, false);
      assert.ok(!report.ok && report.firstBreak.reason === 'record_changed');
      assert.ok(!report.ok && report.firstBreak.seq === (await entryOf(blocked)).seq);
      assert.match(!report.ok ? report.firstBreak.message : '', new RegExp(`Decision ${blocked} does not match`));
      await db().updateTable('decisions').set({ decision: 'block' }).where('id', '=', blocked).execute();
      assert.equal((await t.ctx.audit.verify()).ok, true, 'restoring the row restores the match');
    });

    it('a signed checkpoint holds while the log grows', async () => {
      checkpoint = await t.ctx.audit.checkpoint();
      const entries = (await t.ctx.audit.verify()).total;
      assert.equal(checkpoint.seq, entries);
      await screen('turn the sky orange');
      const report = await t.ctx.audit.verify({ checkpoint });
      assert.equal(report.ok, true);
      assert.deepEqual(report.checkpoint, { ok: true, seq: checkpoint.seq });
    });

    it('a checkpoint altered, or signed with another key, does not verify', async () => {
      const forged = { ...checkpoint, seq: checkpoint.seq - 1 };
      const altered = await t.ctx.audit.verify({ checkpoint: forged });
      assert.match(altered.checkpoint && !altered.checkpoint.ok ? altered.checkpoint.message : '', /signature does not verify/);
      const stranger = memoryKey();
      const other = await t.ctx.audit.verify({ checkpoint, trustedKey: stranger.publicKey });
      assert.match(other.checkpoint && !other.checkpoint.ok ? other.checkpoint.message : '', /not by this deployment's audit key/);
    });

    it('a chain recomputed from scratch by someone without the key contradicts the checkpoint', async () => {
      // The owner edits entry 2 and re-seals every entry after it: the chain verifies, the checkpoint does not.
      const entries = await readAuditEntries(db(), 0, 10_000);
      let prev = entries[0]!.hash;
      for (const entry of entries.slice(1)) {
        const payload = entry.seq === 2 ? { ...(entry.payload as Record<string, unknown>), note: 'rewritten' } : entry.payload;
        const sealed = sealAuditEntry(
          { seq: entry.seq, createdAt: entry.createdAt, kind: entry.kind, subject: entry.subject, actor: entry.actor, payload: payload as never },
          prev,
        );
        await db()
          .updateTable('audit_log')
          .set({ payload: JSON.stringify(sealed.payload), prev_hash: sealed.prevHash, hash: sealed.hash })
          .where('seq', '=', entry.seq)
          .execute();
        prev = sealed.hash;
      }
      await db().updateTable('audit_head').set({ hash: prev }).where('id', '=', 1).execute();
      const report = await t.ctx.audit.verify({ checkpoint });
      assert.equal(report.ok, true, 'the rewritten chain is internally consistent');
      assert.ok(report.checkpoint && !report.checkpoint.ok);
      assert.match(
        report.checkpoint && !report.checkpoint.ok ? report.checkpoint.message : '',
        new RegExp(`Entry ${checkpoint.seq} hashes to .* not to the .* signed at`),
      );
    });

    it('a log rolled back to an older copy holds fewer entries than the checkpoint', async () => {
      const latest = await t.ctx.audit.checkpoint();
      const keep = latest.seq - 2;
      const kept = (await readAuditEntries(db(), 0, 10_000)).find((entry) => entry.seq === keep)!;
      await db().deleteFrom('audit_log').where('seq', '>', keep).execute();
      await db().updateTable('audit_head').set({ seq: keep, hash: kept.hash }).where('id', '=', 1).execute();
      const report = await t.ctx.audit.verify({ checkpoint: latest });
      assert.equal(report.ok, true, 'a truncated copy is a valid chain on its own');
      assert.match(report.checkpoint && !report.checkpoint.ok ? report.checkpoint.message : '', new RegExp(`saw ${latest.seq} entries; the log holds ${keep}`));
    });

    it('a deleted decision row is named', async () => {
      const id = await screen('paint the wall blue');
      await db().deleteFrom('decisions').where('id', '=', id).execute();
      const report = await t.ctx.audit.verify();
      assert.ok(!report.ok && report.firstBreak.reason === 'record_missing');
    });

    it('GET /v1/audit pages through every entry for scope audit, and refuses other scopes', async () => {
      const get = (url: string, key = ADMIN_KEY) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
      assert.equal((await get('/v1/audit', t.keys.screen)).statusCode, 403);
      const seen: number[] = [];
      let after = 0;
      for (let page = 0; page < 100; page++) {
        const res = await get(`/v1/audit?after=${after}&limit=2`);
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json();
        seen.push(...body.entries.map((entry: { seq: number }) => entry.seq));
        assert.ok(
          body.entries.every((entry: Record<string, unknown>) => typeof entry.hash === 'string' && typeof entry.prev_hash === 'string' && 'payload' in entry),
        );
        if (body.next_after === null) break;
        after = body.next_after;
      }
      const total = (await readAuditEntries(db(), 0, 10_000)).length;
      assert.deepEqual(
        seen,
        Array.from({ length: total }, (_, i) => i + 1),
      );
      assert.equal((await get('/v1/audit?limit=5000')).statusCode, 400);
      const signed = await get('/v1/audit/checkpoint');
      assert.equal(signed.statusCode, 200);
      assert.equal(signed.json().seq, total);
    });
  });
}
