import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { DecisionRecord } from '../domain/decision-record.js';
import type { CaseAlertsService } from '../services/case-alerts.js';

/** Prometheus metrics for one server; its own registry so several servers can run in one test process. */
export class ScreeningMetrics {
  readonly registry = new Registry();
  private readonly decisions = new Counter({
    name: 'perisai_decisions_total',
    help: 'Screening decisions by stage and outcome.',
    labelNames: ['stage', 'decision'] as const,
    registers: [this.registry],
  });
  private readonly categories = new Counter({
    name: 'perisai_decision_categories_total',
    help: 'Categories raised by screening decisions.',
    labelNames: ['stage', 'category'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'perisai_screen_duration_seconds',
    help: 'Time to screen and record one request, in seconds.',
    labelNames: ['stage'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'perisai_' });
  }

  /** Exposes the outbox by status (`perisai_jobs{status="failed"}`), read from the store at each scrape. */
  watchJobs(counts: () => Promise<Record<string, number>>): void {
    new Gauge({
      name: 'perisai_jobs',
      help: 'Outbox jobs by status: pending, queued, running, done, failed.',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        for (const [status, n] of Object.entries(await counts())) this.set({ status }, n);
      },
    });
  }

  /**
   * Counts deadline alerts as they commit (`perisai_case_alerts_total{threshold="near:0.25"}`) and
   * exposes the running cases past their deadline, counted from the store at each scrape.
   */
  watchCaseAlerts(alerts: Pick<CaseAlertsService, 'onFired' | 'overdueCount'>): void {
    const fired = new Counter({
      name: 'perisai_case_alerts_total',
      help: 'Case deadline alerts raised, by threshold (near:<fraction left>, overdue).',
      labelNames: ['threshold'] as const,
      registers: [this.registry],
    });
    alerts.onFired((alert) => fired.inc({ threshold: alert.threshold }));
    new Gauge({
      name: 'perisai_cases_overdue',
      help: 'Cases not yet actioned, declined or closed whose deadline has passed.',
      registers: [this.registry],
      async collect() {
        this.set(await alerts.overdueCount());
      },
    });
  }

  /** Runs one screening and counts its decision and duration. */
  async timed(screen: () => Promise<DecisionRecord>): Promise<DecisionRecord> {
    const started = process.hrtime.bigint();
    const record = await screen();
    this.observe(record, Number(process.hrtime.bigint() - started) / 1e9);
    return record;
  }

  private observe(record: DecisionRecord, seconds: number): void {
    this.decisions.inc({ stage: record.stage, decision: record.decision });
    for (const category of record.categories) this.categories.inc({ stage: record.stage, category });
    this.latency.observe({ stage: record.stage }, seconds);
  }
}
