import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import fc from 'fast-check';

import { alertsDue, type ClockQuery, type ClockRules, clockView, deadlineOf, resolveClock } from '../../src/domain/clocks/index.js';
import type { ReportCategory, ReporterType } from '../../src/domain/reports.js';
import { parseClockRules, shippedClockRules } from '../../src/policy/clocks-file.js';

function rulesFrom(yaml: string): ClockRules {
  const result = parseClockRules(yaml);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules;
}

const SOURCE = 'source: { title: T, citation: C }';

function query(jurisdiction: string, reporterType: ReporterType, category: ReportCategory, at = '2026-12-01T00:00:00Z'): ClockQuery {
  return { jurisdiction, reporterType, category, at: new Date(at) };
}

describe('resolveClock', () => {
  const rules = rulesFrom(
    [
      'rules:',
      `  - { id: default, hours: 24, basis: target, ${SOURCE} }`,
      `  - { id: xx, when: { jurisdiction: XX }, hours: 12, basis: target, ${SOURCE} }`,
      `  - { id: xx-ncii, when: { jurisdiction: XX, categories: [ncii] }, hours: 6, basis: statutory, ${SOURCE} }`,
      `  - { id: xx-ncii-reg, when: { jurisdiction: XX, categories: [ncii], reporter_types: [regulator] }, hours: 10, basis: statutory, ${SOURCE} }`,
      `  - { id: xx-reg-a, when: { jurisdiction: XX, reporter_types: [law_enforcement] }, hours: 5, basis: statutory, ${SOURCE} }`,
      `  - { id: xx-reg-b, when: { jurisdiction: XX, reporter_types: [law_enforcement] }, hours: 3, basis: statutory, ${SOURCE} }`,
      `  - { id: eu, when: { jurisdiction: EU }, hours: 20, basis: target, ${SOURCE} }`,
      `  - { id: de, when: { jurisdiction: DE }, hours: 30, basis: target, ${SOURCE} }`,
      `  - { id: later, when: { jurisdiction: YY }, hours: 2, basis: statutory, source: { title: T, citation: C, in_force_from: '2026-06-01' } }`,
    ].join('\n'),
  );

  test('the most specific matching rule wins, even when a less specific one is shorter', () => {
    assert.equal(resolveClock(rules, query('ZZ', 'user', 'ncii')).id, 'default');
    assert.equal(resolveClock(rules, query('XX', 'user', 'other')).id, 'xx');
    assert.equal(resolveClock(rules, query('XX', 'user', 'ncii')).id, 'xx-ncii');
    // Three dimensions beat two, though 10 h is longer than xx-ncii's 6 h.
    assert.equal(resolveClock(rules, query('XX', 'regulator', 'ncii')).id, 'xx-ncii-reg');
  });

  test('equally specific rules give the shortest deadline (fail closed)', () => {
    const rule = resolveClock(rules, query('XX', 'law_enforcement', 'other'));
    assert.equal(rule.id, 'xx-reg-b');
    assert.equal(rule.hours, 3);
  });

  test('a country rule beats the EU rule for a member state; the EU rule covers members without their own', () => {
    assert.equal(resolveClock(rules, query('DE', 'user', 'other')).id, 'de');
    assert.equal(resolveClock(rules, query('IT', 'user', 'other')).id, 'eu');
    assert.equal(resolveClock(rules, query('EU', 'user', 'other')).id, 'eu');
    assert.equal(resolveClock(rules, query('CH', 'user', 'other')).id, 'default', 'Switzerland is not in the EU');
  });

  test('a rule applies only to cases opened on or after its in_force_from day (UTC)', () => {
    assert.equal(resolveClock(rules, query('YY', 'user', 'other', '2026-05-31T23:59:59.999Z')).id, 'default');
    assert.equal(resolveClock(rules, query('YY', 'user', 'other', '2026-06-01T00:00:00Z')).id, 'later');
  });

  test('a ceiling rule caps a more specific, longer one', () => {
    const capped = rulesFrom(
      [
        'rules:',
        `  - { id: default, hours: 24, basis: target, ${SOURCE} }`,
        `  - { id: cap, when: { categories: [csam] }, hours: 1, basis: target, ceiling: true, ${SOURCE} }`,
        `  - { id: aa-reg, when: { jurisdiction: AA, reporter_types: [regulator] }, hours: 24, basis: statutory, ${SOURCE} }`,
      ].join('\n'),
    );
    assert.equal(resolveClock(capped, query('AA', 'regulator', 'csam')).id, 'cap');
    assert.equal(resolveClock(capped, query('AA', 'regulator', 'ncii')).id, 'aa-reg');
  });

  test('deadlineOf adds the rule hours, fractions included', () => {
    const opened = new Date('2026-03-01T10:00:00Z');
    assert.equal(deadlineOf({ ...resolveClock(rules, query('XX', 'law_enforcement', 'other')) }, opened).toISOString(), '2026-03-01T13:00:00.000Z');
    assert.equal(deadlineOf({ id: 'h', hours: 0.5, basis: 'target', source: { title: 'T', citation: 'C' } }, opened).toISOString(), '2026-03-01T10:30:00.000Z');
  });
});

