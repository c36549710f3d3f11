import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';

import { ManualClock } from '../../src/domain/clock.js';
import { signWebhook, verifyWebhook } from '../../src/domain/webhook-signature.js';
import { InProcessJobRunner } from '../../src/jobs/in-process-runner.js';
import { PgBossJobRunner } from '../../src/jobs/pg-boss-runner.js';
import { UnitOfWork } from '../../src/services/unit-of-work.js';
import { UNDELIVERABLE_NO_URL, WEBHOOK_JOB_KIND, WebhookService } from '../../src/services/webhooks.js';
import { listJobs, retryFailedJob } from '../../src/store/repositories/outbox.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = 'whsec-test-0123456789abcdef';
const RETRY = { maxAttempts: 3, baseDelayMs: 10_000, maxDelayMs: 60_000 };

interface Received {
  raw: string;
  headers: IncomingHttpHeaders;
  verified: boolean;
}

/**
 * A platform's receiver on loopback: verifies each request with verifyWebhook against the
 * test's clock (so an old timestamp is a replay) and answers as the test's script says.
 */
class Receiver {
  readonly received: Received[] = [];
  /** What to do with the next verified request: a status, or 'hang' to never answer. */
  script: Array<number | 'hang'> = [];
  private server: Server | undefined;

  constructor(private readonly clock: ManualClock) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.answer(Buffer.concat(chunks).toString('utf8'), req.headers, res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/perisai-hook`;
  }

  private answer(raw: string, headers: IncomingHttpHeaders, res: ServerResponse): void {
    const header = headers['x-perisai-signature'];
    const verified = verifyWebhook(SECRET, raw, typeof header === 'string' ? header : undefined, Math.floor(this.clock.now().getTime() / 1000));
    this.received.push({ raw, headers, verified });
    if (!verified) {
      res.writeHead(401).end('bad signature or stale timestamp');
      return;
    }
    const next = this.script.shift() ?? 200;
    if (next === 'hang') return; // never answers; closed in stop()
    res.writeHead(next).end();
  }

  /** Sends a captured request again, as an attacker replaying it would. */
  async replay(received: Received, body = received.raw): Promise<number> {
    const url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/perisai-hook`;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-perisai-signature': String(received.headers['x-perisai-signature']) },
      body,
    });
    return response.status;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('webhook signature', () => {
  test('signs "<t>.<raw body>" with HMAC-SHA256 and verifies within the tolerance only', () => {
    const body = '{"a":1}';
    const header = signWebhook(SECRET, body, 1_790_000_000);
    assert.match(header, /^t=1790000000,v1=[0-9a-f]{64}$/);
    assert.equal(verifyWebhook(SECRET, body, header, 1_790_000_000), true);
    assert.equal(verifyWebhook(SECRET, body, header, 1_790_000_300), true);
    assert.equal(verifyWebhook(SECRET, body, header, 1_790_000_301), false, 'too old: a replay');
    assert.equal(verifyWebhook(SECRET, '{"a":2}', header, 1_790_000_000), false, 'body changed');
    assert.equal(verifyWebhook('another-secret-0123456789', body, header, 1_790_000_000), false, 'wrong secret');
    assert.equal(verifyWebhook(SECRET, body, header.replace('t=1790000000', 't=1790000100'), 1_790_000_100), false, 'time changed');
    assert.equal(verifyWebhook(SECRET, body, 'garbage', 1_790_000_000), false);
    assert.equal(verifyWebhook(SECRET, body, undefined, 1_790_000_000), false);
  });
});

