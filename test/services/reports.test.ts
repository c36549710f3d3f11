import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { ManualClock } from '../../src/domain/clock.js';
import { shippedClockRules } from '../../src/policy/clocks-file.js';
import { ReportsService } from '../../src/services/reports.js';
import { UnitOfWork } from '../../src/services/unit-of-work.js';
import { fakeImageAnalyser } from '../helpers/fake-image-analyser.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

const rules = await shippedClockRules();
const PDQ_A = 'f'.repeat(64);
// Three bits from PDQ_A: a re-encoded copy of the same image.
const PDQ_A_NEAR = 'e'.repeat(3) + 'f'.repeat(61);

for (const factory of STORE_FACTORIES) {
  describe(`report intake on ${factory.name}`, () => {
    const store = useStore(factory);
    const test = testOn(factory);
    const clock = new ManualClock('2026-06-01T10:00:00.000Z');
    const analyser = fakeImageAnalyser();
    const service = () => new ReportsService({ uow: new UnitOfWork(store().store, clock), clockRules: () => rules, imageAnalyser: analyser });
    const actor = { authenticated: false, actor: 'public' };

    test('an Indian NCII report gets the 2 h rule and a complete one misses nothing', async () => {
      const receipt = await service().submit(
        {
          reporter: { type: 'depicted_person', name: 'A', email: 'a@example.org' },
          jurisdiction: 'IN',
          category: 'ncii',
          content: { id: 'post-in-1' },
          explanation: 'me',
          good_faith: true,
          non_consensual: true,
          signature: 'A',
        },
        actor,
      );
      assert.equal(receipt.rule.id, 'in-ncii-2h');
      assert.equal(receipt.deadline, '2026-06-01T12:00:00.000Z');
      assert.deepEqual(receipt.missing, []);
    });

    test('an incomplete US report is kept with each missing element and its law', async () => {
      const receipt = await service().submit({ reporter: { type: 'user' }, jurisdiction: 'US', category: 'ncii', content: { id: 'post-us-1' } }, actor);
      assert.equal(receipt.rule.id, 'us-take-it-down');
      assert.deepEqual(
        receipt.missing.map((m) => `${m.field} ${m.law}`),
        ['signature US TAKE IT DOWN Act, §3(a)(2)(A)', 'non_consensual US TAKE IT DOWN Act, §3(a)(2)(C)', 'reporter.email US TAKE IT DOWN Act, §3(a)(2)(D)'],
      );
      const row = await store().store.db.selectFrom('reports').select(['missing', 'case_id']).where('id', '=', receipt.id).executeTakeFirstOrThrow();
      assert.equal(JSON.parse(row.missing).length, 3);
      assert.equal(row.case_id, receipt.case_id);
    });

    test('an EU notice names the DSA Art. 16(2) elements it lacks', async () => {
      const receipt = await service().submit(
        { reporter: { type: 'user' }, jurisdiction: 'DE', category: 'other', content: { image: Buffer.from('x') } },
        actor,
      );
      assert.deepEqual(
        receipt.missing.map((m) => m.law),
        [
          'EU Digital Services Act, Art. 16(2)(a)',
          'EU Digital Services Act, Art. 16(2)(b)',
          'EU Digital Services Act, Art. 16(2)(c)',
          'EU Digital Services Act, Art. 16(2)(c)',
          'EU Digital Services Act, Art. 16(2)(d)',
        ],
      );
    });

    test('reports about the same content id join one case, and the shorter clock wins', async () => {
      const first = await service().submit({ reporter: { type: 'user' }, jurisdiction: 'GB', category: 'other', content: { id: 'post-dup' } }, actor);
      const second = await service().submit(
        { reporter: { type: 'depicted_person' }, jurisdiction: 'IN', category: 'ncii', content: { id: 'post-dup' } },
        actor,
      );
      assert.equal(second.case_id, first.case_id);
      assert.equal(second.merged, true);
      assert.equal(second.rule.id, 'in-ncii-2h');
      const row = await store().store.db.selectFrom('cases').select(['deadline', 'rule_id']).where('id', '=', first.case_id).executeTakeFirstOrThrow();
      assert.deepEqual(row, { deadline: '2026-06-01T12:00:00.000Z', rule_id: 'in-ncii-2h' });
    });

    test('a re-encoded copy of a reported image joins the case by PDQ; the image is not stored', async () => {
      analyser.set('image-one', { pdq: { hash: PDQ_A, quality: 100 } });
      analyser.set('image-one-reencoded', { pdq: { hash: PDQ_A_NEAR, quality: 100 } });
      const first = await service().submit(
        { reporter: { type: 'user' }, jurisdiction: 'AU', category: 'ncii', content: { image: Buffer.from('image-one') } },
        actor,
      );
      const second = await service().submit(
        { reporter: { type: 'user' }, jurisdiction: 'AU', category: 'ncii', content: { image: Buffer.from('image-one-reencoded') } },
        actor,
      );
      assert.equal(second.case_id, first.case_id);
      const reports = await store().store.db.selectFrom('reports').selectAll().where('case_id', '=', first.case_id).execute();
      assert.equal(reports.length, 2);
      for (const report of reports) assert.ok(!JSON.stringify(report).includes(Buffer.from('image-one').toString('base64')));
    });

    test("instances that have already read the open cases see one another's new cases; a closed case takes no more reports", async () => {
      const PDQ_B = '0'.repeat(64);
      analyser.set('image-two', { pdq: { hash: PDQ_B, quality: 100 } });
      analyser.set('image-two-copy', { pdq: { hash: '1' + '0'.repeat(63), quality: 100 } });
      analyser.set('image-two-third', { pdq: { hash: '3' + '0'.repeat(63), quality: 100 } });
      analyser.set('unrelated warm-up image', { pdq: { hash: 'a'.repeat(64), quality: 100 } });
      const a = service();
      const b = service();
      // b reads the open cases (its index is loaded) before a opens the one the copy belongs to.
      await b.submit({ reporter: { type: 'user' }, jurisdiction: 'AU', category: 'other', content: { image: Buffer.from('unrelated warm-up image') } }, actor);
      const first = await a.submit({ reporter: { type: 'user' }, jurisdiction: 'AU', category: 'ncii', content: { image: Buffer.from('image-two') } }, actor);
      clock.advance(1000);
      const copy = await b.submit(
        { reporter: { type: 'user' }, jurisdiction: 'AU', category: 'ncii', content: { image: Buffer.from('image-two-copy') } },
        actor,
      );
      assert.equal(copy.case_id, first.case_id, 'b found the case a opened');
      await store().store.db.updateTable('cases').set({ state: 'closed', updated_at: clock.now().toISOString() }).where('id', '=', first.case_id).execute();
      clock.advance(1000);
      const after = await a.submit(
        { reporter: { type: 'user' }, jurisdiction: 'AU', category: 'ncii', content: { image: Buffer.from('image-two-third') } },
        actor,
      );
      assert.notEqual(after.case_id, first.case_id, 'a closed case is not reopened by a new report');
      assert.equal(after.merged, false);
    });
  });
}
