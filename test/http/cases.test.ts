import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';

import { ManualClock } from '../../src/domain/clock.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app.js';
import { fakeImageAnalyser, flipBits } from '../helpers/fake-image-analyser.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';
import { waitFor } from '../helpers/wait.js';

const REPORTED = Buffer.from('the reported image, as the victim saved it');
const COPY = Buffer.from('the same image re-encoded and resized by someone re-posting it');
const REPORTED_PDQ = 'c3'.repeat(16) + '5a'.repeat(16);
const HOUR = 3_600_000;
const GENERATED = Buffer.from('an image this service screened as an output');
const GENERATED_REPOST = Buffer.from('that output, screenshotted and re-posted');
const GENERATED_PDQ = '96'.repeat(32);
const BY_VICTIM = Buffer.from('an image its subject reported');
const BY_USER = Buffer.from('an image a bystander reported');

const victimReport = (overrides: Record<string, unknown> = {}) => ({
  reporter: { type: 'depicted_person', name: 'Reporter One', email: 'one@example.org' },
  jurisdiction: 'IN',
  category: 'ncii',
  content: { id: 'post-1', url: 'https://platform.example/p/1' },
  explanation: 'This is an intimate image of me shared without my consent.',
  good_faith: true,
  non_consensual: true,
  signature: 'Reporter One',
  ...overrides,
});

