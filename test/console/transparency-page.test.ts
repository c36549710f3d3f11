import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ManualClock } from '../../src/domain/clock.js';
import type { Figures, TransparencyReport } from '../../src/domain/transparency.js';
import { DASHBOARD_WEEKS, dashboardSeries } from '../../src/http/console/transparency-page.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TEST_SCRYPT } from '../helpers/console.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

function figures(patch: { block?: number; reports?: number; due?: number; met?: number }): Figures {
  return {
    screenings: { total: patch.block ?? 0, by_outcome: { allow: 0, review: 0, block: patch.block ?? 0 } },
    reports: {
      total: patch.reports ?? 0,
      by_reporter_type: { depicted_person: patch.reports ?? 0, user: 0, trusted_flagger: 0, regulator: 0, law_enforcement: 0 },
    },
    actions: { total: 0, by_type: { remove: 0, bank: 0, decline: 0, escalate: 0, notify: 0, close: 0 }, automated: 0, human: 0 },
    statements: { total: 0, by_restriction: {} as Figures['statements']['by_restriction'], automated: 0, human: 0 },
    time_to_action: { actioned: 0, already_actioned: 0, median_seconds: null, p90_seconds: null },
    deadline: { due: patch.due ?? 0, met: patch.met ?? 0, share: null },
    appeals: { received: 0, decided: 0, reversed: 0 },
  };
}

function week(from: string, groups: Array<{ jurisdiction: string; category: string } & Parameters<typeof figures>[0]>): TransparencyReport {
  return {
    period: { from: `${from}T00:00:00.000Z`, to: `${from}T00:00:00.000Z` },
    generated_at: from,
    totals: figures({}),
    groups: groups.map(({ jurisdiction, category, ...patch }) => ({ jurisdiction, category, ...figures(patch) })),
  };
}

test('the dashboard series: refusals per category, reports and the share within the deadline per jurisdiction, one value per week', () => {
  const series = dashboardSeries([
    week('2026-11-01', [
      { jurisdiction: 'ID', category: 'sexual_deepfake', block: 3, reports: 2, due: 2, met: 1 },
      { jurisdiction: 'IN', category: 'ncii', reports: 1, due: 1, met: 1 },
    ]),
    week('2026-11-08', [{ jurisdiction: 'ID', category: 'sexual_deepfake', block: 1 }]),
  ]);
  assert.deepEqual(series.weeks, ['2026-11-01', '2026-11-08']);
  assert.deepEqual(series.blocked, { sexual_deepfake: [3, 1] });
  assert.deepEqual(series.reports, { ID: [2, 0], IN: [1, 0] });
  assert.deepEqual(series.withinDeadline, { ID: [50, null], IN: [100, null] }, 'no report due that week: no share, not 0%');
});

const decodeAttribute = (value: string) =>
  value.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

for (const factory of STORE_FACTORIES) {
  describe(`the transparency dashboard on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    const clock = new ManualClock('2026-12-02T10:00:00.000Z');
    let t: TestApp;
    before(async () => {
      if (factory.skip) return;
      t = await startTestApp(store(), { clock, consoleUsers: { scrypt: TEST_SCRYPT, maxFailures: 3, lockMinutes: 15 } }, { reportRateLimit: 1000 });
    });
    after(async () => t?.close());

    it('shows what the service did, from the transparency figures, in tables under the charts and in the page data', async () => {
      await t.ctx.screening.screenRequest({ prompt: 'put her in a bikini', images: [], subject: 'adult', jurisdiction: 'ID' }, 'test');
      const receipt = await t.app.inject({
        method: 'POST',
        url: '/v1/reports',
        payload: { reporter: { type: 'depicted_person', email: 'v@example.org' }, jurisdiction: 'ID', category: 'ncii', content: { id: 'post-dash-1' } },
      });
      assert.equal(receipt.statusCode, 201, receipt.body);
      clock.advance(30 * 60_000);
      await t.ctx.cases.act(receipt.json().case_id, { type: 'remove', reason: 'Intimate image shared without consent.' }, 'reviewer');

      const res = await t.app.inject({ method: 'GET', url: '/console/transparency' });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(res.body, /<html lang="en">/);
      assert.match(res.body, /src="\/console\/assets\/vendor\/uplot\.js"/);
      const data = JSON.parse(decodeAttribute(/id="transparency-data" hidden data-series="([^"]*)"/.exec(res.body)![1]!)) as ReturnType<typeof dashboardSeries>;
      assert.equal(data.weeks.length, DASHBOARD_WEEKS);
      assert.equal(data.blocked['sexual_deepfake']!.at(-1), 1, 'this week holds the refused request');
      assert.equal(data.reports['ID']!.at(-1), 1);
      assert.equal(data.withinDeadline['ID']!.at(-1), 100, 'removed 30 minutes after the report, within its clock');
      assert.match(res.body, /<th scope="row">ID<\/th>\s*<td>1<\/td>\s*<td>30 min<\/td>/);

      const indonesian = await t.app.inject({ method: 'GET', url: '/console/transparency', headers: { 'accept-language': 'id-ID,id;q=0.9' } });
      assert.match(indonesian.body, /<html lang="id">/);
      assert.match(indonesian.body, /Transparansi/);
    });

    it('the landing page links every public page and the sign-in', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/console' });
      assert.equal(res.statusCode, 200);
      for (const href of ['/console/report', '/console/consent', '/console/transparency', '/console/login'])
        assert.ok(res.body.includes(`href="${href}"`), href);
    });
  });
}

describe('the transparency dashboard behind sign-in', () => {
  const sqlite = STORE_FACTORIES[0]!;
  const store = useStore(sqlite);
  let t: TestApp;
  before(async () => {
    t = await startTestApp(store(), { consoleUsers: { scrypt: TEST_SCRYPT, maxFailures: 3, lockMinutes: 15 } }, { consoleTransparency: 'login' });
  });
  after(async () => t?.close());

  test('PERISAI_CONSOLE_TRANSPARENCY=login sends a visitor to sign in, and shows it to a signed-in user', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/console/transparency' });
    assert.equal(anonymous.statusCode, 303);
    assert.equal(anonymous.headers.location, '/console/login?next=%2Fconsole%2Ftransparency');
    await t.ctx.consoleUsers.create('dash@example.org', 'reviewer', 'a long enough passphrase', 'test');
    const { token } = await t.ctx.consoleUsers.login('dash@example.org', 'a long enough passphrase', { address: '127.0.0.1' });
    const signedIn = await t.app.inject({ method: 'GET', url: '/console/transparency', headers: { cookie: `perisai_session=${token}` } });
    assert.equal(signedIn.statusCode, 200, signedIn.body.slice(0, 300));
  });
});
