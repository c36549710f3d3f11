import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { ManualClock } from '../../src/domain/clock.js';
import type { ClockRules } from '../../src/domain/clocks/index.js';
import { shippedClockRules } from '../../src/policy/clocks-file.js';
import { AuditService } from '../../src/services/audit.js';
import { CaseAlertsService } from '../../src/services/case-alerts.js';
import { ReportsService } from '../../src/services/reports.js';
import { UnitOfWork } from '../../src/services/unit-of-work.js';
import { WebhookService } from '../../src/services/webhooks.js';
import { fakeImageAnalyser } from '../helpers/fake-image-analyser.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

const shipped = await shippedClockRules();
// Two near thresholds, so ordering and a late sweep's catch-up can be seen.
const rules: ClockRules = { ...shipped, alerts: { remainingFractions: [0.5, 0.25] } };
const HOUR = 3_600_000;

for (const factory of STORE_FACTORIES) {
  describe(`case deadline alerts on ${factory.name}`, () => {
    const store = useStore(factory);
    const test = testOn(factory);

    function build(clock: ManualClock) {
      const uow = new UnitOfWork(store().store, clock);
      const webhooks = new WebhookService(uow, clock, { timeoutSeconds: 10 });
      return {
        reports: new ReportsService({ uow, clockRules: () => rules, imageAnalyser: fakeImageAnalyser() }),
        alerts: new CaseAlertsService({ uow, webhooks, clockRules: () => rules, batchSize: 2 }),
      };
    }

    // A GB report of `other` gets the 24 h gb-osa rule.
    async function openCase(reports: ReportsService, contentId: string): Promise<string> {
      const receipt = await reports.submit(
        { reporter: { type: 'user' }, jurisdiction: 'GB', category: 'other', content: { id: contentId } },
        { authenticated: false, actor: 'public' },
      );
      assert.equal(receipt.rule.id, 'gb-osa');
      return receipt.case_id;
    }

    async function webhooksOf(caseId: string): Promise<Array<{ type: string; threshold: string; time_left_seconds: number }>> {
      const rows = await store()
        .store.db.selectFrom('webhook_deliveries')
        .select(['event_type', 'body'])
        .where('case_id', '=', caseId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map((row) => {
        const data = (JSON.parse(row.body) as { data: { threshold: string; time_left_seconds: number } }).data;
        return { type: row.event_type, threshold: data.threshold, time_left_seconds: data.time_left_seconds };
      });
    }

    test('each threshold fires once as the clock passes it, with its event and audit entry', async () => {
      const clock = new ManualClock('2026-06-01T10:00:00.000Z');
      const { reports, alerts } = build(clock);
      const caseId = await openCase(reports, 'post-a');
      assert.deepEqual(await alerts.sweep(), { fired: 0 }, 'nothing is due at opening');
      clock.advance(11 * HOUR);
      assert.deepEqual(await alerts.sweep(), { fired: 0 }, '13 h of 24 left: above half');
      clock.advance(1 * HOUR);
      assert.deepEqual(await alerts.sweep(), { fired: 1 }, 'half the window left');
      assert.deepEqual(await alerts.sweep(), { fired: 0 }, 'a second sweep fires nothing');
      clock.advance(6 * HOUR);
      assert.deepEqual(await alerts.sweep(), { fired: 1 });
      clock.advance(6 * HOUR);
      assert.deepEqual(await alerts.sweep(), { fired: 1 });
      assert.deepEqual(await alerts.sweep(), { fired: 0 });
      assert.deepEqual(await webhooksOf(caseId), [
        { type: 'case.deadline_near', threshold: 'near:0.5', time_left_seconds: 12 * 3600 },
        { type: 'case.deadline_near', threshold: 'near:0.25', time_left_seconds: 6 * 3600 },
        { type: 'case.overdue', threshold: 'overdue', time_left_seconds: 0 },
      ]);
      const db = store().store.db;
      const events = await db.selectFrom('case_events').select('kind').where('case_id', '=', caseId).where('kind', '=', 'alert').execute();
      assert.equal(events.length, 3);
      const audits = await db.selectFrom('audit_log').select('kind').where('kind', '=', 'case.alert').execute();
      assert.equal(audits.length, 3);
      const row = await db.selectFrom('cases').select('fired_alerts').where('id', '=', caseId).executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(row.fired_alerts), ['near:0.5', 'near:0.25', 'overdue']);
      const report = await new AuditService(db, clock, () => {
        throw new Error('verification signs nothing');
      }).verify();
      assert.equal(report.ok, true);
    });

    test('a late sweep fires every skipped threshold, across pages, and then nothing', async () => {
      const clock = new ManualClock('2026-06-01T10:00:00.000Z');
      const { reports, alerts } = build(clock);
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push(await openCase(reports, `post-late-${i}`));
      clock.advance(30 * HOUR);
      assert.deepEqual(await alerts.sweep(), { fired: 15 });
      assert.deepEqual(await alerts.sweep(), { fired: 0 });
      // One transaction stamps them all with one time: compare as sets.
      for (const id of ids) assert.deepEqual((await webhooksOf(id)).map((w) => w.threshold).sort(), ['near:0.25', 'near:0.5', 'overdue']);
    });

    test('two services sweeping one store at once fire each alert exactly once', async () => {
      const clock = new ManualClock('2026-06-01T10:00:00.000Z');
      const one = build(clock);
      const two = build(clock);
      const ids = [];
      for (let i = 0; i < 6; i++) ids.push(await openCase(one.reports, `post-race-${i}`));
      clock.advance(25 * HOUR);
      const [a, b] = await Promise.all([one.alerts.sweep(), two.alerts.sweep()]);
      assert.equal(a.fired + b.fired, 18);
      // One transaction stamps them all with one time: compare as sets.
      for (const id of ids) assert.deepEqual((await webhooksOf(id)).map((w) => w.threshold).sort(), ['near:0.25', 'near:0.5', 'overdue']);
    });

    test('a case moved to actioned gets no more alerts', async () => {
      const clock = new ManualClock('2026-06-01T10:00:00.000Z');
      const { reports, alerts } = build(clock);
      const caseId = await openCase(reports, 'post-done');
      clock.advance(12 * HOUR);
      assert.deepEqual(await alerts.sweep(), { fired: 1 });
      await store().store.db.updateTable('cases').set({ state: 'actioned' }).where('id', '=', caseId).execute();
      clock.advance(20 * HOUR);
      assert.deepEqual(await alerts.sweep(), { fired: 0 });
      assert.deepEqual(
        (await webhooksOf(caseId)).map((w) => w.threshold),
        ['near:0.5'],
      );
      // The store is shared by the suite: the gauge is compared with the case reopened.
      const overdue = await alerts.overdueCount();
      await store().store.db.updateTable('cases').set({ state: 'open' }).where('id', '=', caseId).execute();
      assert.equal(await alerts.overdueCount(), overdue + 1);
      await store().store.db.updateTable('cases').set({ state: 'actioned' }).where('id', '=', caseId).execute();
    });

    test('appealed and in-review cases keep running and count as overdue', async () => {
      const clock = new ManualClock('2026-06-01T10:00:00.000Z');
      const { reports, alerts } = build(clock);
      const appealed = await openCase(reports, 'post-appealed');
      const inReview = await openCase(reports, 'post-review');
      const db = store().store.db;
      await db.updateTable('cases').set({ state: 'appealed' }).where('id', '=', appealed).execute();
      await db.updateTable('cases').set({ state: 'in_review' }).where('id', '=', inReview).execute();
      clock.advance(24 * HOUR);
      assert.deepEqual(await alerts.sweep(), { fired: 6 });
      const overdue = await alerts.overdueCount();
      await db.updateTable('cases').set({ state: 'closed' }).where('id', 'in', [appealed, inReview]).execute();
      assert.equal(await alerts.overdueCount(), overdue - 2);
    });
  });
}
