import type { Outcome } from './decision.js';
import { OUTCOMES } from './decision.js';
import { REPORTER_TYPES, type ReporterType } from './reports.js';

/**
 * Transparency figures for a period, per jurisdiction and category, computed from what Perisai
 * recorded: screening decisions, reports, case events and statements of reasons. Pure: the
 * service reads the rows, this turns them into the numbers the EU harmonised template
 * (Implementing Regulation (EU) 2024/2835) and India's monthly compliance report ask for
 * (docs/transparency.md maps them field by field).
 */

/** The actors that are not a person: the intake's automatic removal and the policy. */
export const MACHINE_ACTORS: readonly string[] = ['automatic', 'policy'];

/** Case actions counted as actions taken. `appeal` is counted under appeals. */
export const COUNTED_ACTIONS = ['remove', 'bank', 'decline', 'escalate', 'notify', 'close'] as const;
export type CountedAction = (typeof COUNTED_ACTIONS)[number];

/** The actions that restrict content: the clock of "time to action" stops at the first. */
export const RESTRICTING_ACTIONS: readonly string[] = ['remove', 'bank'];
/** The actions that decide a notice: the deadline is met when the first comes in time. */
export const DECIDING_ACTIONS: readonly string[] = ['remove', 'bank', 'decline'];

export const STATEMENT_RESTRICTIONS = ['content_removed', 'content_disabled', 'generation_refused', 'account_suspended', 'account_terminated'] as const;

export interface ScreeningCount {
  jurisdiction: string;
  /** The report category the decision's categories amount to, or `none` when no rule fired. */
  category: string;
  outcome: Outcome;
  count: number;
}

export interface ReportFact {
  caseId: string;
  receivedAt: string;
  reporterType: string;
  jurisdiction: string;
  category: string;
  deadline: string;
}

export interface CaseFact {
  id: string;
  jurisdiction: string;
  category: string;
  /** An appeal case contesting a screening decision (POST /v1/appeals): no original case records it. */
  decisionAppeal?: boolean;
}

/** Events that decide an appeal on the contested case: a new removal or decline, or an appeal case's outcome. */
const APPEAL_OUTCOMES = ['remove', 'decline', 'appeal_upheld', 'appeal_overturned'];

/** A case event; the service passes every counted, appeal and deciding event of the cases involved before `to`. */
export interface EventFact {
  caseId: string;
  at: string;
  kind: string;
  actor: string;
}

export interface StatementCount {
  jurisdiction: string;
  category: string;
  restriction: string;
  automated: boolean;
  count: number;
}

export interface TransparencyInput {
  period: { from: string; to: string };
  screenings: ScreeningCount[];
  reports: ReportFact[];
  cases: CaseFact[];
  events: EventFact[];
  statements: StatementCount[];
}

export interface Figures {
  screenings: { total: number; by_outcome: Record<Outcome, number> };
  reports: { total: number; by_reporter_type: Record<ReporterType, number> };
  actions: { total: number; by_type: Record<CountedAction, number>; automated: number; human: number };
  statements: { total: number; by_restriction: Record<(typeof STATEMENT_RESTRICTIONS)[number], number>; automated: number; human: number };
  /** Report received → first restricting action (remove or bank) on its case, for reports received in the period and actioned before its end. */
  time_to_action: { actioned: number; already_actioned: number; median_seconds: number | null; p90_seconds: number | null };
  /** Reports received in the period that were decided, or whose deadline passed before its end; met: decided by the deadline. */
  deadline: { due: number; met: number; share: number | null };
  appeals: { received: number; decided: number; reversed: number };
}

export interface TransparencyGroup extends Figures {
  jurisdiction: string;
  category: string;
}

export interface TransparencyReport {
  period: { from: string; to: string };
  generated_at: string;
  totals: Figures;
  groups: TransparencyGroup[];
}