for (const factory of STORE_FACTORIES) {
  describe(`reports and cases over HTTP on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    const clock = new ManualClock('2026-06-01T10:00:00.000Z');
    const analyser = fakeImageAnalyser();
    let t: TestApp;
    let intakeKey: string;
    before(async () => {
      if (factory.skip) return;
      analyser.set(REPORTED, { pdq: { hash: REPORTED_PDQ, quality: 90 } });
      analyser.set(COPY, { pdq: { hash: flipBits(REPORTED_PDQ, 12), quality: 80 } });
      analyser.set(BY_VICTIM, { pdq: { hash: '0f'.repeat(32), quality: 90 } });
      analyser.set(BY_USER, { pdq: { hash: '33'.repeat(16) + 'cc'.repeat(16), quality: 90 } });
      analyser.set(GENERATED, { pdq: { hash: GENERATED_PDQ, quality: 90 } });
      analyser.set(GENERATED_REPOST, { pdq: { hash: flipBits(GENERATED_PDQ, 8), quality: 70 } });
      t = await startTestApp(store(), { imageAnalyser: analyser, clock }, { reportRateLimit: 1000 });
      intakeKey = (await t.ctx.apiKeys.create('platform intake', ['reports'], 'test')).secret;
    });
    after(async () => t?.close());

    const send = (method: 'GET' | 'POST', url: string, body?: unknown, key: string | null = ADMIN_KEY) =>
      t.app.inject({
        method,
        url,
        headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
    const act = (id: string, body: unknown) => send('POST', `/v1/cases/${id}/actions`, body);

    it('anyone can report without a key; the receipt names the case, its legal clock and what the notice lacks', async () => {
      const res = await send('POST', '/v1/reports', victimReport(), null);
      assert.equal(res.statusCode, 201, res.body);
      const receipt = res.json();
      assert.match(receipt.case_id, /^case_[0-9a-f]{32}$/);
      assert.equal(receipt.rule.id, 'in-ncii-2h');
      assert.equal(receipt.deadline, '2026-06-01T12:00:00.000Z');
      assert.deepEqual(receipt.missing, []);
      const detail = (await send('GET', `/v1/cases/${receipt.case_id}`)).json();
      assert.equal(detail.state, 'open');
      assert.equal(detail.reports[0].reporter.authenticated, false);
      assert.equal(detail.events[0].actor, 'public');
      assert.equal(detail.clock.time_left_seconds, 7200);
    });

    it('a key with scope reports marks the reporter authenticated; a wrong key is refused, not downgraded to anonymous', async () => {
      const res = await send('POST', '/v1/reports', victimReport({ content: { id: 'post-2' } }), intakeKey);
      assert.equal(res.statusCode, 201, res.body);
      assert.equal((await send('GET', `/v1/cases/${res.json().case_id}`)).json().reports[0].reporter.authenticated, true);
      assert.equal((await send('POST', '/v1/reports', victimReport(), 'psk_not-a-key')).statusCode, 401);
      assert.equal((await send('POST', '/v1/reports', victimReport(), t.keys.screen)).statusCode, 403);
    });

    it('an invalid notice is a 400 naming the field, and nothing is recorded', async () => {
      const before = (await send('GET', '/v1/cases?limit=500')).json().cases.length;
      const res = await send('POST', '/v1/reports', victimReport({ jurisdiction: 'India' }), null);
      assert.equal(res.statusCode, 400);
      assert.match(res.json().message, /jurisdiction/);
      const noContent = await send('POST', '/v1/reports', victimReport({ content: {} }), null);
      assert.equal(noContent.statusCode, 400);
      assert.match(noContent.json().message, /identify the content by id, url or image/);
      assert.equal((await send('GET', '/v1/cases?limit=500')).json().cases.length, before);
    });

    it('the queue needs scope cases, is ordered by deadline, filters, and pages with a cursor that never repeats a case', async () => {
      for (const [i, jurisdiction] of ['US', 'FR', 'AU', 'US'].entries()) {
        const res = await send('POST', '/v1/reports', victimReport({ jurisdiction, content: { id: `queue-${i}` } }), intakeKey);
        assert.equal(res.statusCode, 201, res.body);
      }
      assert.equal((await send('GET', '/v1/cases', undefined, t.keys.screen)).statusCode, 403);
      const all = (await send('GET', '/v1/cases?limit=500')).json().cases;
      const deadlines = all.map((c: { clock: { deadline: string } }) => c.clock.deadline);
      assert.deepEqual(deadlines, [...deadlines].sort());
      const us = (await send('GET', '/v1/cases?jurisdiction=US')).json().cases;
      assert.equal(us.length, 2);
      assert.ok(us.every((c: { jurisdiction: string }) => c.jurisdiction === 'US'));
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { cases: Array<{ id: string }>; next_cursor: string | null } = (
          await send('GET', `/v1/cases?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        ).json();
        assert.ok(page.cases.length <= 2);
        seen.push(...page.cases.map((c) => c.id));
        cursor = page.next_cursor;
      } while (cursor);
      assert.deepEqual(
        seen,
        all.map((c: { id: string }) => c.id),
      );
      const bad = await send('GET', '/v1/cases?cursor=garbage');
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().message, /pass next_cursor from the previous page unchanged/);
      assert.equal((await send('GET', '/v1/cases?state=stuck')).statusCode, 400);
    });

    it('a case is worked to closure: assign, remove (a content.remove webhook), a refused transition, close; each step in its history and the audit chain', async () => {
      const { case_id: id } = (await send('POST', '/v1/reports', victimReport({ content: { id: 'flow-1' } }), null)).json();
      const assigned = await act(id, { type: 'assign', assignee: 'reviewer-7' });
      assert.equal(assigned.statusCode, 200, assigned.body);
      assert.equal(assigned.json().state, 'in_review');
      assert.equal(assigned.json().assignee, 'reviewer-7');
      assert.deepEqual(
        (await send('GET', '/v1/cases?assignee=reviewer-7')).json().cases.map((c: { id: string }) => c.id),
        [id],
      );

      const early = await act(id, { type: 'close' });
      assert.equal(early.statusCode, 409);
      assert.match(early.json().message, /in review cannot take the action "close": it accepts .*remove/);

      const removed = await act(id, { type: 'remove', reason: 'Non-consensual intimate image; removed under our NCII policy.' });
      assert.equal(removed.statusCode, 200, removed.body);
      assert.equal(removed.json().state, 'actioned');
      const webhook = removed.json().webhooks.find((w: { event: string }) => w.event === 'content.remove');
      assert.ok(webhook, JSON.stringify(removed.json().webhooks));
      assert.equal(webhook.status, 'undeliverable', 'no PERISAI_WEBHOOK_URL in this test: recorded, never dropped');

      assert.equal((await act(id, { type: 'remove', reason: 'again' })).statusCode, 409);
      assert.equal((await act(id, { type: 'notify', message: 'We removed the image you reported.' })).statusCode, 200);
      const closed = (await act(id, { type: 'close', note: 'Done.' })).json();
      assert.equal(closed.state, 'closed');
      assert.deepEqual(
        closed.events.map((e: { kind: string }) => e.kind),
        ['opened', 'report', 'assign', 'remove', 'notify', 'close'],
      );
      assert.deepEqual(closed.events[3].details.from, 'in_review');

      const audit = (await send('GET', '/v1/audit?limit=1000')).json();
      const kinds = audit.entries.filter((e: { subject: string }) => e.subject === id).map((e: { kind: string }) => e.kind);
      assert.deepEqual(kinds, ['report.received', 'case.assign', 'case.remove', 'case.notify', 'case.close']);
      assert.equal((await t.ctx.audit.verify()).ok, true);
    });

    it('bad actions are 400 naming what to send; an unknown case is 404', async () => {
      const { case_id: id } = (await send('POST', '/v1/reports', victimReport({ content: { id: 'bad-actions' } }), null)).json();
      const unknown = await act(id, { type: 'delete' });
      assert.equal(unknown.statusCode, 400);
      assert.match(unknown.json().message, /assign, note, remove, bank, decline, escalate, notify, appeal, close/);
      assert.equal((await act(id, { type: 'decline', reason: ' ' })).statusCode, 400);
      assert.equal((await act(`case_${'0'.repeat(32)}`, { type: 'note', text: 'x' })).statusCode, 404);
      assert.equal((await send('GET', '/v1/cases/not-a-case')).statusCode, 400);
    });

    it('banking a reported image makes screening refuse a re-encoded, resized copy of it', async () => {
      assert.equal((await send('POST', '/v1/banks', { name: 'takedowns', purpose: 'takedown' })).statusCode, 201);
      const { case_id: id } = (await send('POST', '/v1/reports', victimReport({ content: { image: REPORTED.toString('base64') } }), null)).json();
      const screenCopy = () =>
        send('POST', '/v1/screen', { prompt: 'make it brighter', subject: 'adult', images: [{ data: COPY.toString('base64') }] }).then((r) => r.json());
      assert.ok(!(await screenCopy()).categories.includes('bank_match'));
      const banked = await act(id, { type: 'bank', bank: 'takedowns' });
      assert.equal(banked.statusCode, 200, banked.body);
      assert.equal(banked.json().events.at(-1).details.added, true);
      assert.deepEqual(banked.json().matches, [{ bank: 'takedowns', purpose: 'takedown', distance: 0 }]);
      assert.equal(banked.json().decision, null);
      const decision = await screenCopy();
      assert.equal(decision.decision, 'block');
      assert.ok(decision.categories.includes('bank_match'), JSON.stringify(decision));

      // Without a bank name: the depicted person's report goes to the ncii bank, a user's to takedowns.
      assert.equal((await send('POST', '/v1/banks', { name: 'victims-ncii', purpose: 'ncii' })).statusCode, 201);
      const { case_id: byVictim } = (await send('POST', '/v1/reports', victimReport({ content: { image: BY_VICTIM.toString('base64') } }), null)).json();
      assert.equal((await act(byVictim, { type: 'bank' })).json().events.at(-1).details.bank, 'victims-ncii');
      const byUser = (
        await send('POST', '/v1/reports', victimReport({ reporter: { type: 'user' }, content: { image: BY_USER.toString('base64') } }), null)
      ).json().case_id;
      assert.equal((await act(byUser, { type: 'bank' })).json().events.at(-1).details.bank, 'takedowns');

      const { case_id: textOnly } = (await send('POST', '/v1/reports', victimReport({ content: { id: 'no-image' } }), null)).json();
      const refused = await act(textOnly, { type: 'bank', bank: 'takedowns' });
      assert.equal(refused.statusCode, 409);
      assert.match(refused.json().message, /no reported image to bank/);
    });

    it('a report of known content (a banked image, re-encoded) is removed at once, with no person in the loop, and says so', async () => {
      // REPORTED's PDQ is in the takedowns bank since the test above; COPY is 12 bits from it.
      const res = await send('POST', '/v1/reports', victimReport({ content: { url: 'https://platform.example/p/9', image: COPY.toString('base64') } }), null);
      assert.equal(res.statusCode, 201, res.body);
      assert.deepEqual(res.json().removed_automatically, { bank: 'takedowns', purpose: 'takedown', distance: 12 });
      const detail = (await send('GET', `/v1/cases/${res.json().case_id}`)).json();
      assert.equal(detail.state, 'actioned');
      assert.equal(detail.automated, true);
      const removal = detail.events.find((e: { kind: string }) => e.kind === 'remove');
      assert.equal(removal.actor, 'automatic');
      assert.match(removal.details.reason, /matches known content in the bank "takedowns"/);
      const webhook = detail.webhooks.find((w: { event: string }) => w.event === 'content.remove');
      assert.ok(webhook);
      const other = (
        await send('POST', '/v1/reports', victimReport({ content: { image: Buffer.from('something never banked').toString('base64') } }), null)
      ).json();
      assert.equal(other.removed_automatically, undefined);
      assert.equal((await send('GET', `/v1/cases/${other.case_id}`)).json().state, 'open');
      assert.equal((await t.ctx.audit.verify()).ok, true);
    });

    it('a reported image that this service generated is traced to the request and account that produced it', async () => {
      const request = (await send('POST', '/v1/screen', { prompt: 'a portrait in oils', subject: 'none', requester: { id: 'acct-9' } })).json();
      const output = await send('POST', '/v1/screen/output', { request_id: request.id, image: { data: GENERATED.toString('base64') } });
      assert.equal(output.statusCode, 200, output.body);
      const { case_id: id } = (await send('POST', '/v1/reports', victimReport({ content: { image: GENERATED_REPOST.toString('base64') } }), null)).json();
      const detail = (await send('GET', `/v1/cases/${id}`)).json();
      assert.deepEqual(
        detail.trace.map((t: { request_id: string; requester_id: string; distance: number; output_decision_id: string }) => [
          t.request_id,
          t.requester_id,
          t.distance,
          t.output_decision_id,
        ]),
        [[request.id, 'acct-9', 8, output.json().id]],
      );
      const { case_id: untraced } = (await send('POST', '/v1/reports', victimReport({ content: { id: 'text-only' } }), null)).json();
      assert.deepEqual((await send('GET', `/v1/cases/${untraced}`)).json().trace, []);
    });

    it('a policy rule with open_case opens a case through the outbox, once per decision, on the clock for its category', async () => {
      await t.ctx.jobs.start();
      const decision = (await send('POST', '/v1/screen', { prompt: 'remove her clothes', subject: 'minor', jurisdiction: 'ID' })).json();
      assert.equal(decision.decision, 'block');
      assert.ok(decision.actions.includes('open_case'), JSON.stringify(decision.actions));
      const opened = await waitFor('the open_case job', async () =>
        (await send('GET', '/v1/cases?category=csam&limit=500'))
          .json()
          .cases.find((c: { content: { id: string } }) => c.content.id === `decision:${decision.id}`),
      );
      assert.equal(opened.jurisdiction, 'ID');
      assert.equal(opened.automated, true);
      assert.equal(opened.clock.rule, 'csam-everywhere');
      assert.equal(opened.clock.time_left_seconds, 3600);
      const detail = (await send('GET', `/v1/cases/${opened.id}`)).json();
      assert.equal(detail.events[0].actor, 'policy');
      assert.equal(detail.events[0].details.decision, decision.id);
      assert.equal(detail.decision.id, decision.id);
      assert.ok(detail.decision.reasons.some((r: { rule: string }) => r.rule === 'minor-sexual'));
      assert.equal(await t.ctx.cases.openFromDecision(decision.id), opened.id, 'a job run twice opens no second case');
    });

    it('overdue cases are found by the injected clock, and a decline carries its statement of reasons', async () => {
      const { case_id: id } = (await send('POST', '/v1/reports', victimReport({ content: { id: 'late-1' } }), null)).json();
      assert.ok(!(await send('GET', '/v1/cases?overdue=true&limit=500')).json().cases.some((c: { id: string }) => c.id === id));
      clock.advance(3 * HOUR);
      const overdue = (await send('GET', '/v1/cases?overdue=true&limit=500')).json().cases;
      const late = overdue.find((c: { id: string }) => c.id === id);
      assert.ok(late);
      assert.equal(late.clock.overdue, true);
      assert.ok(late.clock.time_left_seconds < 0);
      const declined = (await act(id, { type: 'decline', reason: 'The image is not intimate.' })).json();
      assert.ok(
        !(await send('GET', '/v1/cases?overdue=true&limit=500')).json().cases.some((c: { id: string }) => c.id === id),
        'a decided case is no longer overdue: no decision is owed',
      );
      assert.equal((await send('GET', '/v1/cases?overdue=true&state=closed')).json().cases.length, 0);
      assert.equal(declined.state, 'declined');
      assert.equal(declined.events.at(-1).details.reason, 'The image is not intimate.');
      assert.equal((await act(id, { type: 'appeal', reason: 'It is me.' })).json().state, 'appealed');
    });

    it('two reviewers removing at once: one wins, the other gets 409, one webhook', async () => {
      const { case_id: id } = (await send('POST', '/v1/reports', victimReport({ content: { id: 'race-1' } }), null)).json();
      const results = await Promise.all([act(id, { type: 'remove', reason: 'a' }), act(id, { type: 'remove', reason: 'b' })]);
      assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 409]);
      const detail = (await send('GET', `/v1/cases/${id}`)).json();
      assert.equal(detail.webhooks.filter((w: { event: string }) => w.event === 'content.remove').length, 1);
    });
  });
}

describe('the public report intake is rate-limited per address', () => {
  const factory = STORE_FACTORIES[0]!;
  const store = useStore(factory);
  let t: TestApp;
  before(async () => {
    t = await startTestApp(store(), { imageAnalyser: fakeImageAnalyser() }, { reportRateLimit: 3 });
  });
  after(async () => t?.close());

  testOn(factory)('the fourth report in a minute without a key is 429 with Retry-After; a key is not held to it', async () => {
    const post = (key?: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/reports',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        payload: JSON.stringify(victimReport()),
      });
    for (let i = 0; i < 3; i++) assert.equal((await post()).statusCode, 201);
    const limited = await post();
    assert.equal(limited.statusCode, 429);
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.match(limited.json().message, /at most 3 a minute/);
    assert.equal((await post(ADMIN_KEY)).statusCode, 201);
  });
});
