import type { ReportCategory, ReporterType } from '../reports.js';
import type { ClockFile } from './schema.js';

export type { ClockFile } from './schema.js';
export { clockFileSchema, duplicateRuleIds, JURISDICTION_PATTERN } from './schema.js';

export interface ClockSource {
  title: string;
  citation: string;
  url?: string;
  /** YYYY-MM-DD: the rule binds cases opened on or after this day (UTC). */
  in_force_from?: string;
}

export type ClockBasis = 'statutory' | 'target';

export interface ClockRule {
  id: string;
  hours: number;
  basis: ClockBasis;
  source: ClockSource;
  note?: string;
}

/** What a rule applies to; an absent field matches anything. */
export interface ClockRuleWhen {
  jurisdiction?: string;
  reporter_types?: ReporterType[];
  categories?: ReportCategory[];
  /** True: the rule is for appeals, and only appeals (an appeal case's own clock). */
  appeal?: boolean;
}

export interface ClockRuleEntry extends ClockRule {
  when: ClockRuleWhen;
  /** Caps every other matching rule: see the schema. */
  ceiling: boolean;
}

export interface ClockRules {
  /** `<name>@<first 12 hex of the sha256 of the canonical rules>`, like the policy's version. */
  version: string;
  rules: ClockRuleEntry[];
  alerts: { remainingFractions: number[] };
}

export interface ClockQuery {
  /** ISO 3166-1 alpha-2, or 'EU'. */
  jurisdiction: string;
  /**
   * Who reported; `detection` for a case Perisai opened itself on a screening decision, which no
   * rule restricted to reporter types matches (it is no one's notice).
   */
  reporterType: ReporterType | 'detection';
  category: ReportCategory;
  /** When the case opened: rules with a later `in_force_from` do not apply yet. */
  at: Date;
  /** An appeal case: rules with `appeal: true` apply, if one fits; otherwise the ordinary rules do. */
  appeal?: boolean;
}

/** Member states: a rule for `EU` (the DSA) applies to a report about any of them. */
export const EU_MEMBER_STATES: ReadonlySet<string> = new Set([
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE',
  'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE',
]); // prettier-ignore

const HOUR_MS = 3_600_000;

/** Turns a validated rules file into the rules the domain works with. */
export function clockRulesFrom(file: ClockFile, version: string): ClockRules {
  return {
    version,
    rules: file.rules.map((rule) => {
      const entry: ClockRuleEntry = {
        id: rule.id,
        hours: rule.hours,
        basis: rule.basis,
        source: { ...rule.source },
        when: { ...rule.when },
        ceiling: rule.ceiling,
      };
      if (rule.note !== undefined) entry.note = rule.note;
      return entry;
    }),
    alerts: { remainingFractions: [...file.alerts.remaining_fractions].sort((a, b) => b - a) },
  };
}

/**
 * How closely a rule fits a query, or null when it does not apply. Compared as a pair: first how
 * many of the three dimensions the rule constrains (a rule naming the category and the reporter
 * is narrower than one naming only the country), then how precisely it names the place (the
 * country itself beats the EU it belongs to).
 */
function fit(rule: ClockRuleEntry, query: ClockQuery): [number, number] | null {
  const { when } = rule;
  let dimensions = 0;
  let place = 0;
  if (when.jurisdiction !== undefined) {
    if (when.jurisdiction === query.jurisdiction) place = 2;
    else if (when.jurisdiction === 'EU' && EU_MEMBER_STATES.has(query.jurisdiction)) place = 1;
    else return null;
    dimensions += 1;
  }
  if (when.reporter_types !== undefined) {
    if (query.reporterType === 'detection' || !when.reporter_types.includes(query.reporterType)) return null;
    dimensions += 1;
  }
  if (when.categories !== undefined) {
    if (!when.categories.includes(query.category)) return null;
    dimensions += 1;
  }
  const from = rule.source.in_force_from;
  if (from !== undefined && query.at.getTime() < Date.parse(`${from}T00:00:00Z`)) return null;
  return [dimensions, place];
}

/**
 * The most specific rule in force for the query, unless a matching `ceiling` rule is shorter.
 * When several fit equally well the shortest deadline wins: a platform that cannot tell which law binds it keeps the stricter one (fail
 * closed). A valid rules file always has a default, so some rule always applies; a hand-built
 * `ClockRules` without one is a programming error.
 */