describe('the shipped clock rules', () => {
  let shipped: ClockRules;
  before(async () => {
    shipped = await shippedClockRules();
  });

  test('are versioned by content hash', () => {
    assert.match(shipped.version, /^clocks@[0-9a-f]{12}$/);
    assert.deepEqual(shipped.alerts.remainingFractions, [0.25]);
  });

  const cases: Array<{ rule: string; q: ClockQuery; hours: number; basis: 'statutory' | 'target' }> = [
    { rule: 'default', q: query('BR', 'user', 'other'), hours: 24, basis: 'target' },
    { rule: 'csam-everywhere', q: query('BR', 'user', 'csam'), hours: 1, basis: 'target' },
    { rule: 'us-take-it-down', q: query('US', 'depicted_person', 'ncii', '2026-05-20T09:00:00Z'), hours: 48, basis: 'statutory' },
    { rule: 'in-ncii-2h', q: query('IN', 'depicted_person', 'sexual_deepfake'), hours: 2, basis: 'statutory' },
    { rule: 'in-orders-3h', q: query('IN', 'law_enforcement', 'other'), hours: 3, basis: 'statutory' },
    { rule: 'eu-dsa', q: query('NL', 'trusted_flagger', 'ncii'), hours: 24, basis: 'target' },
    { rule: 'fr-lcen', q: query('FR', 'user', 'ncii'), hours: 24, basis: 'target' },
    { rule: 'my-osa', q: query('MY', 'user', 'nudity'), hours: 24, basis: 'target' },
    { rule: 'gb-osa', q: query('GB', 'user', 'ncii'), hours: 24, basis: 'target' },
    { rule: 'au-esafety-removal', q: query('AU', 'regulator', 'ncii'), hours: 24, basis: 'statutory' },
    { rule: 'appeal', q: { ...query('IN', 'depicted_person', 'csam'), appeal: true }, hours: 72, basis: 'target' },
  ];

  test('an appeal runs on the appeal rule wherever it is, never under the csam ceiling; an ordinary case never on the appeal rule', () => {
    for (const [jurisdiction, category] of [
      ['NL', 'ncii'],
      ['US', 'sexual_deepfake'],
      ['BR', 'csam'],
    ] as const) {
      assert.equal(resolveClock(shipped, { ...query(jurisdiction, 'user', category), appeal: true }).id, 'appeal');
      assert.notEqual(resolveClock(shipped, query(jurisdiction, 'user', category)).id, 'appeal');
    }
    // Rules without an appeal rule: appeals fall back to the ordinary ones.
    const noAppealRule = { ...shipped, rules: shipped.rules.filter((r) => r.id !== 'appeal') };
    assert.equal(resolveClock(noAppealRule, { ...query('BR', 'user', 'other'), appeal: true }).id, 'default');
  });

  test('every shipped rule has a test below', () => {
    assert.deepEqual(cases.map((c) => c.rule).sort(), shipped.rules.map((r) => r.id).sort());
  });

  for (const c of cases) {
    test(`${c.rule}: ${c.q.jurisdiction} ${c.q.reporterType} ${c.q.category} → ${c.hours} h ${c.basis}`, () => {
      const rule = resolveClock(shipped, c.q);
      assert.equal(rule.id, c.rule);
      assert.equal(rule.hours, c.hours);
      assert.equal(rule.basis, c.basis);
      assert.ok(rule.source.title.length > 0 && rule.source.citation.length > 0);
    });
  }

  test('the TAKE IT DOWN Act binds platforms from 19 May 2026; before, the default applies', () => {
    const opened18 = resolveClock(shipped, query('US', 'depicted_person', 'ncii', '2026-05-18T12:00:00Z'));
    const opened20 = resolveClock(shipped, query('US', 'depicted_person', 'ncii', '2026-05-20T12:00:00Z'));
    assert.equal(opened18.id, 'default');
    assert.equal(opened18.hours, 24);
    assert.equal(opened20.id, 'us-take-it-down');
    assert.equal(opened20.source.in_force_from, '2026-05-19');
    assert.equal(deadlineOf(opened20, new Date('2026-05-20T12:00:00Z')).toISOString(), '2026-05-22T12:00:00.000Z');
  });

  test('India: before 20 Feb 2026 no Indian rule applies; a regulator NCII order gets the shorter 2 h; csam gets 1 h whoever reports', () => {
    assert.equal(resolveClock(shipped, query('IN', 'depicted_person', 'ncii', '2026-02-19T23:00:00Z')).id, 'default');
    assert.equal(resolveClock(shipped, query('IN', 'regulator', 'ncii')).id, 'in-ncii-2h');
    assert.equal(resolveClock(shipped, query('IN', 'regulator', 'csam')).hours, 1);
    assert.equal(resolveClock(shipped, query('AU', 'regulator', 'csam')).id, 'csam-everywhere');
  });
});

