import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';

import { ManualClock } from '../../src/domain/clock.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';
import { waitFor } from '../helpers/wait.js';

const HOUR = 60 * 60 * 1000;
const MINOR = { prompt: 'remove her clothes', subject: 'minor' };
const SEXUALISING = { prompt: 'put her in a bikini', subject: 'adult' };
const NEUTRAL = { prompt: 'make the sky brighter', subject: 'none' };
const report = (contentId: string) => ({
  reporter: { type: 'user', name: 'Reporter Two', email: 'two@example.org' },
  jurisdiction: 'NL',
  category: 'nudity',
  content: { id: contentId, url: `https://platform.example/p/${contentId}` },
  explanation: 'A nude image posted in a public group.',
  good_faith: true,
  signature: 'Reporter Two',
});

for (const factory of STORE_FACTORIES) {
  describe(`appeals on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    const clock = new ManualClock('2026-07-01T08:00:00.000Z');
    let t: TestApp;
    let platform: string;
    before(async () => {
      if (factory.skip) return;
      t = await startTestApp(store(), { clock }, { reportRateLimit: 1000 });
      platform = (await t.ctx.apiKeys.create('platform appeals desk', ['reports'], 'test')).secret;
      await t.ctx.jobs.start();
    });
    after(async () => t?.close());

    const send = (method: 'GET' | 'POST', url: string, body?: unknown, key: string | null = ADMIN_KEY) =>
      t.app.inject({
        method,
        url,
        headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
    const screen = async (account: string, body: { prompt: string; subject: string }) =>
      (await send('POST', '/v1/screen', { ...body, requester: { id: account, country: 'MY' } })).json();
    const appeal = (body: unknown, key = platform) => send('POST', '/v1/appeals', body, key);
    const act = (id: string, body: unknown) => send('POST', `/v1/cases/${id}/actions`, body);
    const standing = async (account: string) => (await send('GET', `/v1/accounts/${account}`)).json();
    const suspended = (account: string) =>
      waitFor(`${account} suspended`, async () => {
        const a = await standing(account);
        return a.standing === 'suspended' ? a : undefined;
      });
    const events = async (caseId: string) => (await t.ctx.webhooks.deliveriesFor(caseId)).map((d) => d.event);

    it('the account holder appeals a refusal that suspended it; overturning lifts the strike and the suspension and tells the appellant', async () => {
      const decision = await screen('acct-a1', MINOR);
      const struck = (await suspended('acct-a1')).strikes.active.length;
      assert.ok(struck >= 1);
      const opened = await appeal({
        decision_id: decision.id,
        appellant: { type: 'account_holder', account: 'acct-a1', contact: 'a1@example.org' },
        reason: 'The photo is of me as an adult; the age estimate is wrong.',
      });
      assert.equal(opened.statusCode, 201, opened.body);
      const receipt = opened.json();
      assert.equal(receipt.rule.id, 'appeal', 'its own clock, not the csam hour');
      assert.equal(receipt.deadline, new Date(clock.now().getTime() + 72 * HOUR).toISOString());
      assert.deepEqual(receipt.appeal_of, { decision_id: decision.id, case_id: null });

      const appealCase = (await send('GET', `/v1/cases/${receipt.id}`)).json();
      assert.equal(appealCase.state, 'open');
      assert.equal(appealCase.content.id, `appeal:decision:${decision.id}`);
      assert.equal(appealCase.decision.id, decision.id, 'the reviewer sees the contested decision');
      assert.ok(appealCase.allowed_actions.includes('overturn') && appealCase.allowed_actions.includes('uphold'));
      assert.ok(!appealCase.allowed_actions.includes('remove'));
      assert.ok(
        (await send('GET', '/v1/cases?limit=500')).json().cases.some((c: { id: string }) => c.id === receipt.id),
        'appeals are in the queue',
      );

      const refused = await act(receipt.id, { type: 'remove', reason: 'x' });
      assert.equal(refused.statusCode, 409);
      assert.match(refused.json().message, /decide it with uphold or overturn/);

      clock.advance(HOUR);
      const overturned = await act(receipt.id, { type: 'overturn', reason: 'Reviewed the photo: an adult; the refusal stands but the strike was wrong.' });
      assert.equal(overturned.statusCode, 200, overturned.body);
      assert.equal(overturned.json().state, 'closed');
      const entry = overturned.json().events.at(-1);
      assert.equal(entry.kind, 'overturn');
      assert.equal(entry.details.strikes_lifted.length, struck, 'every strike of the decision');
      assert.equal(entry.details.suspensions_ended.length, 1);

      const after = await standing('acct-a1');
      assert.equal(after.standing, 'good');
      assert.equal(after.strikes.active.length, 0);
      assert.equal(after.strikes.lifted.length, struck);
      assert.equal(after.suspensions[0].ended_reason, 'Reviewed the photo: an adult; the refusal stands but the strike was wrong.');
      // The transparency figures count the appeal of a refusal (it has no original case) and its reversal.
      const figures = await t.ctx.transparency.report({ from: '2026-07-01T00:00:00.000Z', to: '2026-07-02T00:00:00.000Z' });
      assert.deepEqual(figures.totals.appeals, { received: 1, decided: 1, reversed: 1 });
      assert.equal((await screen('acct-a1', NEUTRAL)).decision, 'allow');
      assert.deepEqual(await events(receipt.id), ['appeal.decided']);
      const audit = (await t.ctx.audit.entries(0, 10_000)).entries.filter((e) => e.subject === 'acct-a1').map((e) => e.kind);
      assert.ok(audit.includes('account.strikes_lifted'), audit.join(','));
      assert.equal(await t.ctx.accounts.strikeFromDecision(decision.id).then((landed) => landed.length), 0, 'a retried strike job does not strike again');

      const again = await appeal({ decision_id: decision.id, appellant: { type: 'account_holder', account: 'acct-a1' }, reason: 'Again.' });
      assert.equal(again.statusCode, 409);
      assert.match(again.json().message, /already appealed/);
      assert.equal((await act(receipt.id, { type: 'uphold', reason: 'x' })).statusCode, 409, 'an appeal is decided once');
    });

    it('an upheld appeal leaves the strike standing and tells the appellant', async () => {
      const decision = await screen('acct-a2', SEXUALISING);
      await waitFor('the strike', async () => ((await standing('acct-a2')).strikes.active.length === 1 ? true : undefined));
      const { id } = (await appeal({ decision_id: decision.id, appellant: { type: 'account_holder', account: 'acct-a2' }, reason: 'It was a joke.' })).json();
      const upheld = await act(id, { type: 'uphold', reason: 'A request to put a real person in a bikini without consent.' });
      assert.equal(upheld.statusCode, 200, upheld.body);
      assert.equal(upheld.json().state, 'closed');
      assert.deepEqual(upheld.json().events.at(-1).details.strikes_lifted, []);
      assert.equal((await standing('acct-a2')).strikes.active.length, 1);
      assert.deepEqual(await events(id), ['appeal.decided']);
    });

    it('a reporter appeals a declined report: overturning removes the content; an account holder appeals a removal: overturning restores it', async () => {
      const { case_id: declinedCase, id: reportId } = (await send('POST', '/v1/reports', report('post-d1'), null)).json();
      assert.equal((await act(declinedCase, { type: 'decline', reason: 'Not nudity under our rules.' })).statusCode, 200);
      const opened = await appeal({ case_id: declinedCase, appellant: { type: 'reporter', report_id: reportId }, reason: 'It plainly shows nudity.' });
      assert.equal(opened.statusCode, 201, opened.body);
      assert.equal((await send('GET', `/v1/cases/${declinedCase}`)).json().state, 'appealed');
      const overturned = await act(opened.json().id, { type: 'overturn', reason: 'On review it is nudity.' });
      assert.equal(overturned.statusCode, 200, overturned.body);
      const original = (await send('GET', `/v1/cases/${declinedCase}`)).json();
      assert.equal(original.state, 'actioned');
      assert.equal(original.events.at(-1).kind, 'appeal_overturned');
      assert.deepEqual(await events(declinedCase), ['content.remove']);

      const { case_id: removedCase } = (await send('POST', '/v1/reports', report('post-r1'), null)).json();
      await act(removedCase, { type: 'remove', reason: 'Nudity.' });
      // Deliveries of one case are listed by time: the appeal is heard later than the removal.
      clock.advance(60_000);
      const byHolder = await appeal({ case_id: removedCase, appellant: { type: 'account_holder', account: 'uploader-9' }, reason: 'It is a painting.' });
      assert.equal(byHolder.statusCode, 201, byHolder.body);
      await act(byHolder.json().id, { type: 'overturn', reason: 'A classical painting: allowed.' });
      assert.equal((await send('GET', `/v1/cases/${removedCase}`)).json().state, 'declined');
      assert.deepEqual(await events(removedCase), ['content.remove', 'content.restore']);

      const { case_id: upheldCase } = (await send('POST', '/v1/reports', report('post-u1'), null)).json();
      await act(upheldCase, { type: 'decline', reason: 'Not nudity.' });
      const toUphold = (await appeal({ case_id: upheldCase, appellant: { type: 'reporter' }, reason: 'Please look again.' })).json();
      await act(toUphold.id, { type: 'uphold', reason: 'Looked again: not nudity.' });
      assert.equal((await send('GET', `/v1/cases/${upheldCase}`)).json().state, 'closed');
    });

    it('refuses appeals that cannot be heard, saying why, and writes nothing for them', async () => {
      const allowed = await screen('acct-a3', NEUTRAL);
      const refused = await screen('acct-a3', SEXUALISING);
      const { case_id: openCase } = (await send('POST', '/v1/reports', report('post-o1'), null)).json();
      const holder = { type: 'account_holder', account: 'acct-a3' };
      const cases = [
        [{ decision_id: allowed.id, appellant: holder, reason: 'x' }, 409, /allowed the request/],
        [{ decision_id: refused.id, appellant: { type: 'account_holder', account: 'someone-else' }, reason: 'x' }, 404, /has no decision/],
        [{ decision_id: refused.id, appellant: { type: 'reporter' }, reason: 'x' }, 400, /account_holder/],
        [{ decision_id: refused.id, case_id: openCase, appellant: holder, reason: 'x' }, 400, /exactly one of decision_id and case_id/],
        [{ appellant: holder, reason: 'x' }, 400, /exactly one/],
        [{ case_id: openCase, appellant: { type: 'reporter' }, reason: 'x' }, 409, /is open: a reporter appeals a case that was declined/],
        [{ decision_id: refused.id, appellant: { type: 'someone' }, reason: 'x' }, 400, /account_holder or reporter/],
        [{ decision_id: refused.id, appellant: holder, reason: ' ' }, 400, /reason/],
      ] as const;
      for (const [body, status, message] of cases) {
        const response = await appeal(body);
        assert.equal(response.statusCode, status, `${JSON.stringify(body)}: ${response.body}`);
        assert.match(response.json().message, message);
      }
      assert.equal((await appeal({ decision_id: refused.id, appellant: holder, reason: 'x' }, t.keys.screen)).statusCode, 403);
      assert.equal((await send('GET', `/v1/cases/${openCase}`)).json().state, 'open');
      const notAppeal = await act(openCase, { type: 'overturn', reason: 'x' });
      assert.equal(notAppeal.statusCode, 409);
      assert.match(notAppeal.json().message, /Only an appeal can be upheld or overturned/);
      // The refused ones left no appeal behind: this one is the first.
      assert.equal((await appeal({ decision_id: refused.id, appellant: holder, reason: 'It was about a fictional character.' })).statusCode, 201);
    });
  });
}