export function resolveClock(rules: ClockRules, query: ClockQuery): ClockRule {
  let best: { rule: ClockRuleEntry; score: [number, number] } | undefined;
  let ceiling: ClockRuleEntry | undefined;
  // An appeal runs on an appeal rule when one fits, never on the notice rules (a csam ceiling of
  // an hour is for removing material, not for hearing a complaint); ordinary cases never on appeal rules.
  const appealRules = rules.rules.filter((rule) => rule.when.appeal === true);
  const useAppeal = query.appeal === true && appealRules.some((rule) => fit(rule, query) !== null);
  for (const rule of useAppeal ? appealRules : rules.rules.filter((r) => r.when.appeal !== true)) {
    const score = fit(rule, query);
    if (score === null) continue;
    if (rule.ceiling && (ceiling === undefined || rule.hours < ceiling.hours)) ceiling = rule;
    if (
      best === undefined ||
      score[0] > best.score[0] ||
      (score[0] === best.score[0] && score[1] > best.score[1]) ||
      (score[0] === best.score[0] && score[1] === best.score[1] && rule.hours < best.rule.hours)
    ) {
      best = { rule, score };
    }
  }
  if (best === undefined) throw new Error(`clock rules ${rules.version} have no rule for ${JSON.stringify(query)}: a default rule is missing`);
  return ruleOnly(ceiling !== undefined && ceiling.hours < best.rule.hours ? ceiling : best.rule);
}

function ruleOnly(entry: ClockRuleEntry): ClockRule {
  const rule: ClockRule = { id: entry.id, hours: entry.hours, basis: entry.basis, source: { ...entry.source } };
  if (entry.note !== undefined) rule.note = entry.note;
  return rule;
}

export function deadlineOf(rule: ClockRule, openedAt: Date): Date {
  return new Date(openedAt.getTime() + Math.round(rule.hours * HOUR_MS));
}

export type AlertThreshold = { kind: 'near'; remainingFraction: number } | { kind: 'overdue' };

/** The stable key a fired threshold is stored under, so it fires once across polls and restarts. */
export function thresholdKey(threshold: AlertThreshold): string {
  return threshold.kind === 'overdue' ? 'overdue' : `near:${threshold.remainingFraction}`;
}

/**
 * The thresholds that `now` has passed and that have not fired yet, earliest first. A near
 * threshold passes once no more than its fraction of the window is left; overdue passes at the
 * deadline. A poll that comes late returns every threshold it skipped, so none is lost, and a key
 * in `alreadyFired` never comes back, so none repeats.
 */
export function alertsDue(
  rules: ClockRules,
  clock: { openedAt: Date; deadline: Date },
  alreadyFired: readonly string[],
  now: Date,
): { key: string; threshold: AlertThreshold }[] {
  const fired = new Set(alreadyFired);
  const window = clock.deadline.getTime() - clock.openedAt.getTime();
  const remaining = clock.deadline.getTime() - now.getTime();
  const thresholds: AlertThreshold[] = [
    ...[...new Set(rules.alerts.remainingFractions)].sort((a, b) => b - a).map((remainingFraction): AlertThreshold => ({ kind: 'near', remainingFraction })),
    { kind: 'overdue' },
  ];
  const due: { key: string; threshold: AlertThreshold }[] = [];
  for (const threshold of thresholds) {
    const passed = threshold.kind === 'overdue' ? remaining <= 0 : remaining <= threshold.remainingFraction * window;
    const key = thresholdKey(threshold);
    if (passed && !fired.has(key)) due.push({ key, threshold });
  }
  return due;
}

export interface ClockView {
  deadline: string;
  /** Negative once overdue: how late the case is. */
  time_left_seconds: number;
  overdue: boolean;
  rule: string;
  basis: ClockBasis;
  source: ClockSource;
}

export function clockView(rule: ClockRule, openedAt: Date, deadline: Date, now: Date): ClockView {
  void openedAt; // part of the contract so a view can show the window later without a signature change
  const left = deadline.getTime() - now.getTime();
  return {
    deadline: deadline.toISOString(),
    time_left_seconds: Math.floor(left / 1000),
    overdue: left <= 0,
    rule: rule.id,
    basis: rule.basis,
    source: { ...rule.source },
  };
}