/** Linear interpolation between closest ranks (R type 7, numpy's default); null for no values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

interface Accumulator {
  figures: Figures;
  times: number[];
}

function emptyFigures(): Figures {
  const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  return {
    screenings: { total: 0, by_outcome: zeros(OUTCOMES) },
    reports: { total: 0, by_reporter_type: zeros(REPORTER_TYPES) },
    actions: { total: 0, by_type: zeros(COUNTED_ACTIONS), automated: 0, human: 0 },
    statements: { total: 0, by_restriction: zeros(STATEMENT_RESTRICTIONS), automated: 0, human: 0 },
    time_to_action: { actioned: 0, already_actioned: 0, median_seconds: null, p90_seconds: null },
    deadline: { due: 0, met: 0, share: null },
    appeals: { received: 0, decided: 0, reversed: 0 },
  };
}

const inPeriod = (at: string, period: { from: string; to: string }) => at >= period.from && at < period.to;

/** Aggregates one period. Timestamps are ISO 8601 UTC strings, so they compare as text. */
export function aggregateTransparency(input: TransparencyInput, generatedAt: string): TransparencyReport {
  const { period } = input;
  const groups = new Map<string, Accumulator & { jurisdiction: string; category: string }>();
  const total: Accumulator = { figures: emptyFigures(), times: [] };
  const touch = (jurisdiction: string, category: string, fn: (a: Accumulator) => void) => {
    const key = `${jurisdiction}\u0000${category}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { jurisdiction, category, figures: emptyFigures(), times: [] }));
    fn(group);
    fn(total);
  };

  for (const s of input.screenings) {
    touch(s.jurisdiction, s.category, ({ figures }) => {
      figures.screenings.total += s.count;
      figures.screenings.by_outcome[s.outcome] += s.count;
    });
  }

  const caseById = new Map(input.cases.map((c) => [c.id, c]));
  const eventsByCase = new Map<string, EventFact[]>();
  for (const event of [...input.events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))) {
    if (event.at >= period.to) continue;
    const list = eventsByCase.get(event.caseId) ?? [];
    list.push(event);
    eventsByCase.set(event.caseId, list);
  }

  for (const report of input.reports) {
    if (!inPeriod(report.receivedAt, period)) continue;
    const events = eventsByCase.get(report.caseId) ?? [];
    const before = events.some((e) => RESTRICTING_ACTIONS.includes(e.kind) && e.at < report.receivedAt);
    const action = events.find((e) => RESTRICTING_ACTIONS.includes(e.kind) && e.at >= report.receivedAt);
    const decision = events.find((e) => DECIDING_ACTIONS.includes(e.kind) && e.at >= report.receivedAt);
    touch(report.jurisdiction, report.category, (a) => {
      const f = a.figures;
      f.reports.total += 1;
      if ((REPORTER_TYPES as readonly string[]).includes(report.reporterType)) f.reports.by_reporter_type[report.reporterType as ReporterType] += 1;
      // A report about content already taken down needs no action: it neither waits nor is late.
      if (before) {
        f.time_to_action.already_actioned += 1;
        return;
      }
      if (action) {
        f.time_to_action.actioned += 1;
        a.times.push((Date.parse(action.at) - Date.parse(report.receivedAt)) / 1000);
      }
      if (decision || report.deadline < period.to) {
        f.deadline.due += 1;
        if (decision && decision.at <= report.deadline) f.deadline.met += 1;
      }
    });
  }

  for (const [caseId, events] of eventsByCase) {
    const c = caseById.get(caseId);
    const jurisdiction = c?.jurisdiction ?? 'ZZ';
    const category = c?.category ?? 'other';
    events.forEach((event, index) => {
      if (!inPeriod(event.at, period)) return;
      if ((COUNTED_ACTIONS as readonly string[]).includes(event.kind)) {
        touch(jurisdiction, category, ({ figures }) => {
          figures.actions.total += 1;
          figures.actions.by_type[event.kind as CountedAction] += 1;
          if (MACHINE_ACTORS.includes(event.actor)) figures.actions.automated += 1;
          else figures.actions.human += 1;
        });
      }
      if (event.kind === 'appeal') {
        // The outcome contested is the last removal or decline before the appeal; the appeal is
        // decided by the next one, and reversed when that one goes the other way.
        const prior = events
          .slice(0, index)
          .reverse()
          .find((e) => e.kind === 'remove' || e.kind === 'decline');
        const next = events.slice(index + 1).find((e) => APPEAL_OUTCOMES.includes(e.kind));
        const reversed =
          next?.kind === 'appeal_overturned' ||
          (next !== undefined && prior !== undefined && (next.kind === 'remove' || next.kind === 'decline') && next.kind !== prior.kind);
        touch(jurisdiction, category, ({ figures }) => {
          figures.appeals.received += 1;
          if (next) figures.appeals.decided += 1;
          if (reversed) figures.appeals.reversed += 1;
        });
      }
      // An appeal of a refused request has no original case: its own appeal case is the record.
      if (c?.decisionAppeal) {
        if (event.kind === 'opened') touch(jurisdiction, category, ({ figures }) => void (figures.appeals.received += 1));
        if (event.kind === 'uphold' || event.kind === 'overturn') {
          touch(jurisdiction, category, ({ figures }) => {
            figures.appeals.decided += 1;
            if (event.kind === 'overturn') figures.appeals.reversed += 1;
          });
        }
      }
    });
  }

  for (const s of input.statements) {
    touch(s.jurisdiction, s.category, ({ figures }) => {
      figures.statements.total += s.count;
      if ((STATEMENT_RESTRICTIONS as readonly string[]).includes(s.restriction)) {
        figures.statements.by_restriction[s.restriction as (typeof STATEMENT_RESTRICTIONS)[number]] += s.count;
      }
      if (s.automated) figures.statements.automated += s.count;
      else figures.statements.human += s.count;
    });
  }

  const finish = (a: Accumulator): Figures => {
    const sorted = [...a.times].sort((x, y) => x - y);
    const f = a.figures;
    // To the millisecond, as measured: interpolation adds float noise below it (28.000000000000004).
    const ms = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
    f.time_to_action.median_seconds = ms(percentile(sorted, 0.5));
    f.time_to_action.p90_seconds = ms(percentile(sorted, 0.9));
    f.deadline.share = f.deadline.due === 0 ? null : f.deadline.met / f.deadline.due;
    return f;
  };
  return {
    period,
    generated_at: generatedAt,
    totals: finish(total),
    groups: [...groups.values()]
      .sort((a, b) => a.jurisdiction.localeCompare(b.jurisdiction) || a.category.localeCompare(b.category))
      .map((g) => ({ jurisdiction: g.jurisdiction, category: g.category, ...finish(g) })),
  };
}

/** Flattens figures to `section_field` columns in a fixed order (for CSV). */
function flatten(value: unknown, prefix: string, out: Array<[string, string]>): void {
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}_${key}` : key, out);
  } else {
    out.push([prefix, value === null || value === undefined ? '' : String(value)]);
  }
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * The report as CSV (RFC 4180): a header row, one row per jurisdiction and category, and a last
 * row `ALL,ALL` with the totals (its medians are over all reports, not a mean of the groups').
 */
export function transparencyCsv(report: TransparencyReport): string {
  const rows: Array<Array<[string, string]>> = [];
  const line = (jurisdiction: string, category: string, figures: Figures) => {
    const cells: Array<[string, string]> = [
      ['period_from', report.period.from],
      ['period_to', report.period.to],
      ['jurisdiction', jurisdiction],
      ['category', category],
    ];
    flatten(figures, '', cells);
    rows.push(cells);
  };
  for (const { jurisdiction, category, ...figures } of report.groups) line(jurisdiction, category, figures);
  line('ALL', 'ALL', report.totals);
  const header = rows[0]!.map(([name]) => name);
  return [header, ...rows.map((cells) => cells.map(([, v]) => v))].map((cells) => cells.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
