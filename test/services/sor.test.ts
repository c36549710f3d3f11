import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';

import { reportSor } from '../../src/cli/commands/report.js';
import { ManualClock } from '../../src/domain/clock.js';
import { statementSchema } from '../../src/domain/statement-of-reasons.js';
import { createBankSchema } from '../../src/services/banks.js';
import { type ReportBody, reportBodySchema } from '../../src/services/reports.js';
import { screenRequestSchema } from '../../src/services/screen-request.js';
import { StatementsService } from '../../src/services/sor.js';
import { UnitOfWork } from '../../src/services/unit-of-work.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { fakeImageAnalyser } from '../helpers/fake-image-analyser.js';
import { fixedTextDetector } from '../helpers/fixed-text-detector.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

const HOUR = 3_600_000;
const BANKED = Buffer.from('an image already in the takedown bank');
const BANKED_PDQ = 'a5'.repeat(32);
const UNBANKED = Buffer.from('a reported image nobody banked yet');

const notice = (contentId: string, overrides: Record<string, unknown> = {}): ReportBody =>
  reportBodySchema.parse({
    reporter: { type: 'depicted_person', name: 'Dewi Lestari', email: 'dewi@example.org' },
    jurisdiction: 'DE',
    category: 'sexual_deepfake',
    content: { id: contentId, url: `https://platform.example/p/${contentId}` },
    explanation: 'A fake nude of me made from my profile photo.',
    good_faith: true,
    ...overrides,
  });

