import { type CaseState, RUNNING_STATES } from '../domain/cases.js';
import { alertsDue, type AlertThreshold, type ClockRules } from '../domain/clocks/index.js';
import { casesNearDeadline, countOverdueCases, findCase, insertCaseEvent, setFiredAlerts } from '../store/repositories/cases.js';
import type { Tx, UnitOfWork } from './unit-of-work.js';
import type { WebhookService } from './webhooks.js';

export const CASE_DEADLINE_NEAR = 'case.deadline_near';
export const CASE_OVERDUE = 'case.overdue';

/** The actor of alert events and audit entries: no person raised them. */
const ACTOR = 'system';
const HOUR_MS = 3_600_000;

export interface CaseAlertsOptions {
  uow: UnitOfWork;
  webhooks: WebhookService;
  clockRules: () => ClockRules;
  /** Cases read per page of a sweep. */
  batchSize?: number;
}

/** One alert that committed, for metrics and logs. */
export interface FiredAlert {
  caseId: string;
  /** The stored key: `near:<fraction>` or `overdue`. */
  threshold: string;
}

export type AlertListener = (alert: FiredAlert) => void;

/**
 * Raises each case's deadline alerts once. A sweep reads only running cases whose deadline is
 * close enough for some threshold to have passed, page by page; for each, one transaction
 * appends the fired keys to the case, enqueues the webhooks and writes the case event and the
 * audit entry. The append is conditional on the keys it read, so two instances sweeping at
 * once cannot both fire an alert: the second finds the row changed and leaves it.
 */
export class CaseAlertsService {
  private readonly listeners: AlertListener[] = [];
  private readonly batchSize: number;

  constructor(private readonly options: CaseAlertsOptions) {
    this.batchSize = options.batchSize ?? 200;
  }

  /** Called after each alert's transaction commits (the metrics counter listens). */
  onFired(listener: AlertListener): void {
    this.listeners.push(listener);
  }

  async sweep(): Promise<{ fired: number }> {
    const rules = this.options.clockRules();
    const now = this.options.uow.clock.now();
    // A near threshold passes when `fraction × window` is left; no case's window is assumed longer
    // than the longest rule in force, so nothing further from its deadline than that can be due.
    // A case opened under an earlier, longer rule still gets its alert, at worst this late.
    const longestWindowMs = Math.max(0, ...rules.rules.map((rule) => rule.hours * HOUR_MS));
    const largestFraction = Math.max(0, ...rules.alerts.remainingFractions);
    const horizon = new Date(now.getTime() + largestFraction * longestWindowMs).toISOString();
    let fired = 0;
    for (const state of RUNNING_STATES) {
      let after: { deadline: string; id: string } | undefined;
      for (;;) {
        const page = await casesNearDeadline(this.options.uow.db, { state, until: horizon, after, limit: this.batchSize });
        for (const row of page) {
          const due = alertsDue(rules, { openedAt: new Date(row.opened_at), deadline: new Date(row.deadline) }, parseFired(row.fired_alerts), now);
          if (due.length > 0) fired += await this.fire(row.id);
        }
        if (page.length < this.batchSize) break;
        const last = page[page.length - 1]!;
        after = { deadline: last.deadline, id: last.id };
      }
    }
    return { fired };
  }

  /** Running cases past their deadline, for the `perisai_cases_overdue` gauge. */
  async overdueCount(): Promise<number> {
    return countOverdueCases(this.options.uow.db, this.options.uow.clock.now().toISOString());
  }

  /** Fires what is due on one case, re-read inside its transaction; returns how many fired. */
  private async fire(caseId: string): Promise<number> {
    const fired = await this.options.uow.run(async (tx) => {
      const row = await findCase(tx.db, caseId);
      if (!row || !RUNNING_STATES.includes(row.state as CaseState)) return [];
      const already = parseFired(row.fired_alerts);
      const now = new Date(tx.at);
      const due = alertsDue(this.options.clockRules(), { openedAt: new Date(row.opened_at), deadline: new Date(row.deadline) }, already, now);
      if (due.length === 0) return [];
      // The guard: only the transaction that still sees the keys it read appends to them.
      const won = await setFiredAlerts(tx.db, caseId, {
        previous: row.fired_alerts,
        next: JSON.stringify([...already, ...due.map((d) => d.key)]),
        at: tx.at,
      });
      if (!won) return [];
      const timeLeftSeconds = Math.floor((new Date(row.deadline).getTime() - now.getTime()) / 1000);
      for (const { key, threshold } of due) {
        await this.raise(tx, { caseId, deadline: row.deadline, rule: row.rule_id, timeLeftSeconds, key, threshold });
      }
      return due.map((d) => d.key);
    });
    for (const threshold of fired) for (const listener of this.listeners) listener({ caseId, threshold });
    return fired.length;
  }

  private async raise(
    tx: Tx,
    alert: { caseId: string; deadline: string; rule: string; timeLeftSeconds: number; key: string; threshold: AlertThreshold },
  ): Promise<void> {
    const payload = {
      case_id: alert.caseId,
      deadline: alert.deadline,
      rule: alert.rule,
      time_left_seconds: alert.timeLeftSeconds,
      threshold: alert.key,
    };
    const type = alert.threshold.kind === 'overdue' ? CASE_OVERDUE : CASE_DEADLINE_NEAR;
    const delivery = await this.options.webhooks.enqueue(tx, { type, subject: { caseId: alert.caseId }, payload });
    await insertCaseEvent(tx.db, { caseId: alert.caseId, at: tx.at, kind: 'alert', actor: ACTOR, payload: { ...payload, webhook: delivery } });
    await tx.audit([{ kind: 'case.alert', subject: alert.caseId, actor: ACTOR, payload: { ...payload, webhook: delivery } }]);
  }
}

/** The stored keys; a value that is not a string array counts as none fired (an alert late is better than none). */
function parseFired(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
