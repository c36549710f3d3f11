import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { createAppContext } from '../../src/app-context.js';
import { readConfig } from '../../src/config.js';
import { ManualClock } from '../../src/domain/clock.js';
import { InProcessJobRunner } from '../../src/jobs/in-process-runner.js';
import { PgBossJobRunner } from '../../src/jobs/pg-boss-runner.js';
import type { JobHandler } from '../../src/jobs/types.js';
import { BankService } from '../../src/services/banks.js';
import { ConsentService } from '../../src/services/consent.js';
import { JobsService } from '../../src/services/jobs.js';
import { UnitOfWork } from '../../src/services/unit-of-work.js';
import { verifyAuditLog } from '../../src/store/repositories/audit-log.js';
import { claimJobs, findJob, type JobRecord, listJobs } from '../../src/store/repositories/outbox.js';
import type { Store } from '../../src/store/store.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';
import { waitFor } from '../helpers/wait.js';

const RETRY = { maxAttempts: 3, baseDelayMs: 10_000, maxDelayMs: 60_000 };

async function enqueue(uow: UnitOfWork, kind: string, subject: string): Promise<number> {
  await uow.run(async (tx) => tx.enqueue([{ kind, subject, payload: { subject } }]));
  const [job] = await listJobs(uow.db, { limit: 1, kind });
  return job!.id;
}

async function truncateOutbox(store: Store): Promise<void> {
  await store.db.deleteFrom('outbox').execute();
}

for (const factory of STORE_FACTORIES) {
  describe(`unit of work and jobs on ${factory.name}`, () => {
    const t = useStore(factory);
    const it = testOn(factory);

    it('composes services in one transaction: a failure in a later step leaves nothing of the earlier ones', async () => {
      const { store } = t();
      const uow = new UnitOfWork(store, new ManualClock('2026-12-02T10:00:00Z'));
      const banks = new BankService(uow);
      const consent = new ConsentService(uow);
      const commits: number[] = [];
      uow.onCommit((effects) => void commits.push(effects.jobsEnqueued));
      const auditBefore = await verifyAuditLog(store.db);

      await assert.rejects(
        uow.run(async (tx) => {
          await banks.create({ name: 'uow-rollback', purpose: 'test', min_quality: 50, max_distance: 31, active: true }, 'test', tx);
          await consent.put('acct-uow', { allowAiEditsByOthers: true, allowAiEditsBySelf: true }, 'test', tx);
          tx.enqueue([{ kind: 'strike', subject: 'acct-uow', payload: null }]);
          throw new Error('a later step failed');
        }),
        /a later step failed/,
      );
      assert.equal(
        (await banks.list()).some((bank) => bank.name === 'uow-rollback'),
        false,
      );
      assert.equal((await consent.get('acct-uow')).stored, false);
      assert.equal((await listJobs(store.db, { limit: 10, kind: 'strike' })).filter((job) => job.subject === 'acct-uow').length, 0);
      const auditAfter = await verifyAuditLog(store.db);
      assert.equal(auditAfter.ok && auditBefore.ok && auditAfter.entries === auditBefore.entries, true);
      assert.deepEqual(commits, []);

      await uow.run(async (tx) => {
        await banks.create({ name: 'uow-commit', purpose: 'test', min_quality: 50, max_distance: 31, active: true }, 'test', tx);
        await consent.put('acct-uow', { allowAiEditsByOthers: true, allowAiEditsBySelf: true }, 'test', tx);
        tx.enqueue([{ kind: 'strike', subject: 'acct-uow', payload: null }]);
      });
      assert.equal((await banks.get('uow-commit')).createdAt, '2026-12-02T10:00:00.000Z');
      assert.equal((await consent.get('acct-uow')).updated_at, '2026-12-02T10:00:00.000Z');
      const after = await verifyAuditLog(store.db);
      assert.equal(after.ok && auditBefore.ok && after.entries, auditBefore.ok ? auditBefore.entries + 2 : -1);
      // One commit, one notification, however many services took part.
      assert.deepEqual(commits, [1]);
      await truncateOutbox(store);
    });

    it('writes the actions of a decision to the outbox with the decision', async () => {
      const { store, location } = t();
      const ctx = await createAppContext(readConfig({}, { db: location, imageDetectors: false }), { store });
      try {
        const record = await ctx.screening.screenRequest({ prompt: 'remove her clothes', subject: 'adult', images: [], requester: { id: 'acct-7' } }, 'test');
        assert.equal(record.decision, 'block');
        assert.ok(record.actions.includes('strike'), `expected a strike, got ${record.actions.join(', ')}`);
        const jobs = (await ctx.jobs.list({ kind: 'strike' })).filter((job) => job.subject === record.id);
        assert.equal(jobs.length, 1);
        assert.equal(jobs[0]!.status, 'pending');
        assert.deepEqual((jobs[0]!.payload as { requester: string; categories: string[] }).requester, 'acct-7');
        assert.deepEqual((jobs[0]!.payload as { categories: string[] }).categories, record.categories);
      } finally {
        await ctx.close();
        await truncateOutbox(store);
      }
    });

    it('runs jobs in-process: done on success, back-off by the clock on failure, failed and visible after the last attempt, retried on demand', async () => {
      const { store } = t();
      const clock = new ManualClock('2026-12-02T10:00:00Z');
      const uow = new UnitOfWork(store, clock);
      const seen: string[] = [];
      const handlers = new Map<string, JobHandler>([
        ['ok', async (job) => void seen.push(`ok:${job.subject}`)],
        [
          'flaky',
          async (job) => {
            seen.push(`flaky:${job.attempts}`);
            throw new Error(`attempt ${job.attempts} failed`);
          },
        ],
      ]);
      const runner = new InProcessJobRunner({ store, clock, handlers, retry: RETRY });
      const okId = await enqueue(uow, 'ok', 'a');
      const flakyId = await enqueue(uow, 'flaky', 'b');
      const orphanId = await enqueue(uow, 'no-handler-yet', 'c');

      assert.equal(await runner.runDue(), 2);
      assert.equal((await findJob(store.db, okId))!.status, 'done');
      const failedOnce = (await findJob(store.db, flakyId))!;
      assert.equal(failedOnce.status, 'pending');
      assert.equal(failedOnce.attempts, 1);
      assert.equal(failedOnce.lastError, 'attempt 1 failed');
      assert.equal(failedOnce.runAfter, '2026-12-02T10:00:10.000Z');
      assert.equal((await findJob(store.db, orphanId))!.status, 'pending');

      // Not due before its back-off ends.
      clock.advance(9_999);
      assert.equal(await runner.runDue(), 0);
      clock.advance(1);
      assert.equal(await runner.runDue(), 1);
      assert.equal((await findJob(store.db, flakyId))!.runAfter, '2026-12-02T10:00:30.000Z');
      clock.advance(20_000);
      assert.equal(await runner.runDue(), 1);
      const failed = (await findJob(store.db, flakyId))!;
      assert.equal(failed.status, 'failed');
      assert.equal(failed.attempts, 3);
      clock.advance(3_600_000);
      assert.equal(await runner.runDue(), 0, 'a failed job is not retried on its own');
      assert.deepEqual(seen, ['ok:a', 'flaky:1', 'flaky:2', 'flaky:3']);

      const jobs = new JobsService(store, clock);
      assert.equal((await jobs.counts()).failed, 1);
      assert.deepEqual(
        (await jobs.list({ status: 'failed' })).map((job) => job.id),
        [flakyId],
      );
      await assert.rejects(jobs.retry(okId), (error: Error & { code?: string }) => error.code === 'conflict');
      assert.equal((await jobs.retry(flakyId)).status, 'pending');
      assert.equal(await runner.runDue(), 1);
      assert.equal((await findJob(store.db, flakyId))!.attempts, 1);
      await truncateOutbox(store);
    });

    it('runs again a job whose process died while running it, once its lease has passed', async () => {
      const { store } = t();
      const clock = new ManualClock('2026-12-02T11:00:00Z');
      const uow = new UnitOfWork(store, clock);
      const id = await enqueue(uow, 'lease', 'x');
      // A runner claims the job and dies before finishing it.
      const claimed = await store.transaction((trx) =>
        claimJobs(trx, store.dialect, {
          kinds: ['lease'],
          now: clock.now().toISOString(),
          lockedUntil: '2026-12-02T11:05:00.000Z',
          limit: 10,
          from: 'pending',
          to: 'running',
        }),
      );
      assert.deepEqual(
        claimed.map((job) => job.id),
        [id],
      );
      const ran: JobRecord[] = [];
      const runner = new InProcessJobRunner({ store, clock, handlers: new Map([['lease', async (job: JobRecord) => void ran.push(job)]]), leaseMs: 60_000 });
      assert.equal(await runner.runDue(), 0, 'still leased');
      clock.set('2026-12-02T11:05:00.001Z');
      assert.equal(await runner.runDue(), 1);
      assert.equal(ran[0]!.attempts, 2);
      assert.equal((await findJob(store.db, id))!.status, 'done');
      await truncateOutbox(store);
    });
  });
}