for (const factory of STORE_FACTORIES) {
  describe(`statements of reasons on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    const clock = new ManualClock('2026-12-01T08:00:00.000Z');
    const analyser = fakeImageAnalyser();
    let t: TestApp;
    before(async () => {
      if (factory.skip) return;
      analyser.set(BANKED, { pdq: { hash: BANKED_PDQ, quality: 90 } });
      analyser.set(UNBANKED, { pdq: { hash: '3c'.repeat(32), quality: 90 } });
      const textDetector = fixedTextDetector({ 'undress her': { sexualisation: 'explicit', targetsRealPerson: true } });
      t = await startTestApp(store(), { clock, imageAnalyser: analyser, textDetector });
    });
    after(async () => t?.close());

    const statementsOf = (source: 'case' | 'decision' | 'account', subject: string) => t.ctx.statements.of(source, subject);

    it('a reviewer’s removal produces one valid statement, without a name, an address, a URL or a case id in it', async () => {
      const receipt = await t.ctx.reports.submit(notice('post-1'), { authenticated: false, actor: 'public' });
      assert.deepEqual(await statementsOf('case', receipt.case_id), []);
      clock.advance(2 * HOUR);
      const detail = await t.ctx.cases.act(receipt.case_id, { type: 'remove', reason: 'A sexual deepfake of the reporter, Dewi Lestari.' }, 'reviewer-7');
      const [statement, ...more] = await statementsOf('case', receipt.case_id);
      assert.equal(more.length, 0);
      assert.ok(statement);
      assert.equal(statementSchema.safeParse(statement).success, true);
      assert.deepEqual(statement.decision_visibility, ['DECISION_VISIBILITY_CONTENT_REMOVED']);
      assert.equal(statement.category, 'STATEMENT_CATEGORY_CYBER_VIOLENCE');
      assert.deepEqual(statement.category_specification, ['KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE']);
      assert.ok(statement.content_type.includes('CONTENT_TYPE_SYNTHETIC_MEDIA'));
      assert.equal(statement.source_type, 'SOURCE_ARTICLE_16');
      assert.equal(statement.automated_decision, 'AUTOMATED_DECISION_NOT_AUTOMATED');
      assert.equal(statement.automated_detection, 'No');
      assert.equal(statement.content_date, '2026-12-01');
      assert.equal(statement.application_date, '2026-12-01');
      assert.match(statement.puid, /^sor_[0-9a-f]{32}$/);
      // The statement's id is in the case history, which links the two.
      assert.equal(detail.events.at(-1)!.details && (detail.events.at(-1)!.details as { statement: string }).statement, statement.puid);
      const json = JSON.stringify(statement);
      for (const personal of ['Dewi', 'dewi@example.org', 'platform.example', 'post-1', receipt.case_id, 'reviewer-7']) {
        assert.ok(!json.includes(personal), `the statement contains ${personal}`);
      }
      // Banking after the removal adds no second statement; banking alone restricts, so it gets one.
      await t.ctx.banks.create(createBankSchema.parse({ name: 'takedowns', purpose: 'takedown' }), 'test');
      const imageCase = (
        await t.ctx.reports.submit(notice('post-2', { content: { id: 'post-2', image: UNBANKED.toString('base64') } }), {
          authenticated: false,
          actor: 'public',
        })
      ).case_id;
      await t.ctx.cases.act(imageCase, { type: 'bank', bank: 'takedowns' }, 'reviewer-7');
      const [disabled] = await statementsOf('case', imageCase);
      assert.deepEqual(disabled?.decision_visibility, ['DECISION_VISIBILITY_CONTENT_DISABLED']);
      clock.advance(60_000);
      await t.ctx.cases.act(imageCase, { type: 'remove', reason: 'removed' }, 'reviewer-7');
      await t.ctx.cases.act(imageCase, { type: 'appeal', reason: 'contested' }, 'platform');
      await t.ctx.cases.act(imageCase, { type: 'bank', bank: 'takedowns' }, 'reviewer-7');
      assert.deepEqual(
        (await statementsOf('case', imageCase)).map((s) => s.decision_visibility?.[0]),
        ['DECISION_VISIBILITY_CONTENT_DISABLED', 'DECISION_VISIBILITY_CONTENT_REMOVED'],
      );
    });

    it('an automatic removal of known content is fully automated and automatically detected, in the intake’s transaction', async () => {
      await t.ctx.banks.import('takedowns', [{ pdq: BANKED_PDQ, quality: 90 }], 'test');
      const receipt = await t.ctx.reports.submit(
        notice('post-3', { reporter: { type: 'trusted_flagger', name: 'Hotline' }, content: { image: BANKED.toString('base64') } }),
        {
          authenticated: true,
          actor: 'key_flagger',
        },
      );
      assert.ok(receipt.removed_automatically);
      const [statement] = await statementsOf('case', receipt.case_id);
      assert.ok(statement);
      assert.equal(statement.automated_decision, 'AUTOMATED_DECISION_FULLY');
      assert.equal(statement.automated_detection, 'Yes');
      assert.equal(statement.source_type, 'SOURCE_TRUSTED_FLAGGER');
      assert.ok(!JSON.stringify(statement).includes('Hotline'));
    });

    it('a refused generation request gets a statement on the terms of service; an allowed one and a detector failure do not', async () => {
      const blocked = await t.ctx.screening.screenRequest(
        screenRequestSchema.parse({ prompt: 'undress her', subject: 'adult', requester: { id: 'acct-77', country: 'FR' } }),
        'key_screen',
      );
      assert.equal(blocked.decision, 'block');
      const [statement] = await statementsOf('decision', blocked.id);
      assert.ok(statement);
      assert.equal(statement.decision_ground, 'DECISION_GROUND_INCOMPATIBLE_CONTENT');
      assert.match(statement.incompatible_content_ground!, /rules .*sexualize-real-person/);
      assert.equal(statement.source_type, 'SOURCE_VOLUNTARY');
      assert.equal(statement.automated_decision, 'AUTOMATED_DECISION_FULLY');
      assert.ok(!JSON.stringify(statement).includes('acct-77') && !JSON.stringify(statement).includes('undress'));
      const allowed = await t.ctx.screening.screenRequest(screenRequestSchema.parse({ prompt: 'a lighthouse at dusk', subject: 'none' }), 'key_screen');
      assert.equal(allowed.decision, 'allow');
      assert.deepEqual(await statementsOf('decision', allowed.id), []);
    });

    it('an account restriction, as the suspension service will record it: its end date, never the account id', async () => {
      const uow = new UnitOfWork(store().store, clock);
      const service = new StatementsService(uow);
      const id = await uow.run((tx) =>
        service.recordAccountRestriction(tx, {
          subject: 'susp_1',
          restriction: 'suspended',
          until: '2026-12-31T08:00:00.000Z',
          category: 'sexual_deepfake',
          automated: true,
        }),
      );
      const statement = await service.get(id);
      assert.equal(statement?.decision_account, 'DECISION_ACCOUNT_SUSPENDED');
      assert.equal(statement?.end_date_account_restriction, '2026-12-31');
      assert.equal(statement?.automated_decision, 'AUTOMATED_DECISION_FULLY');
      // Rolled back with its transaction: no statement for a restriction that did not happen.
      await assert.rejects(
        uow.run(async (tx) => {
          await service.recordAccountRestriction(tx, { subject: 'susp_2', restriction: 'terminated', category: 'csam', automated: false });
          throw new Error('the suspension failed');
        }),
        /the suspension failed/,
      );
      assert.deepEqual(await service.of('account', 'susp_2'), []);
    });

    it('exports in batches of at most 100 as the bulk API takes them: 205 statements are three files', async () => {
      clock.set('2026-12-10T00:00:00.000Z');
      const uow = new UnitOfWork(store().store, clock);
      const service = new StatementsService(uow);
      await uow.run(async (tx) => {
        for (let i = 0; i < 205; i++)
          await service.recordAccountRestriction(tx, { subject: `susp_bulk_${i}`, restriction: 'suspended', category: 'ncii', automated: true });
      });
      const dir = mkdtempSync(join(tmpdir(), 'perisai-sor-'));
      try {
        const code = await reportSor(t.ctx, { from: '2026-12-10T00:00:00Z', to: '2026-12-11T00:00:00Z', out: dir });
        assert.equal(code, 0);
        const files = readdirSync(dir).sort();
        assert.deepEqual(files, ['statements-0001.json', 'statements-0002.json', 'statements-0003.json']);
        const batches = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { statements: unknown[] });
        assert.deepEqual(
          batches.map((b) => b.statements.length),
          [100, 100, 5],
        );
        for (const batch of batches) {
          assert.deepEqual(Object.keys(batch), ['statements']);
          for (const s of batch.statements) assert.equal(statementSchema.safeParse(s).success, true);
        }
        const puids = batches.flatMap((b) => b.statements.map((s) => (s as { puid: string }).puid));
        assert.equal(new Set(puids).size, 205);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      // The earlier statements are outside this period; the whole month holds them all.
      let all = 0;
      for await (const batch of t.ctx.statements.batches({ from: '2026-12-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' })) all += batch.statements.length;
      assert.equal(all, 205 + 6);
    });

    it('refuses a period whose end is not after its start, saying which option to fix', async () => {
      await assert.rejects(reportSor(t.ctx, { from: '2026-12-11T00:00:00Z', to: '2026-12-10T00:00:00Z' }), /options\.to from must be before to/);
      await assert.rejects(reportSor(t.ctx, { from: 'yesterday', to: '2026-12-10T00:00:00Z' }), /options\.from/);
    });
  });
}