for (const factory of STORE_FACTORIES) {
  describe(`webhook deliveries on ${factory.name}`, () => {
    const t = useStore(factory);
    const it = testOn(factory);
    const clock = new ManualClock('2026-12-03T09:00:00Z');
    const receiver = new Receiver(clock);
    let url = '';

    before(async () => {
      if (!factory.skip) url = await receiver.start();
    });
    after(async () => receiver.stop());

    function setUp(config: { url?: string; timeoutSeconds?: number } = {}) {
      const { store } = t();
      const uow = new UnitOfWork(store, clock);
      const webhooks = new WebhookService(uow, clock, {
        url: 'url' in config ? config.url : url,
        secret: SECRET,
        timeoutSeconds: config.timeoutSeconds ?? 5,
        retry: RETRY,
      });
      const runner = new InProcessJobRunner({ store, clock, handlers: new Map([[WEBHOOK_JOB_KIND, webhooks.handler]]), retry: RETRY });
      return { store, uow, webhooks, runner };
    }

    it('delivers a signed webhook the receiver verifies; a replay of it later is rejected', async () => {
      const { uow, webhooks, runner } = setUp();
      receiver.received.length = 0;
      const id = await uow.run((tx) => webhooks.enqueue(tx, { type: 'content.remove', subject: { caseId: 'case-ok' }, payload: { content_id: 'post-123' } }));
      assert.equal((await webhooks.get(id)).status, 'pending');
      assert.equal(await runner.runDue(), 1);

      assert.equal(receiver.received.length, 1);
      const [got] = receiver.received;
      assert.equal(got!.verified, true);
      assert.equal(got!.headers['x-perisai-event'], 'content.remove');
      assert.equal(got!.headers['x-perisai-delivery'], id);
      assert.match(String(got!.headers['x-perisai-signature']), new RegExp(`^t=${Math.floor(clock.now().getTime() / 1000)},v1=[0-9a-f]{64}$`));
      assert.deepEqual(JSON.parse(got!.raw), {
        id,
        type: 'content.remove',
        created_at: '2026-12-03T09:00:00.000Z',
        subject: { case_id: 'case-ok' },
        data: { content_id: 'post-123' },
      });

      const [delivery] = await webhooks.deliveriesFor('case-ok');
      assert.equal(delivery!.status, 'delivered');
      assert.equal(delivery!.attempts, 1);
      assert.equal(delivery!.last_http_status, 200);
      assert.equal(delivery!.delivered_at, clock.now().toISOString());
      assert.deepEqual(
        delivery!.attempt_log.map((a) => [a.attempt, a.outcome, a.http_status, a.error]),
        [[1, 'delivered', 200, null]],
      );
      const [job] = await listJobs(uow.db, { limit: 1, kind: WEBHOOK_JOB_KIND });
      assert.equal(job!.status, 'done');

      // Within the tolerance the same request still verifies; the body altered does not.
      assert.equal(await receiver.replay(got!, got!.raw.replace('post-123', 'post-999')), 401);
      clock.advance(301_000);
      assert.equal(await receiver.replay(got!), 401, 'a request replayed after five minutes is refused');
      assert.equal(await runner.runDue(), 0, 'a delivered webhook is not sent again');
    });

    it('retries a receiver that fails twice with back-off by the clock and delivers on the third attempt, every attempt recorded', async () => {
      const { uow, webhooks, runner } = setUp();
      receiver.received.length = 0;
      receiver.script = [500, 500, 200];
      await uow.run((tx) => webhooks.enqueue(tx, { type: 'case.deadline_near', subject: { caseId: 'case-retry' }, payload: { remaining_fraction: 0.25 } }));

      assert.equal(await runner.runDue(), 1);
      const afterFirst = clock.now();
      let [delivery] = await webhooks.deliveriesFor('case-retry');
      assert.equal(delivery!.status, 'retrying');
      assert.equal(delivery!.last_http_status, 500);
      assert.match(delivery!.last_error!, /^The receiver answered HTTP 500, not 2xx\. Attempt 1 of 3; the next is due at /);
      assert.equal(delivery!.next_attempt_at, new Date(afterFirst.getTime() + 10_000).toISOString());

      clock.advance(9_999);
      assert.equal(await runner.runDue(), 0, 'not before the back-off has passed');
      clock.advance(1);
      assert.equal(await runner.runDue(), 1);
      [delivery] = await webhooks.deliveriesFor('case-retry');
      assert.equal(delivery!.status, 'retrying');
      assert.equal(delivery!.next_attempt_at, new Date(clock.now().getTime() + 20_000).toISOString(), 'the delay doubles');

      clock.advance(20_000);
      assert.equal(await runner.runDue(), 1);
      [delivery] = await webhooks.deliveriesFor('case-retry');
      assert.equal(delivery!.status, 'delivered');
      assert.equal(delivery!.attempts, 3);
      assert.deepEqual(
        delivery!.attempt_log.map((a) => [a.attempt, a.outcome, a.http_status]),
        [
          [1, 'failed', 500],
          [2, 'failed', 500],
          [3, 'delivered', 200],
        ],
      );
      assert.equal(receiver.received.length, 3);
      assert.ok(receiver.received.every((r) => r.verified));
      assert.equal(new Set(receiver.received.map((r) => r.raw)).size, 1, 'every attempt sends the same body');
    });

    it('records a receiver that never answers as a failed attempt with a sentence, and gives up after the last attempt', async () => {
      const { uow, webhooks, runner } = setUp({ timeoutSeconds: 0.3 });
      receiver.script = ['hang', 'hang', 'hang'];
      await uow.run((tx) => webhooks.enqueue(tx, { type: 'content.remove', subject: { caseId: 'case-hang' }, payload: {} }));
      assert.equal(await runner.runDue(), 1);
      let [delivery] = await webhooks.deliveriesFor('case-hang');
      assert.equal(delivery!.status, 'retrying');
      assert.equal(delivery!.last_http_status, null);
      assert.match(
        delivery!.last_error!,
        /^The receiver at http:\/\/127\.0\.0\.1:\d+\/perisai-hook did not answer within 0\.3 s \(PERISAI_WEBHOOK_TIMEOUT\)\./,
      );
      clock.advance(10_000);
      await runner.runDue();
      clock.advance(20_000);
      await runner.runDue();
      [delivery] = await webhooks.deliveriesFor('case-hang');
      assert.equal(delivery!.status, 'failed');
      assert.equal(delivery!.next_attempt_at, null);
      assert.match(delivery!.last_error!, /Gave up after 3 attempts; retry the job with perisai jobs retry/);
      assert.equal(delivery!.attempt_log.length, 3);
      const jobs = await listJobs(uow.db, { limit: 10, kind: WEBHOOK_JOB_KIND, status: 'failed' });
      assert.equal(jobs.length, 1);

      // The operator fixes the receiver and retries the job: a fourth attempt, the history kept.
      receiver.script = [200];
      assert.equal(await retryFailedJob(uow.db, jobs[0]!.id, clock.now().toISOString()), true);
      assert.equal(await runner.runDue(), 1);
      [delivery] = await webhooks.deliveriesFor('case-hang');
      assert.equal(delivery!.status, 'delivered');
      assert.deepEqual(
        delivery!.attempt_log.map((a) => [a.attempt, a.outcome]),
        [
          [1, 'failed'],
          [2, 'failed'],
          [3, 'failed'],
          [4, 'delivered'],
        ],
      );
    });

    it('records a delivery as undeliverable when no URL is configured, never dropping it', async () => {
      const { uow, webhooks } = setUp({ url: undefined });
      const before = (await listJobs(uow.db, { limit: 100, kind: WEBHOOK_JOB_KIND })).length;
      const id = await uow.run((tx) => webhooks.enqueue(tx, { type: 'report.outcome', subject: { caseId: 'case-nourl' }, payload: { outcome: 'actioned' } }));
      const [delivery] = await webhooks.deliveriesFor('case-nourl');
      assert.equal(delivery!.id, id);
      assert.equal(delivery!.status, 'undeliverable');
      assert.equal(delivery!.last_error, UNDELIVERABLE_NO_URL);
      assert.equal((await listJobs(uow.db, { limit: 100, kind: WEBHOOK_JOB_KIND })).length, before, 'no job that could only fail');
    });

    test(
      'pg-boss, as perisai serve runs it on PostgreSQL, delivers through the same handler and retries a 500',
      { skip: factory.name === 'postgres' ? factory.skip : 'pg-boss runs on PostgreSQL only' },
      async () => {
        const { store, uow, webhooks } = setUp();
        receiver.received.length = 0;
        receiver.script = [500, 200];
        // pg-boss counts its back-off in real seconds (at least one); the test waits on the runner, no fixed sleep.
        const retry = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 1_000 };
        const runner = new PgBossJobRunner({ store, clock, retry, pollMs: 100, handlers: new Map([[WEBHOOK_JOB_KIND, webhooks.handler]]) });
        await runner.start();
        try {
          await uow.run((tx) => webhooks.enqueue(tx, { type: 'content.remove', subject: { caseId: 'case-pgboss' }, payload: {} }));
          runner.wake();
          const delivery = await waitFor('the delivery', async () => {
            const [d] = await webhooks.deliveriesFor('case-pgboss');
            return d?.status === 'delivered' ? d : undefined;
          });
          assert.deepEqual(
            delivery.attempt_log.map((a) => [a.attempt, a.outcome, a.http_status]),
            [
              [1, 'failed', 500],
              [2, 'delivered', 200],
            ],
          );
          assert.ok(receiver.received.every((r) => r.verified));
        } finally {
          await runner.stop();
        }
      },
    );

    it('writes nothing when the transaction that enqueued the webhook rolls back', async () => {
      const { uow, webhooks } = setUp();
      await assert.rejects(
        uow.run(async (tx) => {
          await webhooks.enqueue(tx, { type: 'content.remove', subject: { caseId: 'case-rollback' }, payload: {} });
          throw new Error('the action failed');
        }),
        /the action failed/,
      );
      assert.deepEqual(await webhooks.deliveriesFor('case-rollback'), []);
    });
  });
}