const pg = STORE_FACTORIES.find((factory) => factory.name === 'postgres')!;

describe('pg-boss job runner on postgres', () => {
  const t = useStore(pg);
  const it = testOn(pg);

  it('delivers each outbox job exactly once across two instances, and records a job that keeps failing as failed', async () => {
    const { store } = t();
    const clock = new ManualClock('2026-12-02T12:00:00Z');
    const uow = new UnitOfWork(store, clock);
    const calls = new Map<string, number>();
    const handler: JobHandler = async (job) => {
      calls.set(job.subject, (calls.get(job.subject) ?? 0) + 1);
    };
    const failing: JobHandler = async () => {
      throw new Error('the receiver is down');
    };
    const retry = { maxAttempts: 2, baseDelayMs: 1_000, maxDelayMs: 1_000 };
    const runners = [0, 1].map(
      () =>
        new PgBossJobRunner({
          store,
          clock,
          retry,
          pollMs: 100,
          handlers: new Map([
            ['deliver', handler],
            ['always-fails', failing],
          ]),
        }),
    );
    for (const runner of runners) await runner.start();
    try {
      await uow.run(async (tx) => tx.enqueue(Array.from({ length: 20 }, (_, i) => ({ kind: 'deliver', subject: `s${i}`, payload: { i } }))));
      const failingId = await enqueue(uow, 'always-fails', 'f');
      for (const runner of runners) runner.wake();
      await waitFor('all 20 jobs done', async () => {
        const done = (await listJobs(store.db, { limit: 100, kind: 'deliver', status: 'done' })).length;
        return done === 20 ? done : undefined;
      });
      assert.equal(calls.size, 20);
      assert.deepEqual([...new Set(calls.values())], [1]);
      const failed = await waitFor('the failing job to fail for good', async () => {
        const job = await findJob(store.db, failingId);
        return job?.status === 'failed' ? job : undefined;
      });
      assert.equal(failed.attempts, 2);
      assert.equal(failed.lastError, 'the receiver is down');
    } finally {
      for (const runner of runners) await runner.stop();
    }
  });
});
