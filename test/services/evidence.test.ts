import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe } from 'node:test';

import { type AppContext, createAppContext } from '../../src/app-context.js';
import { readConfig } from '../../src/config.js';
import { ManualClock } from '../../src/domain/clock.js';
import { digestDecisionRecord } from '../../src/domain/decision-record.js';
import { isPerisaiError } from '../../src/domain/errors.js';
import type { JobRecord } from '../../src/services/jobs.js';
import { parseInput } from '../../src/services/parse-input.js';
import { screenRequestSchema } from '../../src/services/screen-request.js';
import { UnitOfWork } from '../../src/services/unit-of-work.js';
import { insertDecisions } from '../../src/store/repositories/decisions.js';
import { fakeImageAnalyser } from '../helpers/fake-image-analyser.js';
import { fixedTextDetector } from '../helpers/fixed-text-detector.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';
import { parseXml } from '../helpers/xml-parse.js';

const KEY = randomBytes(32).toString('base64');
const OTHER_KEY = randomBytes(32).toString('base64');
const DAY = 86_400_000;
// The detector double says this prompt sexualises a minor; the words themselves are neutral.
const PROMPT = 'a picture of the test subject number seven';
const textDetector = fixedTextDetector({
  [PROMPT]: {
    sexualisation: 'explicit',
    minorCues: true,
    evidence: [
      { signal: 'minor', rule: 'test.minor', start: 0, end: 9, text: 'a picture' },
      { signal: 'sexualisation', rule: 'test.sexual', start: 10, end: 16, text: 'of the', level: 'explicit' },
    ],
  },
});

function job(decisionId: string): JobRecord {
  return {
    id: 1,
    kind: 'escalate',
    subject: decisionId,
    payload: { decision_id: decisionId },
    status: 'running',
    attempts: 1,
    createdAt: '',
    runAfter: '',
    lastError: null,
    updatedAt: '',
  };
}

function code(error: unknown): string | undefined {
  return isPerisaiError(error) ? error.code : undefined;
}