describe('alertsDue', () => {
  const rules = rulesFrom(`alerts: { remaining_fractions: [0.25, 0.5] }\nrules:\n  - { id: default, hours: 4, basis: target, ${SOURCE} }`);
  const openedAt = new Date('2026-03-01T00:00:00Z');
  const deadline = new Date('2026-03-01T04:00:00Z');
  const at = (minutes: number) => new Date(openedAt.getTime() + minutes * 60_000);

  test('fires each threshold once it is passed, and never again once fired', () => {
    assert.deepEqual(alertsDue(rules, { openedAt, deadline }, [], at(119)), []);
    const half = alertsDue(rules, { openedAt, deadline }, [], at(120));
    assert.deepEqual(half, [{ key: 'near:0.5', threshold: { kind: 'near', remainingFraction: 0.5 } }]);
    assert.deepEqual(alertsDue(rules, { openedAt, deadline }, ['near:0.5'], at(150)), []);
    assert.deepEqual(
      alertsDue(rules, { openedAt, deadline }, ['near:0.5'], at(180)).map((a) => a.key),
      ['near:0.25'],
    );
    assert.deepEqual(alertsDue(rules, { openedAt, deadline }, ['near:0.5', 'near:0.25'], at(239)), []);
  });

  test('overdue fires at the deadline; a late first poll returns every threshold it skipped', () => {
    assert.deepEqual(
      alertsDue(rules, { openedAt, deadline }, [], at(240)).map((a) => a.key),
      ['near:0.5', 'near:0.25', 'overdue'],
    );
    assert.deepEqual(alertsDue(rules, { openedAt, deadline }, ['near:0.5', 'near:0.25'], at(241)), [{ key: 'overdue', threshold: { kind: 'overdue' } }]);
    assert.deepEqual(alertsDue(rules, { openedAt, deadline }, ['near:0.5', 'near:0.25', 'overdue'], at(10_000)), []);
  });

  test('property: for increasing nows with fired keys fed back, each threshold fires at most once and all passed ones fire', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.double({ min: 0.01, max: 0.99, noNaN: true }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 10 * 24 * 3600 }),
        fc.array(fc.integer({ min: 0, max: 20 * 24 * 3600 }), { maxLength: 30 }),
        (fractions, windowSeconds, offsets) => {
          const r: ClockRules = { ...rules, alerts: { remainingFractions: fractions } };
          const clock = { openedAt, deadline: new Date(openedAt.getTime() + windowSeconds * 1000) };
          const nows = [...offsets].sort((a, b) => a - b).map((s) => new Date(openedAt.getTime() + s * 1000));
          const fired: string[] = [];
          for (const now of nows) {
            for (const alert of alertsDue(r, clock, fired, now)) {
              assert.ok(!fired.includes(alert.key), `${alert.key} fired twice`);
              fired.push(alert.key);
            }
          }
          const last = nows.at(-1);
          if (last === undefined) return;
          const remaining = clock.deadline.getTime() - last.getTime();
          const expected = [...fractions.filter((f) => remaining <= f * windowSeconds * 1000).map((f) => `near:${f}`), ...(remaining <= 0 ? ['overdue'] : [])];
          assert.deepEqual([...fired].sort(), expected.sort());
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('clockView', () => {
  test('shows the deadline, the time left (negative once overdue), the rule and its source', () => {
    const rule = { id: 'r', hours: 2, basis: 'statutory' as const, source: { title: 'T', citation: 'C' } };
    const openedAt = new Date('2026-03-01T00:00:00Z');
    const deadline = deadlineOf(rule, openedAt);
    assert.deepEqual(clockView(rule, openedAt, deadline, new Date('2026-03-01T01:30:00Z')), {
      deadline: '2026-03-01T02:00:00.000Z',
      time_left_seconds: 1800,
      overdue: false,
      rule: 'r',
      basis: 'statutory',
      source: { title: 'T', citation: 'C' },
    });
    const late = clockView(rule, openedAt, deadline, new Date('2026-03-01T02:00:10Z'));
    assert.equal(late.overdue, true);
    assert.equal(late.time_left_seconds, -10);
  });
});

describe('clock rules file validation', () => {
  const problems = (yaml: string) => {
    const result = parseClockRules(yaml);
    assert.equal(result.ok, false);
    return result.ok ? [] : result.problems;
  };

  test('names the line and field of each problem', () => {
    const found = problems(
      [
        'rules:',
        `  - { id: default, hours: 24, basis: target, ${SOURCE} }`,
        `  - { id: default, hours: 2, basis: statutory, ${SOURCE} }`,
        `  - { id: lower, when: { jurisdiction: in }, hours: 2, basis: statutory, ${SOURCE} }`,
        `  - { id: zero, hours: 0, basis: target, ${SOURCE} }`,
        `  - { id: negative, hours: -3, basis: target, ${SOURCE} }`,
        '  - { id: nosource, hours: 3, basis: target }',
      ].join('\n'),
    );
    const byPath = new Map(found.map((p) => [p.path, p]));
    assert.match(byPath.get('rules.1.id')!.message, /duplicate rule id "default"/);
    assert.equal(byPath.get('rules.1.id')!.line, 3);
    assert.match(byPath.get('rules.2.when.jurisdiction')!.message, /ISO 3166-1 alpha-2/);
    assert.equal(byPath.get('rules.2.when.jurisdiction')!.line, 4);
    assert.match(byPath.get('rules.3.hours')!.message, /positive number of hours/);
    assert.match(byPath.get('rules.4.hours')!.message, /positive number of hours/);
    assert.match(byPath.get('rules.5.source')!.message, /needs a `source`/);
  });

  test('refuses a file without a default rule', () => {
    const found = problems(`rules:\n  - { id: xx, when: { jurisdiction: XX }, hours: 2, basis: target, ${SOURCE} }`);
    assert.match(found[0]!.message, /no default rule/);
  });

  test('an appeal rule is not a default, and `appeal` takes only true', () => {
    assert.match(problems(`rules:\n  - { id: appeal, when: { appeal: true }, hours: 72, basis: target, ${SOURCE} }`)[0]!.message, /no default rule/);
    const found = problems(
      `rules:\n  - { id: default, hours: 24, basis: target, ${SOURCE} }\n  - { id: x, when: { appeal: false }, hours: 2, basis: target, ${SOURCE} }`,
    );
    assert.equal(found[0]!.path, 'rules.1.when.appeal');
  });

  test('the version changes with any figure, not with formatting or comments', () => {
    const a = rulesFrom(`rules:\n  - { id: default, hours: 24, basis: target, ${SOURCE} }`);
    const b = rulesFrom(`# a comment\nrules:\n  - id: default\n    hours: 24\n    basis: target\n    source: { title: T, citation: C }`);
    const c = rulesFrom(`rules:\n  - { id: default, hours: 23, basis: target, ${SOURCE} }`);
    assert.equal(a.version, b.version);
    assert.notEqual(a.version, c.version);
  });
});
