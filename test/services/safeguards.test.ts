import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe } from 'node:test';

import { type AppContext, createAppContext } from '../../src/app-context.js';
import { readConfig } from '../../src/config.js';
import { ManualClock } from '../../src/domain/clock.js';
import { signSafeguardsReport } from '../../src/domain/safeguards-report.js';
import type { DecideFn } from '../../src/eval/common.js';
import { type EvaluationSet, SafeguardsService } from '../../src/services/safeguards.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

// The first held-out round: imperfect figures (neither rate is 0 or 1), so an edit always shows.
const DEV = 'corpus/text/heldout/round-1.tsv';

for (const factory of STORE_FACTORIES) {
  describe(`safeguards reports on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    let t: TestApp;
    let scratch: AppContext;
    let service: SafeguardsService;
    const clock = new ManualClock(new Date('2026-12-03T09:00:00Z'));
    const sets: EvaluationSet[] = [{ path: DEV, text: readFileSync(DEV, 'utf8') }];
    before(async () => {
      if (factory.skip) return;
      t = await startTestApp(store(), { clock });
      // The deployment's chain holds real decisions; the measurement runs on a scratch store.
      await t.ctx.screening.screenRequest({ prompt: 'put her in a bikini', images: [], subject: 'adult' }, 'test');
      await t.ctx.screening.screenRequest({ prompt: 'a lighthouse', images: [], subject: 'none' }, 'test');
      scratch = await createAppContext(readConfig({}, { db: ':memory:', imageDetectors: false }));
      const decide: DecideFn = async (prompt, subject) => {
        const record = await scratch.screening.screenRequest({ prompt, images: [], subject }, 'safeguards');
        return { decision: record.decision, categories: record.categories };
      };
      service = new SafeguardsService({
        software: { name: 'perisai', version: 'test' },
        policy: t.ctx.policy,
        clockRules: t.ctx.clockRules,
        textDetector: t.ctx.textDetector,
        imageDetectors: ['fake'],
        audit: t.ctx.audit,
        signer: t.ctx.auditKey,
        clock,
        decide,
        transparency: async (period) => ({ period_checked: period.from }),
      });
    });
    after(async () => {
      await scratch?.close();
      await t?.close();
    });

    it('states versions, measured figures and the signed chain head, and verifies', async () => {
      const head = (await t.ctx.audit.checkpoint()).seq;
      const report = await service.build({ sets, period: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' } });
      assert.equal(report.policy.version, t.ctx.policy.version);
      assert.equal(report.clocks.version, t.ctx.clockRules.version);
      assert.equal(report.generated_at, '2026-12-03T09:00:00.000Z');
      assert.equal(report.audit_chain.seq, head, 'the chain as it stood: measuring never writes to it');
      assert.ok(head >= 2);
      assert.deepEqual(report.transparency, { period_checked: '2026-11-01T00:00:00.000Z' });
      const [figures] = report.evaluation;
      assert.ok(figures);
      assert.equal(figures.rows, 1000);
      assert.equal(figures.block_rate.of + figures.false_block_rate.of, 1000);
      assert.ok(figures.block_rate.rate !== null && figures.block_rate.rate > 0.5 && figures.block_rate.rate < 1, JSON.stringify(figures));
      assert.ok(figures.false_block_rate.count > 0, JSON.stringify(figures));

      const result = await service.verify(service.parse(JSON.stringify(report)), sets, t.ctx.auditKey().publicKey);
      assert.deepEqual(result.problems, []);
      assert.equal(result.ok, true);
      assert.equal(result.signerTrusted, true);
    });

    it('fails when a figure was edited after signing', async () => {
      const report = await service.build({ sets });
      const edited = structuredClone(report);
      edited.evaluation[0]!.false_block_rate.count = 0;
      edited.evaluation[0]!.false_block_rate.rate = 0;
      const result = await service.verify(edited, sets);
      assert.equal(result.ok, false);
      assert.match(result.problems[0] ?? '', /changed after it was signed/);
      assert.ok(result.problems.some((problem) => /false_block_rate 0\//.test(problem)));
    });

    it('fails when the operator re-signs better figures with their own key: measuring again disagrees', async () => {
      const report = await service.build({ sets });
      const { key_id: _k, public_key: _p, signature: _s, ...unsigned } = report;
      const better = structuredClone(unsigned);
      better.evaluation[0]!.block_rate.count = better.evaluation[0]!.block_rate.of;
      better.evaluation[0]!.block_rate.rate = 1;
      const resigned = signSafeguardsReport(t.ctx.auditKey(), better);
      const result = await service.verify(resigned, sets, t.ctx.auditKey().publicKey);
      assert.equal(result.signature.ok, true);
      assert.equal(result.ok, false);
      assert.match(result.problems.join('\n'), /block_rate \d+\/\d+, measured again/);
    });

    it('fails with another signer than the trusted key, and with an edited evaluation set', async () => {
      const report = await service.build({ sets });
      const stranger = generateKeyPairSync('ed25519').publicKey;
      const signedByOther = await service.verify(report, sets, stranger);
      assert.equal(signedByOther.ok, false);
      assert.match(signedByOther.problems[0] ?? '', /not by the trusted audit key/);
      const editedSet = await service.verify(report, [{ path: DEV, text: `${sets[0]!.text}en\tnone\tnone\t0\t0\t0\t0\ta red bicycle\n` }]);
      assert.equal(editedSet.ok, false);
      assert.match(editedSet.problems.join('\n'), /was not found/);
    });

    it('refuses to build without an evaluation set, and names a malformed one', async () => {
      await assert.rejects(service.build({ sets: [] }), /at least one evaluation set/);
      await assert.rejects(service.build({ sets: [{ path: 'bad.tsv', text: 'not\ta\tvalid\nfile' }] }), (error: Error) => /bad\.tsv/.test(error.message));
    });
  });
}