for (const factory of STORE_FACTORIES) {
  describe(`evidence, escalation and retention on ${factory.name}`, () => {
    const store = useStore(factory);
    const test = testOn(factory);
    const opened: AppContext[] = [];
    after(async () => {
      for (const ctx of opened) await ctx.close();
    });

    async function context(clock: ManualClock, env: Record<string, string> = { PERISAI_EVIDENCE_KEY: KEY }): Promise<AppContext> {
      const ctx = await createAppContext(readConfig(env, { db: store().location, imageDetectors: false }), {
        store: store().store,
        clock,
        textDetector,
        imageAnalyser: fakeImageAnalyser(),
      });
      opened.push(ctx);
      return ctx;
    }

    async function escalatedScreening(ctx: AppContext, account: string, image: Buffer) {
      const request = parseInput(
        screenRequestSchema,
        { prompt: PROMPT, images: [{ data: image.toString('base64') }], requester: { id: account, country: 'US' } },
        'body',
      );
      const decision = await ctx.screening.screenRequest(request, 'test-key');
      assert.equal(decision.decision, 'block');
      assert.ok(decision.actions.includes('escalate'), 'the policy escalates it');
      return decision;
    }

    test('an escalated screening keeps its image encrypted; it opens with the key only; the package is built once', async () => {
      const clock = new ManualClock('2026-06-01T10:00:00.000Z');
      const ctx = await context(clock);
      // Noise bytes: the fake analyser never decodes them.
      const image = randomBytes(2048);
      const decision = await escalatedScreening(ctx, 'acct-evidence-1', image);
      const [item] = await ctx.evidence.linkedTo({ decisionId: decision.id });
      assert.ok(item, 'the image was kept');
      assert.equal(item.bytes, image.length);
      const row = await store().store.db.selectFrom('evidence').selectAll().where('id', '=', item.id).executeTakeFirstOrThrow();
      assert.ok(row.ciphertext && !Buffer.from(row.ciphertext).includes(image.subarray(0, 64)), 'the store holds no plaintext');
      assert.deepEqual(await ctx.evidence.read(item.id, 'test'), image);

      const wrong = await context(clock, { PERISAI_EVIDENCE_KEY: OTHER_KEY });
      await assert.rejects(
        wrong.evidence.read(item.id, 'test'),
        (error) => code(error) === 'evidence_unreadable' && /configure the key it was stored with/.test(String(error)),
      );
      const none = await context(clock, {});
      await assert.rejects(
        none.evidence.read(item.id, 'test'),
        (error) => code(error) === 'evidence_unreadable' && /No evidence key is configured/.test(String(error)),
      );
      // An altered ciphertext fails authentication, not silently.
      const altered = Buffer.from(row.ciphertext!);
      altered[0]! ^= 1;
      await store().store.db.updateTable('evidence').set({ ciphertext: altered }).where('id', '=', item.id).execute();
      await assert.rejects(ctx.evidence.read(item.id, 'test'), (error) => code(error) === 'evidence_unreadable' && /altered/.test(String(error)));
      await store().store.db.updateTable('evidence').set({ ciphertext: row.ciphertext }).where('id', '=', item.id).execute();

      const outbox = await store().store.db.selectFrom('outbox').select('kind').where('subject', '=', decision.id).execute();
      assert.ok(
        outbox.some((j) => j.kind === 'escalate'),
        'the decision enqueued an escalate job',
      );
      await ctx.escalations.escalateHandler(job(decision.id));
      await ctx.escalations.escalateHandler(job(decision.id));
      const packages = (await ctx.escalations.list()).filter((p) => p.decision_id === decision.id);
      assert.equal(packages.length, 1, 'a job run twice builds one package');
      const pkg = packages[0]!;
      assert.equal(pkg.submitted, false);
      const report = parseXml(pkg.report_xml);
      const person = report.children.find((c) => c.name === 'personOrUserReported')!;
      assert.equal(person.children.find((c) => c.name === 'espIdentifier')!.text, 'acct-evidence-1');
      assert.equal(pkg.file_details_xml.length, 1);
      const file = parseXml(pkg.file_details_xml[0]!);
      assert.equal(file.children.find((c) => c.name === 'originalFileHash')!.text, item.sha256);
      assert.ok(!file.children.some((c) => c.name === 'fileAnnotations'), 'a reference image is not generated');
      assert.deepEqual(
        pkg.evidence.map((e) => e.id),
        [item.id],
      );
      assert.ok(pkg.omitted.some((line) => line.includes('IP')));
      const audits = await store().store.db.selectFrom('audit_log').select('kind').where('subject', 'in', [item.id, pkg.id]).execute();
      assert.deepEqual(audits.map((a) => a.kind).sort(), ['escalation.prepared', 'evidence.kept', 'evidence.read']);
      assert.equal((await ctx.audit.verify()).ok, true);
    });

    test('evidence is purged after its retention, audited; a held item stays until released', async () => {
      const clock = new ManualClock('2026-07-01T10:00:00.000Z');
      const ctx = await context(clock);
      const held = await escalatedScreening(ctx, 'acct-evidence-2', randomBytes(512));
      const plain = await escalatedScreening(ctx, 'acct-evidence-3', randomBytes(512));
      const [heldItem] = await ctx.evidence.linkedTo({ decisionId: held.id });
      const [plainItem] = await ctx.evidence.linkedTo({ decisionId: plain.id });
      await ctx.evidence.hold(heldItem!.id, 'preservation request 2026-17', 'legal');
      clock.advance(364 * DAY);
      const early = await ctx.retention.run();
      assert.equal((await ctx.evidence.get(plainItem!.id)).purged_at, null, 'kept within the year');
      assert.ok(early.purged >= 0);
      clock.advance(2 * DAY);
      await ctx.retention.run();
      assert.notEqual((await ctx.evidence.get(plainItem!.id)).purged_at, null, 'purged after the year');
      await assert.rejects(ctx.evidence.read(plainItem!.id, 'test'), (error) => code(error) === 'conflict');
      const row = await store().store.db.selectFrom('evidence').select(['ciphertext', 'iv', 'tag']).where('id', '=', plainItem!.id).executeTakeFirstOrThrow();
      assert.deepEqual(row, { ciphertext: null, iv: null, tag: null });
      assert.equal((await ctx.evidence.get(heldItem!.id)).purged_at, null, 'the hold keeps it');
      const purgedEntries = await store().store.db.selectFrom('audit_log').select(['subject', 'actor']).where('kind', '=', 'evidence.purged').execute();
      assert.deepEqual(
        purgedEntries.filter((e) => e.subject === plainItem!.id),
        [{ subject: plainItem!.id, actor: 'retention' }],
      );
      assert.equal((await ctx.retention.run()).purged, 0, 'a second run purges nothing');
      await ctx.evidence.release(heldItem!.id, 'legal');
      assert.ok((await ctx.retention.run()).purged >= 1);
      assert.notEqual((await ctx.evidence.get(heldItem!.id)).purged_at, null);
      assert.equal((await ctx.audit.verify()).ok, true);
    });

    test('an escalation restarts the evidence retention', async () => {
      const clock = new ManualClock('2026-08-01T10:00:00.000Z');
      const ctx = await context(clock);
      const decision = await escalatedScreening(ctx, 'acct-evidence-4', randomBytes(256));
      clock.advance(200 * DAY);
      await ctx.escalations.fromDecision(decision.id, 'policy');
      const [item] = await ctx.evidence.linkedTo({ decisionId: decision.id });
      assert.equal(item!.retain_until, new Date(clock.now().getTime() + 365 * DAY).toISOString());
    });

    test('without an evidence key nothing is kept, and the package says so', async () => {
      const clock = new ManualClock('2026-09-01T10:00:00.000Z');
      const ctx = await context(clock, {});
      const decision = await escalatedScreening(ctx, 'acct-evidence-5', randomBytes(256));
      assert.deepEqual(await ctx.evidence.linkedTo({ decisionId: decision.id }), []);
      const pkg = await ctx.escalations.get(await ctx.escalations.fromDecision(decision.id, 'policy'));
      assert.ok(pkg.omitted.some((line) => line.includes('no evidence key')));
    });

    test('prompts are redacted after their retention and the chain still verifies; an edited row does not', async () => {
      const clock = new ManualClock('2026-10-01T10:00:00.000Z');
      const ctx = await context(clock, { PERISAI_EVIDENCE_KEY: KEY, PERISAI_PROMPT_RETENTION_DAYS: '30' });
      const decision = await escalatedScreening(ctx, 'acct-redact-1', randomBytes(128));
      clock.advance(29 * DAY);
      const early = await ctx.retention.redactPrompts();
      assert.equal((await ctx.screening.decision(decision.id))!.prompt, PROMPT, 'kept within the retention');
      assert.ok(early.redacted >= 0);
      clock.advance(2 * DAY);
      const run = await ctx.retention.redactPrompts();
      assert.ok(run.redacted >= 1);
      const redacted = (await ctx.screening.decision(decision.id))!;
      assert.equal(redacted.prompt, null);
      assert.equal(redacted.decision, 'block');
      assert.deepEqual(
        redacted.signals.text!.evidence.map((e) => [e.rule, e.start, e.end, e.text]),
        [
          ['test.minor', 0, 9, ''],
          ['test.sexual', 10, 16, ''],
        ],
      );
      assert.ok(!JSON.stringify(redacted).includes('test subject'), 'no quoted prompt text is left');
      const entry = await store()
        .store.db.selectFrom('audit_log')
        .select('payload')
        .where('kind', '=', 'decisions.redacted')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      assert.ok((JSON.parse(entry.payload) as { decisions: string[] }).decisions.includes(decision.id));
      assert.equal((await ctx.retention.redactPrompts()).redacted, 0, 'redaction happens once');
      const verified = await ctx.audit.verify();
      assert.equal(verified.ok, true, 'a redacted decision verifies');

      // Tampering with a redacted row (block → allow) matches neither digest.
      await store().store.db.updateTable('decisions').set({ decision: 'allow' }).where('id', '=', decision.id).execute();
      const tampered = await ctx.audit.verify();
      assert.equal(tampered.ok, false);
      assert.equal(!tampered.ok && tampered.firstBreak.reason, 'record_changed');
      await store().store.db.updateTable('decisions').set({ decision: 'block' }).where('id', '=', decision.id).execute();
      // Nor does a "redaction" that keeps the prompt but drops the evidence (not the form Perisai writes).
      await store().store.db.updateTable('decisions').set({ prompt: 'something else' }).where('id', '=', decision.id).execute();
      assert.equal((await ctx.audit.verify()).ok, false);
      await store().store.db.updateTable('decisions').set({ prompt: null }).where('id', '=', decision.id).execute();
      assert.equal((await ctx.audit.verify()).ok, true);
    });

    test('a decision recorded before entries carried a redacted digest is left as it is, and the chain still verifies', async () => {
      const clock = new ManualClock('2026-11-01T10:00:00.000Z');
      const ctx = await context(clock, { PERISAI_PROMPT_RETENTION_DAYS: '30' });
      const recent = await escalatedScreening(ctx, 'acct-redact-2', randomBytes(64));
      // Written as the recorder wrote decisions before this change: record_sha256 only.
      const old = { ...recent, id: `${recent.id.slice(0, -4)}0ld0`, prompt: 'an older prompt' };
      await new UnitOfWork(store().store, clock).run(async (tx) => {
        await tx.audit([{ kind: 'decision', subject: old.id, actor: 'test-key', payload: { record_sha256: digestDecisionRecord(old) } }]);
        await insertDecisions(tx.db, [old]);
      });
      clock.advance(31 * DAY);
      const run = await ctx.retention.redactPrompts();
      assert.ok(run.skipped >= 1);
      assert.equal((await ctx.screening.decision(old.id))!.prompt, 'an older prompt');
      assert.equal((await ctx.screening.decision(recent.id))!.prompt, null);
      assert.equal((await ctx.audit.verify()).ok, true);
    });
  });
}
