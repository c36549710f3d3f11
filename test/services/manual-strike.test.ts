import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';

import { ManualClock } from '../../src/domain/clock.js';
import { isPerisaiError } from '../../src/domain/errors.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

for (const factory of STORE_FACTORIES) {
  describe(`manual strikes on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    const clock = new ManualClock('2026-08-01T09:00:00.000Z');
    let t: TestApp;
    before(async () => {
      if (!factory.skip) t = await startTestApp(store(), { clock });
    });
    after(async () => t?.close());

    const requestBy = async (account: string | null, prompt = 'a red bicycle by the sea') =>
      (await t.ctx.screening.screenRequest({ prompt, images: [], subject: 'none', ...(account ? { requester: { id: account } } : {}) }, 'test')).id;
    const refused = async (call: Promise<unknown>, code: string, message: RegExp) =>
      assert.rejects(call, (error: unknown) => isPerisaiError(error) && error.code === code && message.test(error.message));

    it('count towards the same thresholds as the policy’s: the third sexualisation strike in 30 days suspends; each is audited under the person', async () => {
      const decisions = [await requestBy('acct-m1'), await requestBy('acct-m1'), await requestBy('acct-m1')];
      for (const [i, decisionId] of decisions.entries()) {
        await t.ctx.accounts.strikeManually({ decisionId, category: 'sexualize_real_person', reason: `Reviewer found case ${i}.` }, 'user:rev@example.org');
        clock.advance(24 * 3600_000);
      }
      const view = await t.ctx.accounts.get('acct-m1');
      assert.equal(view.standing, 'suspended');
      assert.equal(view.strikes.active.length, 3);
      assert.ok(view.strikes.active.every((s) => s.rule === 'manual'));
      const entries = (await t.ctx.audit.entries(0, 10_000)).entries.filter((e) => e.subject === 'acct-m1');
      assert.deepEqual(
        entries.map((e) => [e.kind, e.actor]),
        [
          ['account.strike', 'user:rev@example.org'],
          ['account.strike', 'user:rev@example.org'],
          ['account.strike', 'user:rev@example.org'],
          ['account.suspended', 'policy'],
        ],
      );
      assert.equal((entries[0]!.payload as { reason: string }).reason, 'Reviewer found case 0.');
    });

    it('refuses a second strike for one decision and category, a category that is no harm, a decision without an account, and an unknown case', async () => {
      const decisionId = await requestBy('acct-m2');
      await t.ctx.accounts.strikeManually({ decisionId, category: 'nudity', reason: 'Nude output reposted.' }, 'user:rev@example.org');
      await refused(
        t.ctx.accounts.strikeManually({ decisionId, category: 'nudity', reason: 'Again.' }, 'user:rev@example.org'),
        'conflict',
        /already has a nudity strike/,
      );
      await refused(
        t.ctx.accounts.strikeManually({ decisionId, category: 'detector_failure', reason: 'x' }, 'user:rev@example.org'),
        'invalid_request',
        /not a strike category/,
      );
      await refused(
        t.ctx.accounts.strikeManually({ decisionId: await requestBy(null), category: 'nudity', reason: 'x' }, 'user:rev@example.org'),
        'invalid_request',
        /names no requesting account/,
      );
      await refused(
        t.ctx.accounts.strikeManually({ decisionId, category: 'sexual_violence', reason: 'x' }, 'user:rev@example.org', { caseId: `case_${'0'.repeat(32)}` }),
        'not_found',
        /no case/,
      );
      assert.equal((await t.ctx.accounts.get('acct-m2')).strikes.active.length, 1, 'nothing was half-written');
    });
  });
}
