import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { CATEGORIES, type Category } from '../../src/domain/decision.js';
import {
  accountStanding,
  strikeExpiry,
  type StrikeRecord,
  strikesCounted,
  type SuspensionRecord,
  suspensionsWithoutCause,
  trippedThreshold,
} from '../../src/domain/enforcement.js';
import type { SuspensionThreshold } from '../../src/domain/policy/schema.js';
import { loadPolicyFile } from '../../src/policy/policy-file.js';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse('2026-06-01T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const policy = loadPolicyFile();

let n = 0;
function strike(category: Category, atMs: number, expiryDays = 365, lifted: number | null = null): StrikeRecord {
  n += 1;
  return {
    id: `stk_${String(n).padStart(6, '0')}`,
    category,
    decisionId: `dec_${n}`,
    createdAt: iso(atMs),
    expiresAt: iso(atMs + expiryDays * DAY),
    liftedAt: lifted === null ? null : iso(lifted),
  };
}

const strikeArb = fc.record({
  category: fc.constantFrom<Category>('sexualize_real_person', 'minor_sexual', 'sexual_violence', 'bank_match'),
  offsetDays: fc.integer({ min: 0, max: 120 }),
  expiryDays: fc.integer({ min: 1, max: 60 }),
  lifted: fc.boolean(),
});
const thresholdArb: fc.Arbitrary<SuspensionThreshold> = fc.record({
  category: fc.constantFrom<Category | 'any'>('sexualize_real_person', 'minor_sexual', 'any'),
  strikes: fc.integer({ min: 1, max: 4 }),
  within_days: fc.integer({ min: 1, max: 60 }),
  suspend_days: fc.option(fc.integer({ min: 1, max: 90 }), { nil: null }),
});
const build = (specs: Array<{ category: Category; offsetDays: number; expiryDays: number; lifted: boolean }>): StrikeRecord[] =>
  specs.map((s) => strike(s.category, T0 + s.offsetDays * DAY, s.expiryDays, s.lifted ? T0 + 200 * DAY : null));

describe('enforcement rules', () => {
  test('the shipped policy: one minor_sexual strike suspends until reinstated; sexualisation needs three within 30 days', () => {
    const e = policy.enforcement;
    assert.equal(e.strike_expiry_days, 365);
    const minor = trippedThreshold(e, [strike('minor_sexual', T0)], iso(T0));
    assert.equal(minor?.threshold.category, 'minor_sexual');
    assert.equal(minor?.until, null);

    const two = [strike('sexualize_real_person', T0), strike('sexualize_real_person', T0 + 10 * DAY)];
    assert.equal(trippedThreshold(e, two, iso(T0 + 10 * DAY)), undefined);
    const three = [...two, strike('sexualize_real_person', T0 + 29 * DAY)];
    const tripped = trippedThreshold(e, three, iso(T0 + 29 * DAY));
    assert.equal(tripped?.threshold.category, 'sexualize_real_person');
    assert.equal(tripped?.until, iso(T0 + 59 * DAY));
    assert.deepEqual(
      tripped?.strikes.map((s) => s.id),
      three.map((s) => s.id),
    );
    // The first of three strikes 30 days before the third has left the window.
    const spread = [...two, strike('sexualize_real_person', T0 + 30 * DAY)];
    assert.equal(trippedThreshold(e, spread, iso(T0 + 30 * DAY)), undefined);
    assert.equal(strikeExpiry(e, iso(T0)), iso(T0 + 365 * DAY));
  });

  test('a strike of another kind does not revive a threshold already answered', () => {
    const old = strike('minor_sexual', T0);
    const fresh = strike('sexualize_real_person', T0 + DAY);
    assert.equal(trippedThreshold(policy.enforcement, [old, fresh], iso(T0 + DAY), new Set([fresh.id])), undefined);
    assert.equal(trippedThreshold(policy.enforcement, [old, fresh], iso(T0 + DAY))?.threshold.category, 'minor_sexual');
  });

  test('the threshold that suspends longest wins, an indefinite one first', () => {
    const thresholds: SuspensionThreshold[] = [
      { category: 'any', strikes: 1, within_days: 30, suspend_days: 7 },
      { category: 'any', strikes: 1, within_days: 30, suspend_days: 60 },
      { category: 'bank_match', strikes: 1, within_days: 30, suspend_days: null },
    ];
    assert.equal(trippedThreshold({ thresholds }, [strike('nudity', T0)], iso(T0))?.until, iso(T0 + 60 * DAY));
    assert.equal(trippedThreshold({ thresholds }, [strike('bank_match', T0)], iso(T0))?.until, null);
  });

  test('the order the strikes come in never matters', () => {
    fc.assert(
      fc.property(
        fc.array(strikeArb, { maxLength: 12 }),
        fc.array(thresholdArb, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 130 }),
        (specs, thresholds, atDay) => {
          const strikes = build(specs);
          const at = iso(T0 + atDay * DAY);
          const a = trippedThreshold({ thresholds }, strikes, at);
          const b = trippedThreshold({ thresholds }, [...strikes].reverse(), at);
          assert.deepEqual(a, b);
          assert.deepEqual(accountStanding(strikes, [], at), accountStanding([...strikes].reverse(), [], at));
        },
      ),
    );
  });

  test('a counted strike is of the category, inside the window, unexpired and never lifted', () => {
    fc.assert(
      fc.property(fc.array(strikeArb, { maxLength: 12 }), thresholdArb, fc.integer({ min: 0, max: 130 }), (specs, threshold, atDay) => {
        const strikes = build(specs);
        const at = T0 + atDay * DAY;
        for (const s of strikesCounted(threshold, strikes, iso(at))) {
          assert.ok(threshold.category === 'any' || s.category === threshold.category);
          assert.ok(Date.parse(s.createdAt) <= at && Date.parse(s.createdAt) > at - threshold.within_days * DAY);
          assert.ok(at < Date.parse(s.expiresAt));
          assert.equal(s.liftedAt, null);
        }
      }),
    );
  });

  test('adding a strike never un-trips a threshold; once every strike has expired none trips', () => {
    fc.assert(
      fc.property(fc.array(strikeArb, { maxLength: 10 }), strikeArb, fc.array(thresholdArb, { minLength: 1, maxLength: 3 }), (specs, extra, thresholds) => {
        const strikes = build(specs);
        const at = iso(T0 + 121 * DAY);
        const before = trippedThreshold({ thresholds }, strikes, at);
        const after = trippedThreshold({ thresholds }, [...strikes, ...build([extra])], at);
        if (before !== undefined) assert.notEqual(after, undefined);
        const late = iso(T0 + 400 * DAY);
        assert.equal(trippedThreshold({ thresholds }, strikes, late), undefined);
        const standing = accountStanding(strikes, [], late);
        assert.equal(standing.active.length, 0);
        assert.equal(standing.expired.length + standing.lifted.length, strikes.length);
      }),
    );
  });

  test('lifting one strike that an automatic suspension needed ends it; lifting a spare one does not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 3 }), (needed, spare) => {
        const threshold: SuspensionThreshold = { category: 'sexualize_real_person', strikes: needed, within_days: 30, suspend_days: 30 };
        const strikes = Array.from({ length: needed + spare }, (_, i) => strike('sexualize_real_person', T0 + i * 1000));
        const start = iso(T0 + (needed + spare) * 1000);
        const suspension: SuspensionRecord = {
          id: 'sus_1',
          startedAt: start,
          until: iso(Date.parse(start) + 30 * DAY),
          automatic: true,
          threshold,
          endedAt: null,
        };
        const now = iso(Date.parse(start) + DAY);
        assert.deepEqual(suspensionsWithoutCause([suspension], strikes, now), []);
        const liftOne = strikes.map((s, i) => (i === 0 ? { ...s, liftedAt: now } : s));
        assert.equal(suspensionsWithoutCause([suspension], liftOne, now).length, spare === 0 ? 1 : 0);
        // A person's suspension stands whatever happens to strikes.
        assert.deepEqual(suspensionsWithoutCause([{ ...suspension, automatic: false, threshold: null }], liftOne, now), []);
      }),
    );
  });

  test('standing: suspended while a suspension runs, until the one ending last; reinstated or expired, in good standing', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            startDay: fc.integer({ min: 0, max: 50 }),
            lengthDays: fc.option(fc.integer({ min: 1, max: 50 }), { nil: null }),
            endedDay: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
          }),
          { maxLength: 5 },
        ),
        fc.integer({ min: 0, max: 120 }),
        (specs, nowDay) => {
          const suspensions: SuspensionRecord[] = specs.map((s, i) => ({
            id: `sus_${i}`,
            startedAt: iso(T0 + s.startDay * DAY),
            until: s.lengthDays === null ? null : iso(T0 + (s.startDay + s.lengthDays) * DAY),
            automatic: false,
            threshold: null,
            endedAt: s.endedDay === null ? null : iso(T0 + Math.max(s.endedDay, s.startDay) * DAY),
          }));
          const now = T0 + nowDay * DAY;
          const running = suspensions.filter(
            (s) => Date.parse(s.startedAt) <= now && (s.endedAt === null || Date.parse(s.endedAt) > now) && (s.until === null || now < Date.parse(s.until)),
          );
          const standing = accountStanding([], suspensions, iso(now));
          assert.equal(standing.status, running.length > 0 ? 'suspended' : 'good');
          if (running.length > 0) {
            const expected = running.some((s) => s.until === null) ? null : iso(Math.max(...running.map((s) => Date.parse(s.until!))));
            assert.equal(standing.suspendedUntil, expected);
          }
        },
      ),
    );
  });

  test('every category can carry a threshold', () => {
    for (const category of CATEGORIES) {
      assert.equal(
        trippedThreshold({ thresholds: [{ category, strikes: 1, within_days: 1, suspend_days: 1 }] }, [strike(category, T0)], iso(T0))?.until,
        iso(T0 + DAY),
      );
    }
  });
});
