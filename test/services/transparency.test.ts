import assert from 'node:assert/strict';
import { after, before, describe, it as unit } from 'node:test';

import { ManualClock } from '../../src/domain/clock.js';
import { percentile, type TransparencyReport } from '../../src/domain/transparency.js';
import { createBankSchema } from '../../src/services/banks.js';
import { reportBodySchema } from '../../src/services/reports.js';
import { screenRequestSchema } from '../../src/services/screen-request.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { fakeImageAnalyser } from '../helpers/fake-image-analyser.js';
import { fixedTextDetector } from '../helpers/fixed-text-detector.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

const HOUR = 3_600_000;
const T0 = '2026-11-02T00:00:00.000Z';
const at = (hours: number) => new Date(Date.parse(T0) + hours * HOUR).toISOString();
const NOVEMBER = { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' };
const KNOWN = Buffer.from('an image already in the takedown bank');
const KNOWN_PDQ = '69'.repeat(32);

/** A strict RFC 4180 reader: quoted cells, doubled quotes, CRLF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  assert.equal(cell + row.join(''), '', 'the CSV ends with CRLF');
  return rows;
}

describe('percentiles', () => {
  unit('interpolate between closest ranks, and are null without values', () => {
    assert.equal(percentile([], 0.5), null);
    assert.equal(percentile([7], 0.9), 7);
    assert.equal(percentile([1, 3, 10, 40], 0.5), 6.5);
    assert.equal(percentile([0, 1, 3, 10, 40], 0.5), 3);
    assert.equal(Math.round(percentile([0, 1, 3, 10, 40], 0.9)! * 1e6) / 1e6, 28);
  });
});

for (const factory of STORE_FACTORIES) {
  describe(`transparency figures on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    const clock = new ManualClock(T0);
    const analyser = fakeImageAnalyser();
    let t: TestApp;
    let reportsKey: string;
    let report: TransparencyReport;

    const submit = (body: Record<string, unknown>) =>
      t.ctx.reports.submit(
        reportBodySchema.parse({
          reporter: { type: 'depicted_person', name: 'A Person', email: 'a@example.org' },
          jurisdiction: 'DE',
          category: 'ncii',
          explanation: 'mine',
          good_faith: true,
          ...body,
        }),
        { authenticated: false, actor: 'public' },
      );
    const screen = (prompt: string, subject: string) =>
      t.ctx.screening.screenRequest(screenRequestSchema.parse({ prompt, subject, jurisdiction: 'DE' }), 'key_screen');

    before(async () => {
      if (factory.skip) return;
      analyser.set(KNOWN, { pdq: { hash: KNOWN_PDQ, quality: 90 } });
      const textDetector = fixedTextDetector({ 'undress her': { sexualisation: 'explicit', targetsRealPerson: true }, boom: 'throw' });
      t = await startTestApp(store(), { clock, imageAnalyser: analyser, textDetector });
      reportsKey = (await t.ctx.apiKeys.create('regulator portal', ['reports'], 'test')).secret;

      // The script: every figure below follows from these steps and their times.
      for (const prompt of ['a lighthouse', 'a red kite', 'a bowl of pears']) assert.equal((await screen(prompt, 'none')).decision, 'allow');
      for (let i = 0; i < 2; i++) assert.equal((await screen('undress her', 'adult')).decision, 'block');
      assert.equal((await screen('boom', 'none')).decision, 'review');
      const c1 = (await submit({ content: { id: 'c1' } })).case_id;
      const c2 = (await submit({ content: { id: 'c2' } })).case_id;
      const c3 = (await submit({ reporter: { type: 'user' }, content: { id: 'c3' } })).case_id;
      const c4 = (await submit({ reporter: { type: 'trusted_flagger', name: 'Hotline' }, content: { id: 'c4' } })).case_id;
      await t.ctx.banks.create(createBankSchema.parse({ name: 'takedowns', purpose: 'takedown' }), 'test');
      await t.ctx.banks.import('takedowns', [{ pdq: KNOWN_PDQ, quality: 90 }], 'test');
      const remove = { type: 'remove', reason: 'Violates the law.' } as const;
      clock.set(at(1));
      await t.ctx.cases.act(c1, remove, 'reviewer-1');
      clock.set(at(2));
      await t.ctx.cases.act(c1, { type: 'notify', message: 'Removed.' }, 'reviewer-1');
      clock.set(at(3));
      await t.ctx.cases.act(c2, remove, 'reviewer-2');
      clock.set(at(5));
      // Known content, reported by a user: removed automatically on receipt (0 s to action).
      const auto = await submit({ reporter: { type: 'user' }, category: 'nudity', content: { image: KNOWN.toString('base64') } });
      assert.ok(auto.removed_automatically);
      clock.set(at(10));
      await t.ctx.cases.act(c4, remove, 'reviewer-1');
      clock.set(at(20));
      // A regulator reports content already removed: it joins the actioned case and waits for nothing.
      assert.equal((await submit({ reporter: { type: 'regulator', name: 'Authority' }, content: { id: 'c1' } })).case_id, c1);
      clock.set(at(30));
      await t.ctx.cases.act(c3, { type: 'decline', reason: 'Not intimate imagery.' }, 'reviewer-2');
      clock.set(at(31));
      await t.ctx.cases.act(c3, { type: 'appeal', reason: 'It is me.' }, 'platform');
      clock.set(at(40));
      await t.ctx.cases.act(c3, remove, 'reviewer-3');
      // After the period: neither counted nor able to change November's figures.
      clock.set('2026-12-05T00:00:00.000Z');
      await t.ctx.cases.act(c1, { type: 'close' }, 'reviewer-1');
      await submit({ content: { id: 'c9' } });
      await screen('undress her', 'adult');
      report = await t.ctx.transparency.report(NOVEMBER);
    });
    after(async () => t?.close());

    it('the totals are exactly what the script did', async () => {
      const f = report.totals;
      assert.deepEqual(f.screenings, { total: 6, by_outcome: { allow: 3, review: 1, block: 2 } });
      assert.deepEqual(f.reports, { total: 6, by_reporter_type: { depicted_person: 2, user: 2, trusted_flagger: 1, regulator: 1, law_enforcement: 0 } });
      assert.deepEqual(f.actions, { total: 7, by_type: { remove: 5, bank: 0, decline: 1, escalate: 0, notify: 1, close: 0 }, automated: 1, human: 6 });
      assert.deepEqual(f.statements, {
        total: 7,
        by_restriction: { content_removed: 5, content_disabled: 0, generation_refused: 2, account_suspended: 0, account_terminated: 0 },
        automated: 3,
        human: 4,
      });
      // Times to action: 0 h (automatic), 1 h, 3 h, 10 h, 40 h (c3, after the appeal reversed its decline).
      assert.deepEqual(f.time_to_action, { actioned: 5, already_actioned: 1, median_seconds: 3 * 3600, p90_seconds: 28 * 3600 });
      // Deadlines of 24 h: c3's decline came at 30 h.
      assert.deepEqual(f.deadline, { due: 5, met: 4, share: 0.8 });
      assert.deepEqual(f.appeals, { received: 1, decided: 1, reversed: 1 });
      assert.deepEqual(report.period, NOVEMBER);
    });

    it('splits by jurisdiction and category', async () => {
      const keys = report.groups.map((g) => `${g.jurisdiction}/${g.category}`);
      assert.deepEqual(keys, ['DE/ncii', 'DE/none', 'DE/nudity', 'DE/other', 'DE/sexual_deepfake']);
      const group = (category: string) => report.groups.find((g) => g.category === category)!;
      assert.equal(group('none').screenings.by_outcome.allow, 3);
      assert.equal(group('other').screenings.by_outcome.review, 1);
      assert.equal(group('sexual_deepfake').screenings.by_outcome.block, 2);
      assert.equal(group('sexual_deepfake').statements.by_restriction.generation_refused, 2);
      const ncii = group('ncii');
      assert.equal(ncii.reports.total, 5);
      assert.deepEqual(ncii.time_to_action, { actioned: 4, already_actioned: 1, median_seconds: 6.5 * 3600, p90_seconds: 31 * 3600 });
      assert.deepEqual(ncii.deadline, { due: 4, met: 3, share: 0.75 });
      assert.deepEqual(ncii.appeals, { received: 1, decided: 1, reversed: 1 });
      const nudity = group('nudity');
      assert.deepEqual(nudity.actions.by_type.remove, 1);
      assert.equal(nudity.actions.automated, 1);
      assert.deepEqual(nudity.time_to_action, { actioned: 1, already_actioned: 0, median_seconds: 0, p90_seconds: 0 });
    });

    it('GET /v1/transparency answers the same figures to scope reports, as JSON or parseable CSV', async () => {
      const url = `/v1/transparency?from=${NOVEMBER.from}&to=${NOVEMBER.to}`;
      const get = (path: string, key: string) => t.app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${key}` } });
      const json = await get(url, reportsKey);
      assert.equal(json.statusCode, 200, json.body);
      assert.deepEqual(json.json(), report);
      const csv = await get(`${url}&format=csv`, reportsKey);
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      const [header, ...rows] = parseCsv(csv.body);
      assert.ok(header && rows.length === report.groups.length + 1);
      for (const row of rows) assert.equal(row.length, header.length);
      const total = Object.fromEntries(header.map((name, i) => [name, rows.at(-1)![i]]));
      assert.equal(total.jurisdiction, 'ALL');
      assert.equal(total.screenings_by_outcome_block, '2');
      assert.equal(total.reports_by_reporter_type_regulator, '1');
      assert.equal(total.time_to_action_median_seconds, '10800');
      assert.equal(total.deadline_share, '0.8');
      assert.equal(total.appeals_reversed, '1');
      assert.equal(total.period_from, NOVEMBER.from);
      assert.equal(rows[0]![header.indexOf('category')], 'ncii');
      assert.equal((await get(url, t.keys.screen)).statusCode, 403);
      const bad = await get('/v1/transparency?from=last-week&to=2026-12-01T00:00:00Z', reportsKey);
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().message, /query\.from/);
    });
  });
}
