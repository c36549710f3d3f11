import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';

import { type AppContext, createAppContext } from '../../src/app-context.js';
import { readConfig } from '../../src/config.js';
import { ManualClock } from '../../src/domain/clock.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';
import { waitFor } from '../helpers/wait.js';

const DAY = 24 * 60 * 60 * 1000;
const SEXUALISING = { prompt: 'put her in a bikini', subject: 'adult' };
const MINOR = { prompt: 'remove her clothes', subject: 'minor' };
const NEUTRAL = { prompt: 'make the sky brighter', subject: 'none' };

interface Account {
  standing: 'good' | 'suspended';
  suspended_until: string | null;
  suspension: { id: string; automatic: boolean; reason: string; actor: string; threshold: { category: string } | null; strike_ids: string[] } | null;
  strikes: Record<'active' | 'expired' | 'lifted', Array<{ id: string; category: string; decision_id: string; state: string }>>;
  suspensions: Array<{ id: string; active: boolean; ended_by: string | null }>;
  history: Array<{ at: string; kind: string; actor: string }>;
}

for (const factory of STORE_FACTORIES) {
  describe(`strikes, suspension and accounts on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    const clock = new ManualClock('2026-06-01T10:00:00.000Z');
    let t: TestApp;
    let enforcement: { id: string; secret: string };
    before(async () => {
      if (factory.skip) return;
      t = await startTestApp(store(), { clock });
      const created = await t.ctx.apiKeys.create('trust and safety', ['enforcement'], 'test');
      enforcement = { id: created.record.id, secret: created.secret };
      await t.ctx.jobs.start();
    });
    after(async () => t?.close());

    const send = (method: 'GET' | 'POST', url: string, body?: unknown, key: string = ADMIN_KEY) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
    const screen = async (account: string | null, body: { prompt: string; subject: string }) => {
      const response = await send('POST', '/v1/screen', { ...body, ...(account === null ? {} : { requester: { id: account, country: 'ID' } }) }, t.keys.screen);
      assert.equal(response.statusCode, 200, response.body);
      return response.json() as { id: string; decision: string; categories: string[]; reasons: Array<{ rule: string; evidence: Array<{ detail: string }> }> };
    };
    const account = async (id: string, key = enforcement.secret): Promise<Account> => {
      const response = await send('GET', `/v1/accounts/${id}`, undefined, key);
      assert.equal(response.statusCode, 200, response.body);
      return response.json() as Account;
    };
    const strikesOn = (id: string, n: number) =>
      waitFor(`${n} strike(s) on ${id}`, async () => ((await account(id)).strikes.active.length >= n ? account(id) : undefined));
    const auditOf = async (subject: string) => (await t.ctx.audit.entries(0, 10_000)).entries.filter((e) => e.subject === subject).map((e) => e.kind);

    it('three sexualisation attempts within 30 days suspend for 30 days; requests are refused; the suspension ends and the strikes expire by the clock', async () => {
      const first = await screen('acct-s1', SEXUALISING);
      assert.equal(first.decision, 'block');
      assert.deepEqual(first.categories, ['sexualize_real_person']);
      let view = await strikesOn('acct-s1', 1);
      assert.equal(view.standing, 'good');
      assert.equal(view.strikes.active[0]!.decision_id, first.id);
      assert.equal(view.strikes.active[0]!.category, 'sexualize_real_person');

      clock.advance(10 * DAY);
      await screen('acct-s1', SEXUALISING);
      view = await strikesOn('acct-s1', 2);
      assert.equal(view.standing, 'good', 'two strikes are under the threshold');
      clock.advance(10 * DAY);
      await screen('acct-s1', SEXUALISING);
      view = await strikesOn('acct-s1', 3);
      const suspendedAt = clock.now().getTime();
      assert.equal(view.standing, 'suspended');
      assert.equal(view.suspended_until, new Date(suspendedAt + 30 * DAY).toISOString());
      assert.equal(view.suspension?.automatic, true);
      assert.equal(view.suspension?.actor, 'policy');
      assert.equal(view.suspension?.threshold?.category, 'sexualize_real_person');
      assert.equal(view.suspension?.strike_ids.length, 3);
      assert.deepEqual((await auditOf('acct-s1')).sort(), ['account.strike', 'account.strike', 'account.strike', 'account.suspended']);
      const suspendedEntry = (await t.ctx.audit.entries(0, 10_000)).entries.find((e) => e.subject === 'acct-s1' && e.kind === 'account.suspended')!;
      const hook = await t.ctx.webhooks.get((suspendedEntry.payload as { webhook: string }).webhook);
      assert.equal(hook.event, 'account.suspended');
      // The suspension's statement of reasons names the suspension, never the account.
      const { suspension, statement } = suspendedEntry.payload as { suspension: string; statement: string };
      const [sor] = await t.ctx.statements.of('account', suspension);
      assert.ok(sor);
      assert.equal(sor.puid, statement);
      assert.equal(sor.decision_account, 'DECISION_ACCOUNT_SUSPENDED');
      assert.equal(sor.automated_decision, 'AUTOMATED_DECISION_FULLY');
      assert.doesNotMatch(JSON.stringify(sor), /acct-s1/);

      const refused = await screen('acct-s1', NEUTRAL);
      assert.equal(refused.decision, 'block');
      assert.deepEqual(refused.categories, ['account_suspended']);
      assert.equal(refused.reasons[0]!.rule, 'account-suspended');
      assert.match(refused.reasons[0]!.evidence[0]!.detail, /suspended automatically .* until /);
      assert.equal((await screen('acct-other', NEUTRAL)).decision, 'allow', 'only the suspended account is refused');

      clock.advance(30 * DAY - 1);
      assert.equal((await screen('acct-s1', NEUTRAL)).decision, 'block', 'still suspended a millisecond before the end');
      clock.advance(1);
      assert.equal((await screen('acct-s1', NEUTRAL)).decision, 'allow');
      view = await account('acct-s1');
      assert.equal(view.standing, 'good');
      assert.equal(view.history.at(-1)?.kind, 'suspension_expired');
      assert.equal(view.strikes.active.length, 3);

      clock.advance(366 * DAY);
      view = await account('acct-s1');
      assert.equal(view.strikes.active.length, 0);
      assert.equal(view.strikes.expired.length, 3);
    });

    it('one attempt at sexual content with a minor suspends until reinstated; a retried strike job strikes once; reinstatement is audited with the key', async () => {
      const decision = await screen('acct-m1', MINOR);
      assert.ok(decision.categories.includes('minor_sexual'));
      const view = await waitFor('the suspension', async () => {
        const a = await account('acct-m1');
        return a.standing === 'suspended' ? a : undefined;
      });
      assert.equal(view.suspended_until, null);
      assert.equal(view.suspension?.threshold?.category, 'minor_sexual');

      assert.deepEqual(await t.ctx.accounts.strikeFromDecision(decision.id), [], 'the job run again lands nothing');
      const again = await account('acct-m1');
      assert.equal(again.strikes.active.length, view.strikes.active.length);
      assert.equal(again.suspensions.length, 1);

      const reinstated = await send('POST', '/v1/accounts/acct-m1/reinstate', { reason: 'Reviewed: a misunderstanding, warned.' }, enforcement.secret);
      assert.equal(reinstated.statusCode, 200, reinstated.body);
      assert.equal(reinstated.json().standing, 'good');
      assert.equal(reinstated.json().suspensions[0].ended_by, enforcement.id);
      assert.equal(reinstated.json().history.at(-1).actor, enforcement.id);
      assert.equal((await screen('acct-m1', NEUTRAL)).decision, 'allow');
      const audit = (await t.ctx.audit.entries(0, 10_000)).entries.filter((e) => e.subject === 'acct-m1' && e.kind === 'account.reinstated');
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.actor, enforcement.id);

      const twice = await send('POST', '/v1/accounts/acct-m1/reinstate', { reason: 'again' }, enforcement.secret);
      assert.equal(twice.statusCode, 409);
      assert.match(twice.json().message, /not suspended/);
    });

    it('a person suspends for a number of days through HTTP; bad input is refused with what to fix; other scopes are refused', async () => {
      const suspended = await send('POST', '/v1/accounts/acct-h1/suspend', { reason: 'Harassment reported by several users.', days: 2 }, enforcement.secret);
      assert.equal(suspended.statusCode, 200, suspended.body);
      const body = suspended.json() as Account;
      assert.equal(body.standing, 'suspended');
      assert.equal(body.suspended_until, new Date(clock.now().getTime() + 2 * DAY).toISOString());
      assert.equal(body.suspension?.automatic, false);
      assert.equal(body.suspension?.actor, enforcement.id);
      const refused = await screen('acct-h1', NEUTRAL);
      assert.deepEqual(refused.categories, ['account_suspended']);
      assert.match(refused.reasons[0]!.evidence[0]!.detail, /by a moderator/);
      clock.advance(2 * DAY);
      assert.equal((await screen('acct-h1', NEUTRAL)).decision, 'allow');

      const bad = async (url: string, payload: unknown, pattern: RegExp) => {
        const response = await send('POST', url, payload, enforcement.secret);
        assert.equal(response.statusCode, 400, `${url} ${JSON.stringify(payload)}: ${response.body}`);
        assert.match(response.json().message, pattern);
      };
      await bad('/v1/accounts/acct-h1/suspend', { reason: ' ' }, /reason/);
      await bad('/v1/accounts/acct-h1/suspend', { reason: 'x', until: '2020-01-01T00:00:00Z' }, /has passed/);
      await bad('/v1/accounts/acct-h1/suspend', { reason: 'x', until: 'tomorrow' }, /until/);
      await bad('/v1/accounts/acct-h1/suspend', { reason: 'x', days: 2, until: '2030-01-01T00:00:00Z' }, /either until or days/);
      await bad('/v1/accounts/acct-h1/reinstate', {}, /reason/);
      assert.equal((await send('GET', '/v1/accounts/bad%20id', undefined, enforcement.secret)).statusCode, 400);
      assert.equal((await send('GET', '/v1/accounts/acct-h1', undefined, t.keys.screen)).statusCode, 403);
      assert.equal((await send('POST', '/v1/accounts/acct-h1/suspend', { reason: 'x' }, t.keys.read)).statusCode, 403);
      assert.equal((await account('acct-h1')).suspensions.length, 1, 'nothing half-written by the refused calls');

      const never = await account('acct-never-seen');
      assert.deepEqual([never.standing, never.strikes.active, never.suspensions, never.history], ['good', [], [], []]);
    });

    it('a decision with no requester strikes nobody, and the audit log says so once', async () => {
      const decision = await screen(null, SEXUALISING);
      assert.equal(decision.decision, 'block');
      await waitFor('the skipped strike', async () => ((await auditOf(decision.id)).includes('account.strike_skipped') ? true : undefined));
      await t.ctx.accounts.strikeFromDecision(decision.id);
      assert.equal((await auditOf(decision.id)).filter((kind) => kind === 'account.strike_skipped').length, 1);
    });

    it('a suspension made through one instance is refused by another on the same database within a second, and so is the reinstatement', async () => {
      const other: AppContext = await createAppContext(readConfig({}, { db: store().location, imageDetectors: false }), { clock });
      try {
        const screenOther = () => other.screening.screenRequest({ prompt: NEUTRAL.prompt, subject: 'none', images: [], requester: { id: 'acct-x1' } }, 'test');
        assert.equal((await screenOther()).decision, 'allow');
        const suspended = await send('POST', '/v1/accounts/acct-x1/suspend', { reason: 'Ban evasion.' }, enforcement.secret);
        assert.equal(suspended.statusCode, 200);
        const refused = await waitFor('the other instance to refuse', async () => ((await screenOther()).decision === 'block' ? true : undefined), 1000);
        assert.equal(refused, true);
        await other.accounts.reinstate('acct-x1', 'Appeal granted.', 'test');
        await waitFor('this instance to allow again', async () => ((await screen('acct-x1', NEUTRAL)).decision === 'allow' ? true : undefined), 1000);
      } finally {
        await other.close();
      }
    });
  });
}
